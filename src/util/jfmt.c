/* jfmt.c - see jfmt.h. */
#include "util/jfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds @p delta (+1/-1) to the last mantissa digit of "[-]d.ddde..." in place, carrying;
 * returns 0 when that would change the digit count (then the caller skips it). */
static int bump_last_digit(char *e, int delta)
{
    char *end = strchr(e, 'e');
    if (!end) return 0;
    for (char *p = end - 1; p >= e; p--) {
        if (*p == '.') continue;
        if (*p < '0' || *p > '9') return 0;
        int d = *p - '0' + delta;
        if (d >= 0 && d <= 9) {
            *p = (char)('0' + d);
            return !(p == e || (p == e + 1 && e[0] == '-')) || d != 0;
        }
        *p = delta > 0 ? '0' : '9';
    }
    return 0;
}

char *omb_java_double(double v, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "NaN");
        return buf;
    }
    if (isinf(v)) {
        snprintf(buf, n, v > 0 ? "Infinity" : "-Infinity");
        return buf;
    }
    if (v == 0) {
        snprintf(buf, n, signbit(v) ? "-0.0" : "0.0");
        return buf;
    }
    /* The shortest digit string (two digits at least, as Java always writes "d.d") that
     * reads back to v. printf rounds the exact binary value half-to-even, which can land on
     * a neighbour that does not read back while the adjacent string does: try both. */
    char e[40];
    for (int prec = 1; prec <= 16; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v) break;
        if (bump_last_digit(e, +1) && strtod(e, NULL) == v) break;
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (bump_last_digit(e, -1) && strtod(e, NULL) == v) break;
        snprintf(e, sizeof e, "%.*e", prec, v);
    }
    /* e = [-]d[.ddd]e[+-]XX */
    const char *p = e;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    char digits[24];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = '\0';

    char out[64];
    size_t o = 0;
    if (neg) out[o++] = '-';
    double a = fabs(v);
    if (a >= 1e-3 && a < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++) out[o++] = (size_t)i < nd ? digits[i] : '0';
            out[o++] = '.';
            if ((size_t)exp10 + 1 < nd)
                for (size_t i = (size_t)exp10 + 1; i < nd; i++) out[o++] = digits[i];
            else
                out[o++] = '0';
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++) out[o++] = '0';
            for (size_t i = 0; i < nd; i++) out[o++] = digits[i];
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        out[o++] = '.';
        if (nd > 1)
            for (size_t i = 1; i < nd; i++) out[o++] = digits[i];
        else
            out[o++] = '0';
        snprintf(out + o, sizeof out - o, "E%d", exp10);
    }
    snprintf(buf, n, "%s", out);
    return buf;
}
