/* result_file.c - loads a result JSON (omb's or Java OMB's), with omb's sidecar when there
 * is one, for the tools and checks the types of the keys they read, so csv and charts never
 * meet a surprise later. */
#include "tools/result_file.h"

#include "coordinator/result.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum kind { K_STRING, K_NUMBER, K_SERIES, K_QUANTILES };

/* Families of OMB's keys: prefix + each suffix. */
static const char *const lat_suffixes[] = {"Avg",   "50pct",  "75pct",   "95pct",
                                           "99pct", "999pct", "9999pct", "Max"};
#define NSUFFIX (sizeof lat_suffixes / sizeof lat_suffixes[0])

struct family {
    const char *prefix;
    enum kind kind;
    bool omb_own; /* OMB's TestResult key (false: omb's addition) */
    bool latency; /* prefix + each of lat_suffixes, else the prefix alone */
};

static const struct family families[] = {
    {"workload", K_STRING, true, false},
    {"driver", K_STRING, true, false},
    {"messageSize", K_NUMBER, true, false},
    {"topics", K_NUMBER, true, false},
    {"partitions", K_NUMBER, true, false},
    {"producersPerTopic", K_NUMBER, true, false},
    {"consumersPerTopic", K_NUMBER, true, false},
    {"publishRate", K_SERIES, true, false},
    {"publishErrorRate", K_SERIES, true, false},
    {"consumeRate", K_SERIES, true, false},
    {"backlog", K_SERIES, true, false},
    {"publishLatency", K_SERIES, true, true},
    {"publishDelayLatency", K_SERIES, true, true},
    {"endToEndLatency", K_SERIES, true, true},
    {"aggregatedPublishLatency", K_NUMBER, true, true},
    {"aggregatedPublishDelayLatency", K_NUMBER, true, true},
    {"aggregatedEndToEndLatency", K_NUMBER, true, true},
    {"aggregatedPublishLatencyQuantiles", K_QUANTILES, true, false},
    {"aggregatedPublishDelayLatencyQuantiles", K_QUANTILES, true, false},
    {"aggregatedEndToEndLatencyQuantiles", K_QUANTILES, true, false},
    /* omb's additions that the tools read */
    {"publishByteRate", K_SERIES, false, false},
    {"consumeByteRate", K_SERIES, false, false},
    {"periodSeconds", K_SERIES, false, false},
    {"totalMessagesSent", K_NUMBER, false, false},
    {"totalMessagesReceived", K_NUMBER, false, false},
    {"totalMessageSendErrors", K_NUMBER, false, false},
    {"targetRate", K_SERIES, false, false},
};

static const char *type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* Java (Jackson) writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity". */
static bool java_nonfinite(const json_t *v, double *out)
{
    if (!json_is_string(v)) return false;
    const char *s = json_string_value(v);
    if (!strcmp(s, "NaN"))
        *out = NAN;
    else if (!strcmp(s, "Infinity"))
        *out = INFINITY;
    else if (!strcmp(s, "-Infinity"))
        *out = -INFINITY;
    else
        return false;
    return true;
}

/* A number, or a gap (null, Java's NaN strings) as NaN. False for anything else. */
static bool as_number(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (json_is_null(v)) {
        *out = NAN;
        return true;
    }
    return java_nonfinite(v, out);
}

/* A quantile map's key as a percentile in [0, 100]. */
static bool parse_percentile(const char *s, double *out)
{
    char *end;
    errno = 0;
    double p = strtod(s, &end);
    if (end == s || *end || errno || !(p >= 0 && p <= 100)) return false;
    *out = p;
    return true;
}

static int check_key(const char *path, const char *key, enum kind kind, const json_t *v, char *err,
                     size_t errlen)
{
    double d;
    switch (kind) {
    case K_STRING:
        if (json_is_string(v) || json_is_null(v)) return 0;
        snprintf(err, errlen, "%s: '%s' must be a string, got %s", path, key, type_word(v));
        return -1;
    case K_NUMBER:
        if (as_number(v, &d)) return 0;
        snprintf(err, errlen, "%s: '%s' must be a number, got %s", path, key, type_word(v));
        return -1;
    case K_SERIES: {
        if (json_is_null(v)) return 0;
        if (!json_is_array(v)) {
            snprintf(err, errlen, "%s: '%s' must be an array of numbers (one per period), got %s",
                     path, key, type_word(v));
            return -1;
        }
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!as_number(e, &d)) {
                snprintf(err, errlen, "%s: element %zu of '%s' is %s, not a number", path, i + 1,
                         key, type_word(e));
                return -1;
            }
        }
        return 0;
    }
    case K_QUANTILES: {
        if (json_is_null(v)) return 0;
        if (!json_is_object(v)) {
            snprintf(err, errlen, "%s: '%s' must be an object of percentile -> value, got %s", path,
                     key, type_word(v));
            return -1;
        }
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            if (!parse_percentile(k, &d)) {
                snprintf(err, errlen, "%s: '%s' has the key '%.40s', which is not a percentile",
                         path, key, k);
                return -1;
            }
            if (!as_number(e, &d)) {
                snprintf(err, errlen, "%s: '%s' maps \"%.40s\" to %s, not a number", path, key, k,
                         type_word(e));
                return -1;
            }
        }
        return 0;
    }
    }
    return 0;
}

/* Appends @p s to rf->missing, comma-separated, cut with "..." when full. */
static void note_missing(struct omb_result_file *rf, const char *s)
{
    size_t len = strlen(rf->missing), cap = sizeof rf->missing;
    if (len + 8 >= cap) return; /* already cut */
    int n = snprintf(rf->missing + len, cap - len, "%s%s", len ? ", " : "", s);
    if (n < 0 || (size_t)n >= cap - len - 5) snprintf(rf->missing + len, cap - len, ", ...");
}

void omb_result_file_free(struct omb_result_file *rf)
{
    if (!rf) return;
    json_decref(rf->json);
    free(rf->path);
    free(rf->sidecar);
    free(rf);
}

int omb_result_file_load(const char *path, struct omb_result_file **out, char *err, size_t errlen)
{
    *out = NULL;
    json_t *side = NULL; /* the sidecar, while its keys are checked */
    struct omb_result_file *rf = calloc(1, sizeof *rf);
    if (!rf || !(rf->path = strdup(path))) {
        free(rf);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    const char *slash = strrchr(rf->path, '/');
    rf->base = slash ? slash + 1 : rf->path;

    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        struct stat st;
        if (stat(path, &st) != 0)
            snprintf(err, errlen, "cannot read result file '%s': %s", path, strerror(errno));
        else if (je.line > 0)
            snprintf(err, errlen, "%s line %d: not valid JSON: %s", path, je.line, je.text);
        else
            snprintf(err, errlen, "%s: not valid JSON: %s", path, je.text);
        goto fail;
    }
    rf->json = root;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s is not an OMB result: its top level is %s, not an object", path,
                 type_word(root));
        goto fail;
    }
    /* omb's sidecar (X.json -> X.omb): its keys are added to the result's, which win. */
    char side_path[4096];
    omb_result_sidecar_path(path, side_path, sizeof side_path);
    struct stat sst;
    if (stat(side_path, &sst) == 0) {
        side = json_load_file(side_path, JSON_REJECT_DUPLICATES, &je);
        if (!side) {
            if (je.line > 0)
                snprintf(err, errlen, "%s line %d (the sidecar of %s): not valid JSON: %s",
                         side_path, je.line, path, je.text);
            else
                snprintf(err, errlen, "%s (the sidecar of %s): %s", side_path, path, je.text);
            goto fail;
        }
        if (!json_is_object(side)) {
            snprintf(err, errlen, "%s (the sidecar of %s): its top level is %s, not an object",
                     side_path, path, type_word(side));
            goto fail;
        }
        if (!(rf->sidecar = strdup(side_path)) || json_object_update_missing(root, side) != 0) {
            snprintf(err, errlen, "%s: out of memory", path);
            goto fail;
        }
    }

    size_t own_present = 0;
    char key[96];
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        const struct family *fam = &families[f];
        size_t nk = fam->latency ? NSUFFIX : 1, absent = 0;
        for (size_t s = 0; s < nk; s++) {
            snprintf(key, sizeof key, "%s%s", fam->prefix, fam->latency ? lat_suffixes[s] : "");
            const json_t *v = json_object_get(root, key);
            if (!v) {
                absent++;
                continue;
            }
            if (fam->omb_own && (!side || json_object_get(side, key) != v)) own_present++;
            const char *from = side && json_object_get(side, key) == v ? rf->sidecar : path;
            if (check_key(from, key, fam->kind, v, err, errlen) != 0) goto fail;
        }
        if (!fam->omb_own || absent == 0) continue;
        if (absent == nk && nk > 1) {
            snprintf(key, sizeof key, "%s*", fam->prefix);
            note_missing(rf, key);
        } else {
            for (size_t s = 0; s < nk; s++) {
                snprintf(key, sizeof key, "%s%s", fam->prefix, fam->latency ? lat_suffixes[s] : "");
                if (!json_object_get(root, key)) note_missing(rf, key);
            }
        }
    }
    if (own_present == 0) {
        snprintf(err, errlen,
                 "%s is not an OMB result: it has none of OMB's keys (workload, driver, "
                 "publishRate, ...)",
                 path);
        goto fail;
    }
    const json_t *omb = json_object_get(root, "omb");
    const char *omb_from = side && json_object_get(side, "omb") == omb ? rf->sidecar : path;
    if (omb && !json_is_object(omb)) {
        snprintf(err, errlen, "%s: 'omb' must be an object, got %s", omb_from, type_word(omb));
        goto fail;
    }
    rf->by_omb = omb != NULL;
    const json_t *ps = omb ? json_object_get(omb, "periodSeconds") : NULL;
    double d;
    if (ps && !as_number(ps, &d)) {
        snprintf(err, errlen, "%s: 'omb.periodSeconds' must be a number, got %s", path,
                 type_word(ps));
        goto fail;
    }
    const json_t *dc = omb ? json_object_get(omb, "driverConfig") : NULL;
    if (dc && !json_is_object(dc)) {
        snprintf(err, errlen, "%s: 'omb.driverConfig' must be an object, got %s", omb_from,
                 type_word(dc));
        goto fail;
    }
    const char *w = json_string_value(json_object_get(root, "workload"));
    const char *dr = json_string_value(json_object_get(root, "driver"));
    rf->workload = w && *w ? w : "(no workload name)";
    rf->driver = dr && *dr ? dr : rf->base;
    json_decref(side); /* its values are root's too now */
    *out = rf;
    return 0;
fail:
    json_decref(side);
    omb_result_file_free(rf);
    return -1;
}

bool omb_result_file_number(const struct omb_result_file *rf, const char *key, double *out)
{
    double d;
    if (!as_number(json_object_get(rf->json, key), &d) || !isfinite(d)) return false;
    *out = d;
    return true;
}

size_t omb_result_file_series(const struct omb_result_file *rf, const char *key, double **out)
{
    *out = NULL;
    const json_t *a = json_object_get(rf->json, key);
    size_t n = json_is_array(a) ? json_array_size(a) : 0;
    if (n == 0 || !(*out = malloc(n * sizeof **out))) return 0;
    for (size_t i = 0; i < n; i++)
        if (!as_number(json_array_get(a, i), &(*out)[i])) (*out)[i] = NAN;
    return n;
}

void omb_series_stats(const double *v, size_t len, struct omb_series_stats *s)
{
    memset(s, 0, sizeof *s);
    double sum = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isfinite(v[i])) continue;
        if (s->n == 0 || v[i] < s->min) s->min = v[i];
        if (s->n == 0 || v[i] > s->max) s->max = v[i];
        sum += v[i];
        s->n++;
    }
    if (s->n == 0) return;
    s->avg = sum / (double)s->n;
    double sq = 0;
    for (size_t i = 0; i < len; i++)
        if (isfinite(v[i])) sq += (v[i] - s->avg) * (v[i] - s->avg);
    s->sd = sqrt(sq / (double)s->n);
}

void omb_result_file_series_stats(const struct omb_result_file *rf, const char *key,
                                  struct omb_series_stats *s)
{
    double *v = NULL;
    size_t n = omb_result_file_series(rf, key, &v);
    omb_series_stats(v, n, s);
    free(v);
}

void omb_result_file_delivery(const struct omb_result_file *rf, struct omb_result_delivery *d)
{
    memset(d, 0, sizeof *d);
    const json_t *omb = json_object_get(rf->json, "omb");
    const json_t *a = omb ? json_object_get(omb, "delivery") : NULL;
    if (!json_is_array(a)) return;
    d->checked = true;
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        double m, dup;
        if (as_number(json_object_get(e, "missing"), &m) && isfinite(m)) d->missing += m;
        if (as_number(json_object_get(e, "duplicates"), &dup) && isfinite(dup))
            d->duplicates += dup;
        d->subscriptions++;
    }
}

bool omb_result_file_config_number(const struct omb_result_file *rf, const char *key, double *out)
{
    const json_t *omb = json_object_get(rf->json, "omb");
    const json_t *cfg = omb ? json_object_get(omb, "workloadConfig") : NULL;
    double d;
    if (!cfg || !as_number(json_object_get(cfg, key), &d) || !isfinite(d)) return false;
    *out = d;
    return true;
}

const char *omb_result_file_config_string(const struct omb_result_file *rf, const char *key)
{
    const json_t *omb = json_object_get(rf->json, "omb");
    const json_t *cfg = omb ? json_object_get(omb, "workloadConfig") : NULL;
    return cfg ? json_string_value(json_object_get(cfg, key)) : NULL;
}

long omb_result_file_driver_config(const struct omb_result_file *rf,
                                   void (*fn)(void *ctx, const char *key, const char *value),
                                   void *ctx)
{
    const json_t *omb = json_object_get(rf->json, "omb");
    json_t *dc = omb ? json_object_get(omb, "driverConfig") : NULL;
    if (!json_is_object(dc)) return -1;
    long n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(dc, k, v)
    {
        if (!strcmp(k, "name")) continue;
        char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        fn(ctx, k, json_is_string(v) ? json_string_value(v) : text ? text : "");
        free(text);
        n++;
    }
    return n;
}

bool omb_result_file_omb_has(const struct omb_result_file *rf, const char *key)
{
    const json_t *omb = json_object_get(rf->json, "omb");
    return omb && json_object_get(omb, key);
}

static int cmp_quantile(const void *a, const void *b)
{
    const struct omb_quantile *x = a, *y = b;
    return (x->percentile > y->percentile) - (x->percentile < y->percentile);
}

size_t omb_result_file_quantiles(const struct omb_result_file *rf, const char *key,
                                 struct omb_quantile **out)
{
    *out = NULL;
    json_t *o = json_object_get(rf->json, key);
    size_t n = json_is_object(o) ? json_object_size(o) : 0;
    if (n == 0 || !(*out = malloc(n * sizeof **out))) return 0;
    size_t m = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        double p, d;
        if (parse_percentile(k, &p) && as_number(v, &d) && isfinite(d))
            (*out)[m++] = (struct omb_quantile){p, d};
    }
    if (m == 0) {
        free(*out);
        *out = NULL;
        return 0;
    }
    qsort(*out, m, sizeof **out, cmp_quantile);
    return m;
}

double *omb_result_file_times(const struct omb_result_file *rf, size_t n)
{
    if (n == 0) return NULL;
    double *t = malloc(n * sizeof *t);
    if (!t) return NULL;
    double *ps = NULL;
    size_t nps = omb_result_file_series(rf, "periodSeconds", &ps);
    double fixed = 10.0, d;
    const json_t *omb = json_object_get(rf->json, "omb");
    if (omb && as_number(json_object_get(omb, "periodSeconds"), &d) && isfinite(d) && d > 0)
        fixed = d;
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        double step = i < nps && isfinite(ps[i]) && ps[i] > 0 ? ps[i] : fixed;
        acc += step;
        t[i] = acc;
    }
    free(ps);
    return t;
}

const char *omb_result_file_omb_string(const struct omb_result_file *rf, const char *key)
{
    const json_t *omb = json_object_get(rf->json, "omb");
    return omb ? json_string_value(json_object_get(omb, key)) : NULL;
}

bool omb_result_file_incomplete(const struct omb_result_file *rf)
{
    const json_t *omb = json_object_get(rf->json, "omb");
    return omb && json_is_false(json_object_get(omb, "complete"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int omb_result_dir_list(const char *dir, char ***paths, size_t *n, char *err, size_t errlen)
{
    *paths = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot open results directory '%s': %s", dir, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    char **v = NULL;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.') continue;
        size_t plen = strlen(dir) + len + 2;
        char *p = malloc(plen);
        if (!p) goto oom;
        snprintf(p, plen, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                free(p);
                goto oom;
            }
            v = nv;
        }
        v[(*n)++] = p;
    }
    if (*n) qsort(v, *n, sizeof *v, cmp_str);
    *paths = v;
    goto out;
oom:
    for (size_t i = 0; i < *n; i++) free(v[i]);
    free(v);
    *n = 0;
    snprintf(err, errlen, "%s: out of memory", dir);
    rc = -1;
out:
    closedir(d);
    return rc;
}
