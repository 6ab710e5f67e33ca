/* generate.c - `omb generate -t TEMPLATE.yaml -o DIR`: OMB's WorkloadGenerationTool. A
 * template holds workload keys whose values may be lists; every combination becomes one
 * workload file, named from `nameFormat` (SPEC section 9).
 *
 * Choices (docs/tools.md):
 * - Any workload key may be a list (OMB allows lists for seven keys only); a single value
 *   is a list of one. Combinations vary the last list-valued key fastest.
 * - Counts in names as OMB writes them (integer division): 10000 -> "10k", 1024 -> "1k",
 *   1500 -> "1k", 1500000 -> "1m", so OMB's file names come out unchanged. Rates of
 *   10,000,000 msg/s and more are "max-rate", as in OMB. A name given to two combinations
 *   (1000 and 1500 both "1k") is an error naming both, not an overwrite.
 * - ${key} in nameFormat must name a workload key (OMB leaves unknown ones as written).
 * - testDurationMinutes defaults to 5, as in OMB's template, and is written out.
 * - Every workload is checked with the same loader `omb run` uses before anything is
 *   written; an error names the template's line and key. Files appear all together
 *   (temporary files, then renames) or not at all.
 * - payloadFile is copied as written. The loader resolves it relative to the workload file,
 *   then the working directory; when it is not found there from DIR or from here, or its
 *   size differs from messageSize, a warning says so (OMB's own template has both).
 */
#include "tools/tools.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/schema.h"
#include "config/workload.h"
#include "config/yamldoc.h"
#include "util/atomic_file.h"
#include "util/cli.h"

#define EXIT_BAD_INPUT   2
#define MAX_COMBINATIONS 100000
#define MAX_NAME         200 /* bytes; the file name adds ".yaml" */
#define OMB_MAX_RATE     10000000.0

static const char default_name_format[] =
    "${topics}-topics-${partitionsPerTopic}-partitions-${messageSize}b-${producersPerTopic}p-"
    "${consumerPerSubscription}c-${producerRate}";

enum name_fmt { N_COUNT, N_RATE, N_TEXT };

struct tkey {
    const char *key;
    enum name_fmt fmt;
    const char *def; /* value in names when the template leaves it out; NULL: required */
};

/* The workload keys (SPEC section 3) and how nameFormat shows them, as OMB does. */
static const struct tkey tkeys[] = {
    {"topics", N_COUNT, NULL},
    {"partitionsPerTopic", N_COUNT, "1"},
    {"keyDistributor", N_TEXT, "NO_KEY"},
    {"messageSize", N_COUNT, NULL},
    {"payloadFile", N_TEXT, ""},
    {"useRandomizedPayloads", N_TEXT, "false"},
    {"randomBytesRatio", N_TEXT, "0.0"},
    {"randomizedPayloadPoolSize", N_COUNT, "0"},
    {"subscriptionsPerTopic", N_COUNT, "1"},
    {"producersPerTopic", N_COUNT, "1"},
    {"consumerPerSubscription", N_COUNT, "1"},
    {"producerRate", N_RATE, NULL},
    {"consumerBacklogSizeGB", N_COUNT, "0"},
    {"backlogDrainRatio", N_TEXT, "1.0"},
    {"testDurationMinutes", N_TEXT, "5"},
    {"warmupDurationMinutes", N_TEXT, "1"},
};
#define NTKEYS (sizeof tkeys / sizeof tkeys[0])

/* One template key in file order: its values (one scalar node each). */
struct tval {
    size_t key; /* index in tkeys */
    const struct omb_yaml_node *keynode;
    const struct omb_yaml_node **items;
    size_t n;
};

struct gen {
    const char *template_path;
    const char *dir;
    const char *name_format;
    int name_format_line; /* 0: the default */
    struct tval vals[NTKEYS];
    size_t nvals;
    size_t cur[NTKEYS]; /* the current combination: an item index per vals[] */
    char err[2048];
};

static size_t tkey_index(const char *key)
{
    for (size_t i = 0; i < NTKEYS; i++)
        if (!strcmp(tkeys[i].key, key)) return i;
    return NTKEYS;
}

static const struct tval *find_val(const struct gen *g, size_t key, size_t *pos)
{
    for (size_t i = 0; i < g->nvals; i++)
        if (g->vals[i].key == key) {
            if (pos) *pos = i;
            return &g->vals[i];
        }
    return NULL;
}

static const struct omb_yaml_node *current(const struct gen *g, size_t key)
{
    size_t pos;
    const struct tval *v = find_val(g, key, &pos);
    return v ? v->items[g->cur[pos]] : NULL;
}

/* ---- the template ------------------------------------------------------------------- */

static const char *kind_word(const struct omb_yaml_node *n)
{
    return n->kind == OMB_YAML_MAP ? "a map" : n->kind == OMB_YAML_SEQ ? "a list" : "a value";
}

static int read_template(struct gen *g, const struct omb_yaml_doc *doc)
{
    const char *src = g->template_path;
    const struct omb_yaml_node *root = doc->root;
    if (omb_yaml_is_null(root)) {
        snprintf(g->err, sizeof g->err, "%s: the template is empty", src);
        return -1;
    }
    if (root->kind != OMB_YAML_MAP) {
        snprintf(g->err, sizeof g->err,
                 "%s line %d: a template must be a map of 'key: value' lines, not %s", src,
                 root->line, kind_word(root));
        return -1;
    }
    const char *names[NTKEYS + 1];
    names[0] = "nameFormat";
    for (size_t i = 0; i < NTKEYS; i++) names[i + 1] = tkeys[i].key;

    for (size_t i = 0; i < root->n; i++) {
        const struct omb_yaml_node *k = root->keys[i], *v = root->values[i];
        char shown[80];
        omb_yaml_quote(shown, sizeof shown, k->scalar);
        if (!strcmp(k->scalar, "nameFormat")) {
            if (v->kind != OMB_YAML_SCALAR || omb_yaml_is_null(v)) {
                snprintf(g->err, sizeof g->err,
                         "%s line %d: 'nameFormat' must be a text such as \"%s\"", src, k->line,
                         default_name_format);
                return -1;
            }
            g->name_format = v->scalar;
            g->name_format_line = k->line;
            continue;
        }
        size_t ti = tkey_index(k->scalar);
        if (ti == NTKEYS) {
            if (!strcmp(k->scalar, "name")) {
                snprintf(g->err, sizeof g->err,
                         "%s line %d: 'name' is not a template key: each workload's name comes "
                         "from 'nameFormat'",
                         src, k->line);
                return -1;
            }
            const char *near = omb_schema_closest(k->scalar, names, NTKEYS + 1);
            if (near)
                snprintf(g->err, sizeof g->err, "%s line %d: unknown key %s; did you mean '%s'?",
                         src, k->line, shown, near);
            else
                snprintf(g->err, sizeof g->err,
                         "%s line %d: unknown key %s (the template takes nameFormat and the "
                         "workload keys: topics, partitionsPerTopic, messageSize, ...)",
                         src, k->line, shown);
            return -1;
        }
        if (omb_yaml_is_null(v)) continue; /* `key:` = the default, as in a workload */
        struct tval *tv = &g->vals[g->nvals];
        tv->key = ti;
        tv->keynode = k;
        if (v->kind == OMB_YAML_MAP) {
            snprintf(g->err, sizeof g->err,
                     "%s line %d: '%s' must be a value or a list of values, not a map", src,
                     v->line, k->scalar);
            return -1;
        }
        if (v->kind == OMB_YAML_SCALAR) {
            tv->items = malloc(sizeof *tv->items);
            if (!tv->items) goto oom;
            tv->items[0] = v;
            tv->n = 1;
        } else {
            if (v->n == 0) {
                snprintf(g->err, sizeof g->err,
                         "%s line %d: '%s' is an empty list, which gives no workload", src, v->line,
                         k->scalar);
                return -1;
            }
            tv->items = malloc(v->n * sizeof *tv->items);
            if (!tv->items) goto oom;
            tv->n = v->n;
            for (size_t j = 0; j < v->n; j++) {
                const struct omb_yaml_node *it = v->values[j];
                if (it->kind != OMB_YAML_SCALAR || omb_yaml_is_null(it)) {
                    snprintf(g->err, sizeof g->err,
                             "%s line %d: item %zu of '%s' must be a value, not %s", src, it->line,
                             j + 1, k->scalar,
                             it->kind == OMB_YAML_SCALAR ? "empty" : kind_word(it));
                    g->nvals++; /* so its items are freed */
                    return -1;
                }
                tv->items[j] = it;
            }
        }
        g->nvals++;
    }
    for (size_t i = 0; i < NTKEYS; i++)
        if (!tkeys[i].def && !find_val(g, i, NULL)) {
            snprintf(g->err, sizeof g->err,
                     "%s: missing '%s' (every workload needs it; give a value or a list)", src,
                     tkeys[i].key);
            return -1;
        }
    if (!g->name_format) g->name_format = default_name_format;
    return 0;
oom:
    snprintf(g->err, sizeof g->err, "%s: out of memory", src);
    return -1;
}

/* Checks the ${key} references of nameFormat. */
static int check_name_format(struct gen *g)
{
    const char *names[NTKEYS];
    for (size_t i = 0; i < NTKEYS; i++) names[i] = tkeys[i].key;
    char at[64] = "";
    if (g->name_format_line) snprintf(at, sizeof at, " line %d", g->name_format_line);
    for (const char *p = g->name_format; (p = strstr(p, "${"));) {
        const char *end = strchr(p + 2, '}');
        if (!end) {
            snprintf(g->err, sizeof g->err, "%s%s: 'nameFormat' has a '${' without its '}'",
                     g->template_path, at);
            return -1;
        }
        char var[128];
        snprintf(var, sizeof var, "%.*s", (int)(end - p - 2), p + 2);
        if (tkey_index(var) == NTKEYS) {
            char shown[80];
            omb_yaml_quote(shown, sizeof shown, var);
            const char *near = omb_schema_closest(var, names, NTKEYS);
            int n = snprintf(g->err, sizeof g->err,
                             "%s%s: 'nameFormat' uses %s, which is not a workload key",
                             g->template_path, at, shown);
            if (near && n > 0 && (size_t)n < sizeof g->err)
                snprintf(g->err + n, sizeof g->err - (size_t)n, "; did you mean '${%s}'?", near);
            return -1;
        }
        p = end + 1;
    }
    return 0;
}

/* ---- names --------------------------------------------------------------------------- */

/* A number written in the template, when it is one. */
static bool scalar_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(d)) return false;
    *out = d;
    return true;
}

/* OMB's countToDisplaySize: integer division by the largest unit that fits, the rest
 * dropped, as OMB names files: 1024 -> "1k", 1500 -> "1k", 1500000 -> "1m", 999 -> "999".
 * A value that is not a whole number >= 0 is written as it is. */
static void count_text(const char *raw, char *buf, size_t n)
{
    double d;
    if (!scalar_number(raw, &d) || d != floor(d) || d < 0 || d >= 9e18) {
        snprintf(buf, n, "%s", raw);
        return;
    }
    uint64_t v = (uint64_t)d;
    static const struct {
        uint64_t unit;
        char suffix;
    } units[] = {{1000000000ULL, 'g'}, {1000000ULL, 'm'}, {1000ULL, 'k'}};
    for (size_t i = 0; i < 3; i++) {
        if (v / units[i].unit == 0) continue;
        snprintf(buf, n, "%" PRIu64 "%c", v / units[i].unit, units[i].suffix);
        return;
    }
    snprintf(buf, n, "%" PRIu64, v);
}

static void var_text(const struct gen *g, size_t key, char *buf, size_t n)
{
    const struct omb_yaml_node *v = current(g, key);
    const char *raw = v ? v->scalar : tkeys[key].def;
    double d;
    switch (tkeys[key].fmt) {
    case N_RATE:
        if (scalar_number(raw, &d) && d >= OMB_MAX_RATE) {
            snprintf(buf, n, "max-rate");
            return;
        }
        count_text(raw, buf, n);
        return;
    case N_COUNT:
        count_text(raw, buf, n);
        return;
    case N_TEXT:
        snprintf(buf, n, "%s", raw);
        return;
    }
}

/* The current combination's name (nameFormat already checked). */
static char *make_name(const struct gen *g)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return NULL;
    for (const char *p = g->name_format; *p;) {
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            char var[128], val[256];
            snprintf(var, sizeof var, "%.*s", (int)(end - p - 2), p + 2);
            var_text(g, tkey_index(var), val, sizeof val);
            fputs(val, f);
            p = end + 1;
        } else {
            fputc(*p++, f);
        }
    }
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static bool usable_file_name(const char *s)
{
    if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > MAX_NAME) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '/' || *p < 0x20 || *p == 0x7f) return false;
    return true;
}

/* ---- the workload file --------------------------------------------------------------- */

static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_scalar(FILE *f, const struct omb_yaml_node *v)
{
    if (v->plain)
        fputs(v->scalar, f);
    else
        put_quoted(f, v->scalar);
}

/*
 * The workload text of the current combination. @p for_check: payloadFile becomes a
 * comment (the line count stays), since its file is checked on its own (see top).
 * @p line_key[i] is the vals[] index written on line i + 1 (SIZE_MAX: no key).
 */
static char *workload_text(const struct gen *g, const char *name, size_t index, size_t total,
                           bool for_check, size_t *line_key, size_t nlines)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) return NULL;
    const char *base = strrchr(g->template_path, '/');
    fputs("# Made by omb generate from ", f);
    fputs(base ? base + 1 : g->template_path, f);
    fprintf(f, " (workload %zu of %zu)\n", index + 1, total);
    fputs("name: ", f);
    put_quoted(f, name);
    fputc('\n', f);
    for (size_t i = 0; i < nlines; i++) line_key[i] = SIZE_MAX;
    int line = 3;
    for (size_t i = 0; i < g->nvals; i++, line++) {
        const struct tval *tv = &g->vals[i];
        const char *key = tkeys[tv->key].key;
        if ((size_t)line - 1 < nlines) line_key[line - 1] = i;
        if (for_check && !strcmp(key, "payloadFile")) {
            fputs("# payloadFile is checked on its own\n", f);
            continue;
        }
        fprintf(f, "%s: ", key);
        put_scalar(f, tv->items[g->cur[i]]);
        fputc('\n', f);
    }
    /* OMB's template default, written so the file is complete on its own. */
    if (!find_val(g, tkey_index("testDurationMinutes"), NULL))
        fprintf(f, "testDurationMinutes: %s\n", tkeys[tkey_index("testDurationMinutes")].def);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The loader's "TMP line N: msg" becomes "TEMPLATE line L (workload 'NAME'): msg". */
static void map_error(struct gen *g, const char *tmp, const char *lerr, const size_t *line_key,
                      size_t nlines, const char *name)
{
    size_t tl = strlen(tmp);
    int line = 0, used = 0;
    const char *msg = lerr;
    if (!strncmp(lerr, tmp, tl)) {
        msg = lerr + tl;
        if (sscanf(msg, " line %d: %n", &line, &used) == 1 && used > 0) {
            msg += used;
        } else {
            line = 0;
            if (!strncmp(msg, ": ", 2)) msg += 2;
        }
    }
    if (line == 2) {
        snprintf(g->err, sizeof g->err, "%s: the name '%s' made by 'nameFormat' is refused: %s",
                 g->template_path, name, msg);
        return;
    }
    if (line >= 1 && (size_t)line <= nlines && line_key[line - 1] != SIZE_MAX) {
        const struct tval *tv = &g->vals[line_key[line - 1]];
        const struct omb_yaml_node *item = tv->items[g->cur[line_key[line - 1]]];
        snprintf(g->err, sizeof g->err, "%s line %d (workload '%s'): %s", g->template_path,
                 item->line, name, msg);
        return;
    }
    snprintf(g->err, sizeof g->err, "%s (workload '%s'): %s", g->template_path, name, msg);
}

/* Checks the current combination with the loader `omb run` uses. Returns 0, -1 (the
 * template's error, in g->err) or -2 (cannot write the check file). */
static int check_workload(struct gen *g, const char *name, const char *text, const size_t *line_key,
                          size_t nlines)
{
    char path[4096], tmp[4096], lerr[1024];
    snprintf(path, sizeof path, "%s/%s.yaml", g->dir, name);
    if (omb_write_file_temp(path, NULL, text, strlen(text), tmp, sizeof tmp, g->err,
                            sizeof g->err) != 0)
        return -2; /* cannot write: not the template's fault */
    struct omb_workload w;
    int rc = omb_workload_load(tmp, &w, lerr, sizeof lerr);
    unlink(tmp);
    if (rc != 0) {
        map_error(g, tmp, lerr, line_key, nlines, name);
        return -1;
    }
    omb_workload_free(&w);
    return 0;
}

/* ---- payloadFile ---------------------------------------------------------------------- */

struct payload_note {
    const char *file;
    const char *size; /* messageSize as written */
};

/* Warns (once per payloadFile and messageSize) when `omb run` would not accept it. */
static void check_payload(const struct gen *g, struct payload_note *seen, size_t *nseen)
{
    const struct omb_yaml_node *pf = current(g, tkey_index("payloadFile"));
    const struct omb_yaml_node *ms = current(g, tkey_index("messageSize"));
    const struct omb_yaml_node *rnd = current(g, tkey_index("useRandomizedPayloads"));
    if (!pf || !ms) return;
    if (rnd && (!strcmp(rnd->scalar, "true") || !strcmp(rnd->scalar, "True") ||
                !strcmp(rnd->scalar, "TRUE")))
        return; /* the file is not used */
    for (size_t i = 0; i < *nseen; i++)
        if (!strcmp(seen[i].file, pf->scalar) && !strcmp(seen[i].size, ms->scalar)) return;
    seen[*nseen].file = pf->scalar;
    seen[*nseen].size = ms->scalar;
    bool first_for_file = true;
    for (size_t i = 0; i < *nseen; i++)
        if (!strcmp(seen[i].file, pf->scalar)) first_for_file = false;
    (*nseen)++;

    char shown[80], cand[2][4096];
    omb_yaml_quote(shown, sizeof shown, pf->scalar);
    size_t nc = 0;
    if (pf->scalar[0] == '/') {
        snprintf(cand[nc++], sizeof cand[0], "%s", pf->scalar);
    } else {
        snprintf(cand[nc++], sizeof cand[0], "%s/%s", g->dir, pf->scalar);
        snprintf(cand[nc++], sizeof cand[0], "%s", pf->scalar);
    }
    for (size_t i = 0; i < nc; i++) {
        struct stat st;
        if (stat(cand[i], &st) != 0 || !S_ISREG(st.st_mode)) continue;
        double size;
        if (scalar_number(ms->scalar, &size) && (double)st.st_size != size)
            fprintf(stderr,
                    "omb generate: warning: %s line %d: payloadFile %s (%s) is %lld bytes but "
                    "messageSize is %s; omb run refuses such workloads until they agree\n",
                    g->template_path, pf->line, shown, cand[i], (long long)st.st_size, ms->scalar);
        return;
    }
    if (!first_for_file) return;
    fprintf(stderr,
            "omb generate: warning: %s line %d: payloadFile %s is not found from %s or from the "
            "working directory; omb run looks for it next to the workload file, then in the "
            "working directory it runs in\n",
            g->template_path, pf->line, shown, g->dir);
}

/* ---- the command ---------------------------------------------------------------------- */

static int mkdir_p(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create output directory '%.1000s': %s", path,
                     strerror(errno));
            return -1;
        }
        *p = c;
        if (!c) break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "output '%s' exists and is not a directory", dir);
        return -1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: omb generate -t TEMPLATE.yaml -o DIR\n"
            "  -t, --template-file F   a workload template: workload keys whose values may\n"
            "                          be lists, and nameFormat (default:\n"
            "                          %s)\n"
            "  -o, --output-folder D   where the workload files go (created if missing)\n"
            "  Writes one workload file per combination of the listed values, named\n"
            "  <name>.yaml, and prints their paths.\n",
            default_name_format);
}

struct made {
    size_t index; /* the combination */
    char *name;
    char *text;
    char tmp[4096];
};

/* Two combinations got one name: say which keys tell them apart. */
static void same_name_error(struct gen *g, const struct made *a, const struct made *b)
{
    char keys[512] = "", vars[512] = "";
    size_t ra = a->index, rb = b->index, kl = 0, vl = 0;
    bool all_shown = true; /* every key that differs is in nameFormat already */
    for (size_t i = g->nvals; i-- > 0;) {
        size_t n = g->vals[i].n, ia = ra % n, ib = rb % n;
        ra /= n;
        rb /= n;
        if (ia == ib) continue;
        const char *k = tkeys[g->vals[i].key].key;
        char var[80];
        snprintf(var, sizeof var, "${%s}", k);
        if (!strstr(g->name_format, var)) all_shown = false;
        int w = snprintf(keys + kl, sizeof keys - kl, "%s'%s'", kl ? ", " : "", k);
        if (w > 0 && (size_t)w < sizeof keys - kl) kl += (size_t)w;
        w = snprintf(vars + vl, sizeof vars - vl, "%s${%s}", vl ? ", " : "", k);
        if (w > 0 && (size_t)w < sizeof vars - vl) vl += (size_t)w;
    }
    char at[32] = "";
    if (g->name_format_line) snprintf(at, sizeof at, " line %d", g->name_format_line);
    if (all_shown)
        snprintf(g->err, sizeof g->err,
                 "%s%s: 'nameFormat' gives the same name '%s' to workloads that differ in %s: "
                 "names show counts as OMB does, rounded down to k, m, g (1500 -> 1k); choose "
                 "values that differ once rounded",
                 g->template_path, at, a->name, keys);
    else
        snprintf(g->err, sizeof g->err,
                 "%s%s: 'nameFormat' gives the same name '%s' to workloads that differ in %s; "
                 "add %s to nameFormat",
                 g->template_path, at, a->name, keys, vars);
}

static int cmp_made(const void *a, const void *b)
{
    const struct made *x = *(struct made *const *)a, *y = *(struct made *const *)b;
    return strcmp(x->name, y->name);
}

/* Returns -1 to go on, or the exit code (help printed: 0; a bad command line: 2). */
static int parse_args(int argc, char **argv, struct gen *g)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    const struct omb_cli_opt opts[] = {
        {"-t|--template-file", OMB_CLI_STRING, &g->template_path, 0, 0, "F", "a workload template"},
        {"-o|--output-folder", OMB_CLI_STRING, &g->dir, 0, 0, "D",
         "where the workload files go (created if missing)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    if (omb_cli_parse("omb generate", opts, argc, argv, NULL, NULL, NULL) != 0)
        return EXIT_BAD_INPUT;
    if (!g->template_path || !g->dir) {
        fprintf(stderr, "omb generate: %s\n",
                !g->template_path ? "-t TEMPLATE.yaml is required" : "-o DIR is required");
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    return -1;
}

int omb_tool_generate_main(int argc, char **argv)
{
    struct gen g = {0};
    int prc = parse_args(argc, argv, &g);
    if (prc >= 0) return prc;

    int rc = EXIT_BAD_INPUT;
    struct made *made = NULL;
    struct made **sorted = NULL;
    struct payload_note *notes = NULL;
    size_t total = 1, nmade = 0, nnotes = 0;
    struct omb_yaml_doc *doc = omb_yaml_load_file(g.template_path, g.err, sizeof g.err);
    if (!doc || read_template(&g, doc) != 0 || check_name_format(&g) != 0) goto fail;
    for (size_t i = 0; i < g.nvals; i++) {
        if (total > MAX_COMBINATIONS / g.vals[i].n) {
            snprintf(g.err, sizeof g.err,
                     "%s: the lists give more than %d combinations; split the template",
                     g.template_path, MAX_COMBINATIONS);
            goto fail;
        }
        total *= g.vals[i].n;
    }
    if (mkdir_p(g.dir, g.err, sizeof g.err) != 0) goto fail;
    made = calloc(total, sizeof *made);
    sorted = calloc(total, sizeof *sorted);
    notes = calloc(total, sizeof *notes);
    if (!made || !sorted || !notes) goto oom;

    /* 1. Names and checks, nothing written. */
    size_t line_key[NTKEYS + 8];
    for (size_t c = 0; c < total; c++) {
        size_t r = c; /* the last key varies fastest */
        for (size_t i = g.nvals; i-- > 0;) {
            g.cur[i] = r % g.vals[i].n;
            r /= g.vals[i].n;
        }
        struct made *m = &made[c];
        m->index = c;
        if (!(m->name = make_name(&g))) goto oom;
        nmade = c + 1;
        if (!usable_file_name(m->name)) {
            char shown[80];
            omb_yaml_quote(shown, sizeof shown, m->name);
            char at[32] = "";
            if (g.name_format_line) snprintf(at, sizeof at, " line %d", g.name_format_line);
            snprintf(g.err, sizeof g.err,
                     "%s%s: 'nameFormat' gives the name %s, which cannot be a file name "
                     "(empty, '/', control characters or over %d bytes)",
                     g.template_path, at, shown, MAX_NAME);
            goto fail;
        }
        char *check = workload_text(&g, m->name, c, total, true, line_key,
                                    sizeof line_key / sizeof line_key[0]);
        m->text = workload_text(&g, m->name, c, total, false, line_key,
                                sizeof line_key / sizeof line_key[0]);
        if (!check || !m->text) {
            free(check);
            goto oom;
        }
        int bad =
            check_workload(&g, m->name, check, line_key, sizeof line_key / sizeof line_key[0]);
        free(check);
        if (bad) {
            if (bad == -2) rc = 1;
            goto fail;
        }
        check_payload(&g, notes, &nnotes);
        sorted[c] = m;
    }
    qsort(sorted, total, sizeof *sorted, cmp_made);
    for (size_t i = 1; i < total; i++)
        if (!strcmp(sorted[i - 1]->name, sorted[i]->name)) {
            same_name_error(&g, sorted[i - 1], sorted[i]);
            goto fail;
        }

    /* 2. Every file to a temporary name, then all renamed. */
    for (size_t c = 0; c < total; c++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.yaml", g.dir, made[c].name);
        if (omb_write_file_temp(path, NULL, made[c].text, strlen(made[c].text), made[c].tmp,
                                sizeof made[c].tmp, g.err, sizeof g.err) != 0) {
            rc = 1;
            goto fail;
        }
    }
    for (size_t c = 0; c < total; c++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.yaml", g.dir, made[c].name);
        if (rename(made[c].tmp, path) != 0) {
            snprintf(g.err, sizeof g.err, "cannot write '%.1500s': %s", path, strerror(errno));
            rc = 1;
            goto fail;
        }
        made[c].tmp[0] = '\0';
        printf("%s\n", path);
    }
    fflush(stdout);
    fprintf(stderr, "omb generate: wrote %zu workload file(s) to %s\n", total, g.dir);
    rc = 0;
    goto out;
oom:
    snprintf(g.err, sizeof g.err, "%s: out of memory", g.template_path);
    rc = 1;
fail:
    fprintf(stderr, "omb generate: %s\n", g.err);
out:
    for (size_t c = 0; c < nmade; c++) {
        if (made[c].tmp[0]) unlink(made[c].tmp);
        free(made[c].name);
        free(made[c].text);
    }
    free(made);
    free(sorted);
    free(notes);
    for (size_t i = 0; i < g.nvals; i++) free(g.vals[i].items);
    omb_yaml_free(doc);
    return rc;
}
