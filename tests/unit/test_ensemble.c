/* test_ensemble.c - unit tests of the ensemble's inputs (coordinator/ensemble.c): worker
 * URLs, workers files, and workers that cannot be reached at start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coordinator/ensemble.h"
#include "worker/wire.h"

static void test_url_normalize(void **state)
{
    char err[256];
    char *u = omb_worker_url_normalize("http://h:8080//", err, sizeof err);
    assert_string_equal(u, "http://h:8080");
    free(u);
    u = omb_worker_url_normalize("https://h", err, sizeof err);
    assert_string_equal(u, "https://h");
    free(u);
    assert_null(omb_worker_url_normalize("h:8080", err, sizeof err));
    assert_non_null(strstr(err, "http://HOST:PORT"));
    assert_null(omb_worker_url_normalize("http://", err, sizeof err));
    assert_null(omb_worker_url_normalize("http://a b", err, sizeof err));
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/omb-test-workers-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_workers_file(void **state)
{
    char err[512], **urls;
    size_t n;
    char *p = write_tmp("workers:\n  - http://a:8080\n  - \"http://b:8080/\"\n");
    assert_int_equal(omb_workers_file_load(p, &urls, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(urls[1], "http://b:8080");
    omb_wire_free_strings(urls, n);
    unlink(p);

    p = write_tmp("workers: [http://a:8080, ftp://b]\n");
    assert_int_equal(omb_workers_file_load(p, &urls, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 1"));
    assert_non_null(strstr(err, "ftp://b"));
    unlink(p);

    p = write_tmp("workers: []\n");
    assert_int_equal(omb_workers_file_load(p, &urls, &n, err, sizeof err), -1);
    unlink(p);

    p = write_tmp("workers: [http://a]\nextra: 1\n");
    assert_int_equal(omb_workers_file_load(p, &urls, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 2"));
    assert_non_null(strstr(err, "extra"));
    unlink(p);
}

static void test_unreachable_workers_named(void **state)
{
    char err[1024];
    /* Port 1 on loopback: nothing listens there. */
    char *urls[] = {"http://127.0.0.1:1", "http://127.0.0.1:1/"};
    assert_null(omb_ensemble_new(urls, 2, NULL, err, sizeof err));
    assert_non_null(strstr(err, "listed twice"));
    char *one[] = {"http://127.0.0.1:1"};
    assert_null(omb_ensemble_new(one, 1, NULL, err, sizeof err));
    assert_non_null(strstr(err, "worker http://127.0.0.1:1 is unreachable"));
    assert_null(omb_ensemble_new(NULL, 0, NULL, err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_normalize),
        cmocka_unit_test(test_workers_file),
        cmocka_unit_test(test_unreachable_workers_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
