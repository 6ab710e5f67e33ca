/* fuzz_yaml.c - libFuzzer target: the configuration loaders on arbitrary bytes.
 * - omb_yaml_load_string: on success every node has a 1-based line and column, map keys
 *   are scalars with a value, and scalars are NUL-terminated; on failure err is a
 *   non-empty sentence.
 * - omb_schema_apply on the root map with a table holding every field type (the
 *   workload's own table is static in workload.c; the workload itself is reached below).
 * - omb_driver_conf_load_string: success means non-empty name and driverClass and the
 *   text kept byte for byte.
 * - omb_workload_load: the loader only reads files, so the bytes are written to a
 *   scratch file first; success means the table's bounds hold.
 * Every error message must be NUL-terminated within the buffer. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/driver_conf.h"
#include "config/schema.h"
#include "config/workload.h"
#include "config/yamldoc.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const char *err, size_t errlen)
{
    if (!memchr(err, '\0', errlen)) abort();
    if (err[0] == '\0') abort(); /* a failure always says why */
}

static void check_node(const struct omb_yaml_node *n, int depth)
{
    if (!n) abort();
    if (depth > 200) abort(); /* the loader refuses nesting deeper than 64 */
    if (n->line < 1 || n->column < 1) abort();
    switch (n->kind) {
    case OMB_YAML_SCALAR:
        if (!n->scalar) abort();
        (void)strlen(n->scalar);
        break;
    case OMB_YAML_MAP:
        for (size_t i = 0; i < n->n; i++) {
            if (!n->keys[i] || n->keys[i]->kind != OMB_YAML_SCALAR) abort();
            check_node(n->keys[i], depth + 1);
            check_node(n->values[i], depth + 1);
        }
        break;
    case OMB_YAML_SEQ:
        for (size_t i = 0; i < n->n; i++) check_node(n->values[i], depth + 1);
        break;
    default:
        abort();
    }
}

enum fz_enum { FZ_A = 3, FZ_B = 7 };

struct fz_all {
    char *s;
    int64_t i;
    double d;
    bool b;
    int e;
    const struct omb_yaml_node *any;
    char *req;
};

static const char *const fz_enum_names[] = {"A", "B", "ALIAS_B", NULL};
static const int fz_enum_values[] = {FZ_A, FZ_B, FZ_B};

#define F(m) offsetof(struct fz_all, m)
static const struct omb_field fz_fields[] = {
    {"name", OMB_FIELD_STRING, F(s), 0, 1, 0, NULL, NULL},
    {"topics", OMB_FIELD_INT, F(i), 0, -5, 10000000, NULL, NULL},
    {"producerRate", OMB_FIELD_DOUBLE, F(d), 0, -1, 1e9, NULL, NULL},
    {"useRandomizedPayloads", OMB_FIELD_BOOL, F(b), 0, 1, 0, NULL, NULL},
    {"keyDistributor", OMB_FIELD_ENUM, F(e), 0, 1, 0, fz_enum_names, fz_enum_values},
    {"commonConfig", OMB_FIELD_ANY, F(any), 0, 1, 0, NULL, NULL},
    {"driverClass", OMB_FIELD_STRING, F(req), 1, 1, 0, NULL, NULL},
};
#undef F

static void fuzz_schema(const struct omb_yaml_doc *doc, int ignore_unknown)
{
    if (!doc->root || doc->root->kind != OMB_YAML_MAP) return;
    struct fz_all out = {.e = FZ_A};
    char err[256];
    err[0] = '\0';
    int rc = omb_schema_apply(doc, doc->root, fz_fields, sizeof fz_fields / sizeof fz_fields[0],
                              ignore_unknown, &out, err, sizeof err);
    if (rc != 0) {
        check_err(err, sizeof err);
    } else {
        if (!out.req) abort(); /* required */
        if (out.i < -5 || out.i > 10000000) abort();
        if (!(out.d >= -1 && out.d <= 1e9)) abort();
        if (out.e != FZ_A && out.e != FZ_B) abort();
    }
    free(out.s);
    free(out.req);
}

static char g_path[64];

static void remove_scratch(void)
{
    if (g_path[0]) unlink(g_path);
}

static void fuzz_workload(const uint8_t *data, size_t size)
{
    if (!g_path[0]) {
        const char *t = getenv("TMPDIR");
        if (!t || !*t || strlen(t) >= 32) t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(g_path, sizeof g_path, "%s/omb-fuzz-yaml.XXXXXX", t);
        int fd = mkstemp(g_path);
        if (fd < 0) abort();
        close(fd);
        atexit(remove_scratch);
        omb_log_set_level(OMB_LOG_ERROR); /* the "payloadFile is not used" warning */
    }
    FILE *f = fopen(g_path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    struct omb_workload w;
    char err[512];
    if (omb_workload_load(g_path, &w, err, sizeof err) != 0) {
        check_err(err, sizeof err);
        return;
    }
    if (!w.name || w.topics < 1 || w.topics > 10000000) abort();
    if (w.partitions_per_topic < 1 || w.message_size < 1) abort();
    if (w.producers_per_topic < 1) abort();
    if (!(w.producer_rate >= 0 && w.producer_rate <= 1e9)) abort();
    if (!(w.test_duration_minutes >= 0 && w.test_duration_minutes <= 525600)) abort();
    if (w.payload_file && w.payload_file[0] != '/') abort();
    omb_workload_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly @p size bytes, no terminator: the loader takes a length. */
    char *text = malloc(size ? size : 1);
    if (!text) abort();
    if (size) memcpy(text, data, size);
    char err[256];

    struct omb_yaml_doc *doc = omb_yaml_load_string(text, size, "fuzz", err, sizeof err);
    if (!doc) {
        check_err(err, sizeof err);
    } else {
        if (doc->root) check_node(doc->root, 0);
        fuzz_schema(doc, 1);
        fuzz_schema(doc, 0);
        omb_yaml_free(doc);
    }

    struct omb_driver_conf c;
    if (omb_driver_conf_load_string(text, size, "fuzz", &c, err, sizeof err) != 0) {
        check_err(err, sizeof err);
        if (c.doc || c.text || c.name) abort(); /* on error out is all zero */
    } else {
        if (!c.name || !c.name[0] || !c.driver_class || !c.driver_class[0]) abort();
        if (c.text_len != size || (size && memcmp(c.text, data, size) != 0)) abort();
        if (c.text[size] != '\0') abort();
        omb_driver_conf_free(&c);
    }
    free(text);

    fuzz_workload(data, size);
    return 0;
}
