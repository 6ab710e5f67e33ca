/* sweep_file.c - see sweep_file.h. Every key the charts read is checked here, so a summary
 * edited by hand or written by another tool gets one sentence naming the key, never a wrong
 * chart. */
#include "tools/sweep_file.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordinator/sweep.h"

/* Where a bad key is, for the message: "drivers[0].steps[2].publishRate". */
struct where {
    const char *path;
    char *err;
    size_t errlen;
};

static int bad(const struct where *w, const char *key, const char *want)
{
    snprintf(w->err, w->errlen, "%s: %s is not %s", w->path, key, want);
    return -1;
}

/* A number, or null (NaN) when @p nullable. */
static int number_at(const struct where *w, json_t *obj, const char *name, const char *at,
                     bool nullable, double *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s%s", at, name);
    json_t *v = json_object_get(obj, name);
    if (nullable && (!v || json_is_null(v))) {
        *out = NAN;
        return 0;
    }
    if (!json_is_number(v)) return bad(w, key, nullable ? "a number or null" : "a number");
    *out = json_number_value(v);
    return 0;
}

/* A string, or NULL when missing or null and @p nullable. */
static int string_at(const struct where *w, json_t *obj, const char *name, const char *at,
                     bool nullable, const char **out)
{
    char key[256];
    snprintf(key, sizeof key, "%s%s", at, name);
    json_t *v = json_object_get(obj, name);
    if (nullable && (!v || json_is_null(v))) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v)) return bad(w, key, nullable ? "a string or null" : "a string");
    *out = json_string_value(v);
    return 0;
}

static int load_step(const struct where *w, json_t *j, const char *at, struct omb_sweep_point *p)
{
    if (!json_is_object(j)) return bad(w, at, "an object");
    char pre[200];
    snprintf(pre, sizeof pre, "%s.", at);
    static const char *const pub[] = {"publishLatency50pct", "publishLatency99pct",
                                      "publishLatency999pct"};
    static const char *const e2e[] = {"endToEndLatency50pct", "endToEndLatency99pct",
                                      "endToEndLatency999pct"};
    if (number_at(w, j, "fraction", pre, false, &p->fraction) ||
        number_at(w, j, "targetRate", pre, false, &p->target_rate) ||
        number_at(w, j, "publishRate", pre, true, &p->publish_rate) ||
        number_at(w, j, "consumeRate", pre, true, &p->consume_rate) ||
        number_at(w, j, "publishErrorRate", pre, true, &p->publish_error_rate) ||
        string_at(w, j, "status", pre, false, &p->status) ||
        string_at(w, j, "resultFile", pre, true, &p->result_file))
        return -1;
    for (int i = 0; i < OMB_SWEEP_NPCT; i++)
        if (number_at(w, j, pub[i], pre, true, &p->publish[i]) ||
            number_at(w, j, e2e[i], pre, true, &p->end_to_end[i]))
            return -1;
    return 0;
}

static int load_driver(const struct where *w, json_t *j, size_t i, struct omb_sweep_driver *d)
{
    char at[64], pre[80];
    snprintf(at, sizeof at, "drivers[%zu]", i);
    snprintf(pre, sizeof pre, "%s.", at);
    if (!json_is_object(j)) return bad(w, at, "an object");
    if (string_at(w, j, "driver", pre, false, &d->driver) ||
        number_at(w, j, "maxRate", pre, true, &d->max_rate) ||
        string_at(w, j, "error", pre, true, &d->error))
        return -1;
    json_t *steps = json_object_get(j, "steps");
    char key[96];
    snprintf(key, sizeof key, "%ssteps", pre);
    if (!json_is_array(steps)) return bad(w, key, "an array");
    d->n = json_array_size(steps);
    d->steps = calloc(d->n ? d->n : 1, sizeof *d->steps);
    if (!d->steps) {
        snprintf(w->err, w->errlen, "%s: out of memory", w->path);
        return -1;
    }
    for (size_t k = 0; k < d->n; k++) {
        char sat[128];
        snprintf(sat, sizeof sat, "%ssteps[%zu]", pre, k);
        if (load_step(w, json_array_get(steps, k), sat, &d->steps[k]) != 0) return -1;
    }
    return 0;
}

void omb_sweep_file_free(struct omb_sweep_file *sf)
{
    if (!sf) return;
    for (size_t i = 0; sf->drivers && i < sf->nd; i++) free(sf->drivers[i].steps);
    free(sf->drivers);
    json_decref(sf->json);
    free(sf->path);
    free(sf);
}

int omb_sweep_file_load(const char *path, struct omb_sweep_file **out, char *err, size_t errlen)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    json_t *fmt = json_is_object(root) ? json_object_get(root, "ombSweep") : NULL;
    if (!fmt) {
        json_decref(root);
        return 1; /* not a sweep: the caller's result loader says what is wrong, if anything */
    }
    struct where w = {path, err, errlen};
    if (!json_is_integer(fmt) || json_integer_value(fmt) != OMB_SWEEP_FORMAT) {
        snprintf(err, errlen,
                 "%s: ombSweep is not %d: a sweep summary of a format this omb does not know", path,
                 OMB_SWEEP_FORMAT);
        json_decref(root);
        return -1;
    }
    struct omb_sweep_file *sf = calloc(1, sizeof *sf);
    if (!sf || !(sf->path = strdup(path))) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(sf);
        json_decref(root);
        return -1;
    }
    sf->json = root;
    const char *slash = strrchr(sf->path, '/');
    sf->base = slash ? slash + 1 : sf->path;
    json_t *complete = json_object_get(root, "complete");
    json_t *drivers = json_object_get(root, "drivers");
    int rc = 0;
    if (string_at(&w, root, "workload", "", false, &sf->workload) ||
        string_at(&w, root, "incompleteReason", "", true, &sf->incomplete_reason))
        rc = -1;
    else if (!json_is_boolean(complete))
        rc = bad(&w, "complete", "true or false");
    else if (!json_is_array(drivers))
        rc = bad(&w, "drivers", "an array");
    if (rc == 0) {
        sf->complete = json_is_true(complete);
        sf->nd = json_array_size(drivers);
        sf->drivers = calloc(sf->nd ? sf->nd : 1, sizeof *sf->drivers);
        if (!sf->drivers) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && i < sf->nd; i++)
            rc = load_driver(&w, json_array_get(drivers, i), i, &sf->drivers[i]);
    }
    if (rc != 0) {
        omb_sweep_file_free(sf);
        return -1;
    }
    *out = sf;
    return 0;
}
