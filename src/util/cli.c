/* cli.c - see cli.h. */
#include "util/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Whether @p a is one of the '|'-separated spellings in @p names. */
static bool spelled(const char *names, const char *a)
{
    size_t n = strlen(a);
    for (const char *p = names; *p;) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, a, n)) return true;
        if (!end) break;
        p = end + 1;
    }
    return false;
}

int omb_cli_list_add(struct omb_cli_list *l, const char *s, bool split)
{
    for (const char *p = s;;) {
        const char *end = split ? strchr(p, ',') : NULL;
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            char **v = realloc(l->v, (l->n + 2) * sizeof *v);
            if (!v) return -1;
            l->v = v;
            if (!(l->v[l->n] = strndup(p, len))) return -1;
            l->v[++l->n] = NULL;
        }
        if (!end) return 0;
        p = end + 1;
    }
}

void omb_cli_list_free(struct omb_cli_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 99;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++) d[i][0] = i;
    for (size_t j = 0; j <= m; j++) d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *omb_cli_nearest(const char *s, const char *const *words)
{
    const char *best = NULL;
    size_t bd = 3;
    for (const char *const *w = words; *w; w++) {
        size_t d = edit_distance(s, *w);
        if (d < bd) {
            bd = d;
            best = *w;
        }
    }
    return best;
}

/* The spelling of an option nearest to @p a, for "did you mean". */
static const char *nearest_option(const struct omb_cli_opt *opts, const char *a)
{
    static char buf[64];
    const char *best = NULL;
    size_t bd = 3;
    for (const struct omb_cli_opt *o = opts; o->names; o++)
        for (const char *p = o->names; *p;) {
            const char *end = strchr(p, '|');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len < sizeof buf) {
                char w[64];
                snprintf(w, sizeof w, "%.*s", (int)len, p);
                size_t d = edit_distance(a, w);
                if (d < bd && len > 2) {
                    bd = d;
                    snprintf(buf, sizeof buf, "%s", w);
                    best = buf;
                }
            }
            if (!end) break;
            p = end + 1;
        }
    return best;
}

static int take_value(const char *cmd, const struct omb_cli_opt *o, const char *a, const char *v)
{
    switch (o->kind) {
    case OMB_CLI_NUMBER: {
        char *end;
        errno = 0;
        double x = strtod(v, &end);
        if (end == v || *end || errno || !isfinite(x) || x < o->min || x > o->max) {
            fprintf(stderr, "%s: %s needs a number from %g to %g, got '%s'\n", cmd, a, o->min,
                    o->max, v);
            return -1;
        }
        *(double *)o->dst = x;
        return 0;
    }
    case OMB_CLI_STRING:
        if (!*v) {
            fprintf(stderr, "%s: %s needs a value\n", cmd, a);
            return -1;
        }
        *(const char **)o->dst = v;
        return 0;
    case OMB_CLI_LIST:
        if (omb_cli_list_add(o->dst, v, true) != 0) {
            fprintf(stderr, "%s: out of memory\n", cmd);
            return -1;
        }
        return 0;
    case OMB_CLI_FLAG:
        break;
    }
    return -1;
}

int omb_cli_parse(const char *cmd, const struct omb_cli_opt *opts, int argc, char **argv,
                  struct omb_cli_list *positional, omb_cli_other_fn other, void *ctx)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return 1; /* the caller prints it */
        if (a[0] != '-' || !a[1]) {
            if (!positional) {
                fprintf(stderr, "%s: unexpected argument '%s' (%s --help)\n", cmd, a, cmd);
                return -1;
            }
            if (omb_cli_list_add(positional, a, false) != 0) return -1;
            continue;
        }
        /* --name=value is accepted as well as --name value. */
        char name[128];
        const char *eq = strchr(a, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        const struct omb_cli_opt *o = opts;
        while (o->names && !spelled(o->names, name)) o++;
        if (!o->names) {
            if (other && other(ctx, a)) continue;
            const char *near = nearest_option(opts, name);
            if (near)
                fprintf(stderr, "%s: unknown option '%s'; did you mean '%s'?\n", cmd, a, near);
            else
                fprintf(stderr, "%s: unknown option '%s' (--help lists them)\n", cmd, a);
            return -1;
        }
        if (o->kind == OMB_CLI_FLAG) {
            if (eq) {
                fprintf(stderr, "%s: %s takes no value\n", cmd, name);
                return -1;
            }
            *(bool *)o->dst = true;
            continue;
        }
        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v) {
            fprintf(stderr, "%s: %s needs a value\n", cmd, name);
            return -1;
        }
        if (take_value(cmd, o, name, v) != 0) return -1;
    }
    return 0;
}

void omb_cli_help(FILE *f, const struct omb_cli_opt *opts)
{
    for (const struct omb_cli_opt *o = opts; o->names; o++) {
        char left[96];
        char spell[64];
        char *q = spell;
        for (const char *p = o->names; *p && q + 3 < spell + sizeof spell; p++)
            if (*p == '|') {
                *q++ = ',';
                *q++ = ' ';
            } else {
                *q++ = *p;
            }
        *q = '\0';
        snprintf(left, sizeof left, "%s%s%s", spell, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-28s ", left);
        /* Wrapped at about 100 columns, continued under the first line's text. */
        const char *h = o->help;
        while (strlen(h) > 70) {
            const char *cut = h + 70;
            while (cut > h && *cut != ' ') cut--;
            if (cut == h) break;
            fprintf(f, "%.*s\n  %-28s ", (int)(cut - h), h, "");
            h = cut + 1;
        }
        fprintf(f, "%s\n", h);
    }
}
