/* test_jfmt.c - unit tests of omb_java_double (util/jfmt.c), Java's Double.toString.
 * Expected strings are Java's own output (OpenJDK 17 `Double.toString` agrees with JDK 19+
 * for every literal below except where noted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/jfmt.h"

static void check(double v, const char *want)
{
    char buf[64];
    memset(buf, 'X', sizeof buf);
    const char *got = omb_java_double(v, buf, sizeof buf);
    assert_ptr_equal(got, buf);
    if (strcmp(buf, want) != 0) fail_msg("%.17g: got \"%s\", Java writes \"%s\"", v, buf, want);
}

static void test_known_java_outputs(void **state)
{
    (void)state;
    check(50.0, "50.0");
    check(99.9, "99.9");
    check(100.0, "100.0");
    check(0.001, "0.001");
    check(0.0001, "1.0E-4");
    check(1.0E7, "1.0E7");
    check(1234567.0, "1234567.0");
    check(0.0016395055251336196, "0.0016395055251336196");
    check(1e-5, "1.0E-5");
    check(123.456, "123.456");
    check(9999999.0, "9999999.0");
    check(12345678.0, "1.2345678E7");
    check(0.1 + 0.2, "0.30000000000000004");
    check(-2.5, "-2.5");
    check(1.0, "1.0");
    check(0.5, "0.5");
    check(1.0 / 3.0, "0.3333333333333333");
    check(100.0 * 2.0 / 3.0, "66.66666666666667");
    check(1e21, "1.0E21");
    check(0.00099, "9.9E-4");
    check(5.0E-4, "5.0E-4");
    check(9223372036854775808.0, "9.223372036854776E18");
    check(DBL_MAX, "1.7976931348623157E308");
    check(nextafter(1e7, 0), "9999999.999999998"); /* largest double below 1e7: still plain */
    check(nextafter(1e-3, 0), "9.999999999999998E-4");
}

static void test_99_99_plus_ulp(void **state)
{
    (void)state;
    /* The double just above 99.99, as 100 * count / total arithmetic produces for
     * percentiles: Java writes all 16 digits, and they read back to the same double. */
    double v = nextafter(99.99, 200.0);
    assert_true(v != 99.99);
    check(v, "99.99000000000001");
    char buf[32];
    omb_java_double(v, buf, sizeof buf);
    assert_true(strtod(buf, NULL) == v);
    /* And the neighbours stay distinct. */
    check(99.99, "99.99");
    check(nextafter(99.99, 0.0), "99.98999999999998");
}

static void test_special_values(void **state)
{
    (void)state;
    check(0.0, "0.0");
    check(-0.0, "-0.0");
    check(NAN, "NaN");
    check(INFINITY, "Infinity");
    check(-INFINITY, "-Infinity");
}

/* Regression test for a bug this test found (src/util/jfmt.c, fixed in 3114657): Java's
 * Double.toString(Double.MIN_VALUE) is "4.9E-324" in every JDK (JDK 19+ spec: when one digit
 * would do, pick the closest decimal of length 1 or 2); omb wrote "5.0E-324". Same rule for
 * 2 * MIN_VALUE: JDK 19+ "9.9E-324" (JDK 17: "1.0E-323"), omb wrote "1.0E-323". Only
 * subnormals were affected. */
static void test_min_value_two_digits(void **state)
{
    (void)state;
    check(4.9E-324, "4.9E-324");
    check(2 * 4.9E-324, "9.9E-324");
}

/* Regression test for a bug this test found (src/util/jfmt.c, fixed in 3114657): at powers
 * of two the interval that reads back to the double is narrower below it than above, so the
 * correctly rounded n-digit decimal may not read back while the n-digit decimal on the other
 * side does. JDK 19+ (the header's contract: "the shortest decimal that reads back") writes
 * the latter; omb fell through to n + 1 digits. 2^-24 = 5.9604644775390625E-8 exactly: Java
 * writes "5.960464477539063E-8" (16 digits, and strtod of it is 2^-24); omb wrote
 * "5.9604644775390625E-8" (17 digits). (JDK 17's older algorithm also writes 17 digits here;
 * the header promises JDK 19+.) Only exact powers of two were affected, none of them in
 * [1e-3, 1e7). */
static void test_power_of_two_shortest(void **state)
{
    (void)state;
    check(ldexp(1.0, -24), "5.960464477539063E-8");
    check(ldexp(1.0, -44), "5.684341886080802E-14");
}

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t rng_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Checks the shape Java gives: plain "I.F" for 1e-3 <= |v| < 1e7, else "D.FFFE[-]X"; at
 * least one fraction digit; no trailing zero in the fraction unless it is the only digit. */
static void check_shape(double v, const char *s)
{
    double a = fabs(v);
    const char *p = s;
    if (*p == '-') p++;
    const char *dot = strchr(p, '.');
    const char *e = strchr(p, 'E');
    if (!dot) fail_msg("%s: no '.'", s);
    if (a >= 1e-3 && a < 1e7) {
        if (e) fail_msg("%.17g written as \"%s\": Java writes it without exponent", v, s);
    } else {
        if (!e) fail_msg("%.17g written as \"%s\": Java writes it with an exponent", v, s);
        if (dot - p != 1 || *p == '0') fail_msg("%s: mantissa must be one non-zero digit", s);
    }
    const char *end = e ? e : s + strlen(s);
    if (end - dot < 2) fail_msg("%s: no fraction digit", s);
    if (end - dot > 2 && end[-1] == '0') fail_msg("%s: trailing zero", s);
    for (const char *q = p; q < end; q++)
        if (q != dot && (*q < '0' || *q > '9')) fail_msg("%s: stray character", s);
}

static void test_round_trip_random_0_100(void **state)
{
    (void)state;
    char buf[32];
    for (int i = 0; i < 10000; i++) {
        double v = (double)(rng_u64() >> 11) / 9007199254740992.0 * 100.0; /* [0, 100) */
        omb_java_double(v, buf, sizeof buf);
        if (strtod(buf, NULL) != v) fail_msg("%.17g -> \"%s\" does not read back", v, buf);
        check_shape(v, buf);
    }
    /* Percentiles as the quantile walk produces them: 100 * k / n. */
    for (int n = 1; n <= 2000; n += 37)
        for (int k = 0; k <= n; k++) {
            double v = 100.0 * (double)k / (double)n;
            omb_java_double(v, buf, sizeof buf);
            if (strtod(buf, NULL) != v) fail_msg("%.17g -> \"%s\" does not read back", v, buf);
            if (v > 0) check_shape(v, buf);
        }
}

static void test_round_trip_any_double(void **state)
{
    (void)state;
    char buf[32]; /* the header's minimum */
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = rng_u64();
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v) || v == 0) continue;
        omb_java_double(v, buf, sizeof buf);
        if (strtod(buf, NULL) != v) fail_msg("%a -> \"%s\" does not read back", v, buf);
        check_shape(v, buf);
    }
    /* The longest outputs fit the 32-byte minimum. */
    omb_java_double(-2.2250738585072014E-308, buf, sizeof buf);
    assert_string_equal(buf, "-2.2250738585072014E-308");
}

int main(void)
{
    omb_clock_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_java_outputs),
        cmocka_unit_test(test_99_99_plus_ulp),
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_min_value_two_digits),
        cmocka_unit_test(test_power_of_two_shortest),
        cmocka_unit_test(test_round_trip_random_0_100),
        cmocka_unit_test(test_round_trip_any_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
