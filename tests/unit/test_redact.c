/* test_redact.c - passwords in URLs hidden for messages and result files (util/redact.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/redact.h"

static void expect(const char *in, const char *out)
{
    char *got = omb_hide_url_passwords(in, "***");
    assert_non_null(got);
    assert_string_equal(got, out);
    free(got);
}

static void test_hides_passwords(void **state)
{
    (void)state;
    expect("amqp://guest:guest@localhost:5672/vh", "amqp://guest:***@localhost:5672/vh");
    expect("nats://a:pw1@h1:4222,nats://c:pw2@h2", "nats://a:***@h1:4222,nats://c:***@h2");
    expect("sasl.url=https://u:p@idp/x, http://v:q@h", "sasl.url=https://u:***@idp/x, http://v:***@h");
    /* A colon in the password: everything up to the last part before '@' is hidden. */
    expect("amqp://u:a:b@h", "amqp://u:***@h");
}

static void test_keeps_the_rest(void **state)
{
    (void)state;
    expect("amqp://localhost", "amqp://localhost");
    expect("amqp://user@host/vh", "amqp://user@host/vh");  /* no password */
    expect("http://h:9092/p", "http://h:9092/p");          /* a port, no user */
    expect("x://u:@h", "x://u:@h");                        /* an empty password */
    expect("http://h/p?to=a:b@c", "http://h/p?to=a:b@c");  /* '@' past the authority */
    expect("localhost:9092,b:9093", "localhost:9092,b:9093");
    expect("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hides_passwords),
        cmocka_unit_test(test_keeps_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
