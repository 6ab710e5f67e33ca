/* test_config.c - yamldoc, schema, workload, driver files and the properties parser:
 * OMB's own files must load unchanged, and every bad input must say file, line and key. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/driver_conf.h"
#include "config/schema.h"
#include "config/workload.h"
#include "config/yamldoc.h"

static char g_shared[PATH_MAX]; /* $OMB_SHARED */
static char g_source[PATH_MAX]; /* $OMB_SOURCE: the repository, for tests/data */
static char g_tmp[PATH_MAX];    /* scratch directory for bad inputs */
static char g_cwd[PATH_MAX];    /* working directory at start, restored after each test */

/* ---- helpers ------------------------------------------------------------------------ */

static void path_join(char *out, size_t n, const char *a, const char *b)
{
    int w = snprintf(out, n, "%s/%s", a, b);
    assert_true(w > 0 && (size_t)w < n);
}

static void write_tmp(const char *name, const char *content, size_t len)
{
    char p[PATH_MAX];
    path_join(p, sizeof p, g_tmp, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_tmp_str(const char *name, const char *content)
{
    write_tmp(name, content, strlen(content));
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Loads @p yaml as "w.yaml" from inside the scratch directory; must fail. */
static void workload_err(const char *yaml, char *err, size_t errlen)
{
    write_tmp_str("w.yaml", yaml);
    assert_int_equal(chdir(g_tmp), 0);
    struct omb_workload w;
    err[0] = '\0';
    int rc = omb_workload_load("w.yaml", &w, err, errlen);
    if (rc == 0) fail_msg("expected an error for:\n%s", yaml);
    assert_int_equal(rc, -1);
    assert_null(w.name); /* nothing left to free */
    omb_workload_free(&w);
}

#define EXPECT_WORKLOAD_ERR(yaml, expected)                                                        \
    do {                                                                                           \
        char err_[1024];                                                                           \
        workload_err((yaml), err_, sizeof err_);                                                   \
        assert_string_equal(err_, (expected));                                                     \
    } while (0)

static void workload_ok(const char *yaml, struct omb_workload *w)
{
    write_tmp_str("w.yaml", yaml);
    assert_int_equal(chdir(g_tmp), 0);
    char err[1024] = "";
    int rc = omb_workload_load("w.yaml", w, err, sizeof err);
    if (rc != 0) fail_msg("unexpected error: %s", err);
}

#define BASE "name: t\ntopics: 1\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 1\n"

/* ---- properties collector ----------------------------------------------------------- */

struct kv {
    size_t n;
    char *key[32];
    char *val[32];
    int line[32];
    int stop_after; /* return 7 after this many pairs (0: never) */
};

static int kv_add(void *ctx, const char *key, const char *value, int line)
{
    struct kv *kv = ctx;
    if (kv->n >= 32) return -1;
    kv->key[kv->n] = strdup(key);
    kv->val[kv->n] = strdup(value);
    kv->line[kv->n] = line;
    kv->n++;
    if (kv->stop_after && kv->n == (size_t)kv->stop_after) return 7;
    return 0;
}

static void kv_free(struct kv *kv)
{
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->key[i]);
        free(kv->val[i]);
    }
    kv->n = 0;
}

static const char *kv_get(const struct kv *kv, const char *key)
{
    for (size_t i = 0; i < kv->n; i++)
        if (strcmp(kv->key[i], key) == 0) return kv->val[i];
    return NULL;
}

static void expect_pair(const struct kv *kv, size_t i, const char *key, const char *val, int line)
{
    assert_true(i < kv->n);
    assert_string_equal(kv->key[i], key);
    assert_string_equal(kv->val[i], val);
    assert_int_equal(kv->line[i], line);
}

/* Tests that read the reference OMB tree under $OMB_SHARED skip when it is absent. */
#define REQUIRE_SHARED()                                                                           \
    do {                                                                                           \
        char ref_[PATH_MAX];                                                                       \
        struct stat st_;                                                                           \
        path_join(ref_, sizeof ref_, g_shared, "omb-reference");                                   \
        if (stat(ref_, &st_) != 0 || !S_ISDIR(st_.st_mode)) {                                      \
            print_message("skipped: %s not found (set OMB_SHARED to the shared directory)\n",      \
                          ref_);                                                                   \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* ---- fixtures ----------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    const char *s = getenv("OMB_SHARED");
    snprintf(g_shared, sizeof g_shared, "%s", s && *s ? s : "/work/main/../shared");
    s = getenv("OMB_SOURCE");
    snprintf(g_source, sizeof g_source, "%s", s && *s ? s : "/work/main");
    if (!getcwd(g_cwd, sizeof g_cwd)) return -1;
    snprintf(g_tmp, sizeof g_tmp, "/tmp/omb_test_config.XXXXXX");
    if (!mkdtemp(g_tmp)) return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (chdir(g_cwd) != 0) return -1;
    rm_tree(g_tmp);
    return 0;
}

static int restore_cwd(void **state)
{
    (void)state;
    return chdir(g_cwd) == 0 ? 0 : -1;
}

/* ---- yamldoc ------------------------------------------------------------------------ */

static void test_yaml_tree_positions(void **state)
{
    (void)state;
    const char *t = "a: 1\nb:\n  - x\n  - \"y\"\nc: {d: e}\nn: ~\ns: !!str 5\n";
    char err[256];
    struct omb_yaml_doc *doc = omb_yaml_load_string(t, strlen(t), "t.yaml", err, sizeof err);
    assert_non_null(doc);
    const struct omb_yaml_node *r = doc->root;
    assert_int_equal(r->kind, OMB_YAML_MAP);
    assert_int_equal(r->n, 5);
    assert_string_equal(r->keys[1]->scalar, "b");
    assert_int_equal(r->keys[1]->line, 2);
    const struct omb_yaml_node *b = omb_yaml_get(r, "b");
    assert_int_equal(b->kind, OMB_YAML_SEQ);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->line, 3);
    assert_int_equal(b->column, 3);
    assert_true(b->values[0]->plain);
    assert_false(b->values[1]->plain);
    assert_string_equal(b->values[1]->scalar, "y");
    assert_string_equal(omb_yaml_get(omb_yaml_get(r, "c"), "d")->scalar, "e");
    assert_int_equal(omb_yaml_get(r, "c")->column, 4);
    assert_true(omb_yaml_is_null(omb_yaml_get(r, "n")));
    assert_false(omb_yaml_get(r, "s")->plain); /* !!str is a string */
    assert_null(omb_yaml_get(r, "zz"));
    assert_null(omb_yaml_get(b, "x")); /* not a map */
    assert_int_equal(omb_yaml_get_key(r, "c")->line, 5);
    omb_yaml_free(doc);
    omb_yaml_free(NULL);
}

static void test_yaml_errors(void **state)
{
    (void)state;
    char err[512];
    const char *t = "a: 1\nb: [1, 2\nc: 3\n";
    assert_null(omb_yaml_load_string(t, strlen(t), "s.yaml", err, sizeof err));
    assert_string_equal(err, "s.yaml line 3 column 2: YAML syntax error: did not find expected "
                             "',' or ']' (while parsing a flow sequence, line 2)");

    t = "a: 1\n---\nb: 2\n";
    assert_null(omb_yaml_load_string(t, strlen(t), "m.yaml", err, sizeof err));
    assert_string_equal(err, "m.yaml line 2: the file holds more than one YAML document ('---'); "
                             "put one configuration in each file");

    t = "a: &x 1\nb: *x\n";
    assert_null(omb_yaml_load_string(t, strlen(t), "al.yaml", err, sizeof err));
    assert_string_equal(err, "al.yaml line 2 column 4: YAML aliases ('*x') are not supported; "
                             "write the value out");

    t = "client:\n  a: 1\n  b: 2\n  a: 3\n";
    assert_null(omb_yaml_load_string(t, strlen(t), "d.yaml", err, sizeof err));
    assert_string_equal(err, "d.yaml line 4: duplicate key 'a' (first set on line 2)");

    t = "? [a, b]\n: c\n";
    assert_null(omb_yaml_load_string(t, strlen(t), "k.yaml", err, sizeof err));
    assert_string_equal(err, "k.yaml line 1: a key must be a plain value, not a list");

    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    assert_null(omb_yaml_load_string(deep, sizeof deep, "deep.yaml", err, sizeof err));
    assert_string_equal(err, "deep.yaml line 1: YAML nested deeper than 64 levels");

    const char bin[] = "x: 1\na: \xff\xfe\n";
    assert_null(omb_yaml_load_string(bin, sizeof bin - 1, "bin.yaml", err, sizeof err));
    assert_non_null(strstr(err, "bin.yaml line 2: invalid YAML text at byte 8"));

    assert_null(omb_yaml_load_file("/nonexistent/x.yaml", err, sizeof err));
    assert_string_equal(err,
                        "cannot read YAML file '/nonexistent/x.yaml': No such file or directory");

    /* empty and comment-only texts are documents without a root */
    struct omb_yaml_doc *doc = omb_yaml_load_string("", 0, "e.yaml", err, sizeof err);
    assert_non_null(doc);
    assert_null(doc->root);
    omb_yaml_free(doc);
    doc = omb_yaml_load_string("# only\n", 7, "e.yaml", err, sizeof err);
    assert_non_null(doc);
    assert_null(doc->root);
    omb_yaml_free(doc);
}

static void test_yaml_quote(void **state)
{
    (void)state;
    char b[80];
    omb_yaml_quote(b, sizeof b, "a\nb");
    assert_string_equal(b, "'a?b'");
    char longv[200];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    omb_yaml_quote(b, sizeof b, longv);
    assert_int_equal(strlen(b), 1 + 60 + 3 + 1);
    assert_string_equal(b + 61, "...'");
    omb_yaml_quote(b, 4, "abcdef");
    assert_true(strlen(b) < 4);
}

/* ---- schema ------------------------------------------------------------------------- */

static void test_schema_closest(void **state)
{
    (void)state;
    static const char *const keys[] = {"name",
                                       "topics",
                                       "partitionsPerTopic",
                                       "messageSize",
                                       "randomizedPayloadPoolSize",
                                       "consumerBacklogSizeGB",
                                       "consumerPerSubscription",
                                       "producerRate",
                                       "testDurationMinutes"};
    size_t n = sizeof keys / sizeof keys[0];
    assert_string_equal(omb_schema_closest("partitionPerTopic", keys, n), "partitionsPerTopic");
    assert_string_equal(omb_schema_closest("TOPICS", keys, n), "topics");
    assert_string_equal(omb_schema_closest("nmae", keys, n), "name"); /* transposition */
    assert_string_equal(omb_schema_closest("consumersPerSubscription", keys, n),
                        "consumerPerSubscription");
    assert_string_equal(omb_schema_closest("testDuration", keys, n), "testDurationMinutes");
    assert_string_equal(omb_schema_closest("rate", keys, n), "producerRate");
    assert_null(omb_schema_closest("size", keys, n)); /* three keys contain it: no guess */
    assert_null(omb_schema_closest("colour", keys, n));
    assert_null(omb_schema_closest("id", keys, n));
    assert_null(omb_schema_closest("", keys, n));
    assert_null(omb_schema_closest(NULL, keys, n));
}

struct small {
    int64_t i;
    double d;
    char *s;
};

static void test_schema_apply_direct(void **state)
{
    (void)state;
    static const struct omb_field f[] = {
        {"i", OMB_FIELD_INT, offsetof(struct small, i), 0, 1, 0, NULL, NULL}, /* no range */
        {"d", OMB_FIELD_DOUBLE, offsetof(struct small, d), 0, -1, 1e300, NULL, NULL},
        {"s", OMB_FIELD_STRING, offsetof(struct small, s), 1, 1, 0, NULL, NULL},
    };
    char err[512];
    const char *t = "i: -9223372036854775808\nd: -0.5e-3\ns: 12\nother: x\n";
    struct omb_yaml_doc *doc = omb_yaml_load_string(t, strlen(t), "x.yaml", err, sizeof err);
    assert_non_null(doc);
    struct small v = {0};
    assert_int_equal(omb_schema_apply(doc, doc->root, f, 3, 1, &v, err, sizeof err), 0);
    assert_true(v.i == INT64_MIN);
    assert_true(v.d == -0.5e-3);
    assert_string_equal(v.s, "12"); /* a plain number is a fine string */
    free(v.s);
    v.s = NULL;
    assert_int_equal(omb_schema_apply(doc, doc->root, f, 3, 0, &v, err, sizeof err), -1);
    assert_string_equal(err, "x.yaml line 4: unknown key 'other' (valid keys: i, d, s)");
    free(v.s);
    omb_yaml_free(doc);

    t = "i: 9223372036854775808\ns: x\n";
    doc = omb_yaml_load_string(t, strlen(t), "x.yaml", err, sizeof err);
    assert_non_null(doc);
    assert_int_equal(omb_schema_apply(doc, doc->root, f, 3, 0, &v, err, sizeof err), -1);
    assert_string_equal(err, "x.yaml line 1: 'i' is too large, got 9223372036854775808");
    omb_yaml_free(doc);

    doc = omb_yaml_load_string("- 1\n", 4, "l.yaml", err, sizeof err);
    assert_non_null(doc);
    assert_int_equal(omb_schema_apply(doc, doc->root, f, 3, 0, &v, err, sizeof err), -1);
    assert_string_equal(err, "l.yaml line 1: expected a map of 'key: value' lines, got a list");
    omb_yaml_free(doc);
}

/* ---- workloads: OMB's own files ------------------------------------------------------ */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void test_reference_workloads_load(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    char ref[PATH_MAX], dir[PATH_MAX];
    path_join(ref, sizeof ref, g_shared, "omb-reference");
    path_join(dir, sizeof dir, ref, "workloads");
    /* OMB's payloadFile paths are relative to its repository root */
    if (chdir(ref) != 0) fail_msg("cannot enter %s: %s", ref, strerror(errno));
    DIR *d = opendir(dir);
    assert_non_null(d);
    int count = 0, with_payload = 0, randomized = 0, max_rate = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".yaml")) continue;
        char p[PATH_MAX], err[1024] = "";
        path_join(p, sizeof p, dir, e->d_name);
        struct omb_workload w;
        if (omb_workload_load(p, &w, err, sizeof err) != 0) fail_msg("%s: %s", e->d_name, err);
        assert_true(w.topics >= 1);
        assert_true(w.message_size >= 1);
        assert_true(w.test_duration_minutes > 0);
        if (w.payload_file) {
            with_payload++;
            assert_true(w.payload_file[0] == '/');
        }
        randomized += w.use_randomized_payloads;
        max_rate += w.producer_rate == 0;
        count++;
        omb_workload_free(&w);
    }
    closedir(d);
    assert_true(count >= 100);
    assert_true(with_payload >= 30);
    assert_true(randomized >= 90);
    assert_true(max_rate >= 1);
}

static void load_ref(const char *name, struct omb_workload *w)
{
    char ref[PATH_MAX], p[PATH_MAX], err[1024] = "";
    path_join(ref, sizeof ref, g_shared, "omb-reference");
    assert_int_equal(chdir(ref), 0);
    path_join(p, sizeof p, "workloads", name);
    if (omb_workload_load(p, w, err, sizeof err) != 0) fail_msg("%s: %s", name, err);
}

static void test_reference_workload_values(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    struct omb_workload w;
    load_ref("1-topic-16-partitions-1kb.yaml", &w);
    assert_string_equal(w.base_name, "1-topic-16-partitions-1kb");
    assert_string_equal(w.name, "1 producer / 1 consumers on 1 topic");
    assert_int_equal(w.topics, 1);
    assert_int_equal(w.partitions_per_topic, 16);
    assert_int_equal(w.message_size, 1024);
    assert_non_null(w.payload_file);
    assert_true(w.payload_file[0] == '/');
    assert_true(ends_with(w.payload_file, "/payload/payload-1Kb.data"));
    assert_true(w.producer_rate == 50000);
    assert_true(w.test_duration_minutes == 15);
    assert_true(w.warmup_duration_minutes == 1); /* default */
    assert_int_equal(w.key_distributor, OMB_KEYS_NO_KEY);
    assert_int_equal(w.subscriptions_per_topic, 1);
    assert_int_equal(w.producers_per_topic, 1);
    assert_int_equal(w.consumer_per_subscription, 1);
    /* the stored path opens from any working directory */
    assert_int_equal(chdir("/"), 0);
    FILE *f = fopen(w.payload_file, "rb");
    assert_non_null(f);
    fclose(f);
    omb_workload_free(&w);

    load_ref("backlog-1-topic-16-partitions-1kb.yaml", &w);
    assert_true(w.consumer_backlog_size_gb == 100);
    assert_true(w.producer_rate == 100000);
    assert_true(w.backlog_drain_ratio == 1.0);
    omb_workload_free(&w);

    load_ref("1-topic-100-partitions-1kb-4p-4c-200k-backlog.yaml", &w);
    assert_true(w.use_randomized_payloads);
    assert_true(w.random_bytes_ratio == 0.5);
    assert_int_equal(w.randomized_payload_pool_size, 1000);
    assert_true(w.consumer_backlog_size_gb == 512);
    assert_int_equal(w.producers_per_topic, 4);
    assert_int_equal(w.consumer_per_subscription, 4);
    assert_null(w.payload_file);
    omb_workload_free(&w);

    load_ref("1-topic-3-partition-100b-3producers.yaml", &w);
    assert_int_equal(w.producers_per_topic, 3);
    assert_int_equal(w.message_size, 100);
    assert_true(ends_with(w.payload_file, "/payload/payload-100b.data"));
    omb_workload_free(&w);

    load_ref("max-rate-1-topic-16-partitions-1kb.yaml", &w);
    assert_true(w.producer_rate == 0);
    omb_workload_free(&w);
}

/* ---- workloads: good inputs --------------------------------------------------------- */

static void test_workload_defaults(void **state)
{
    (void)state;
    struct omb_workload w;
    workload_ok(BASE, &w);
    assert_string_equal(w.path, "w.yaml");
    assert_string_equal(w.base_name, "w");
    assert_string_equal(w.name, "t");
    assert_int_equal(w.partitions_per_topic, 1);
    assert_int_equal(w.key_distributor, OMB_KEYS_NO_KEY);
    assert_null(w.payload_file);
    assert_false(w.use_randomized_payloads);
    assert_true(w.random_bytes_ratio == 0.0);
    assert_int_equal(w.randomized_payload_pool_size, 0);
    assert_int_equal(w.subscriptions_per_topic, 1);
    assert_int_equal(w.producers_per_topic, 1);
    assert_int_equal(w.consumer_per_subscription, 1);
    assert_true(w.consumer_backlog_size_gb == 0.0);
    assert_true(w.backlog_drain_ratio == 1.0);
    assert_true(w.warmup_duration_minutes == 1.0);
    omb_workload_free(&w);
    omb_workload_free(&w); /* twice is harmless */
    omb_workload_free(NULL);
}

static void test_workload_full_fixture(void **state)
{
    (void)state;
    char p[PATH_MAX], err[1024] = "";
    path_join(p, sizeof p, g_source, "tests/data/config/full.yaml");
    /* payloadFile sits next to the workload file, not in the working directory */
    assert_int_equal(chdir("/"), 0);
    struct omb_workload w;
    if (omb_workload_load(p, &w, err, sizeof err) != 0) fail_msg("%s", err);
    assert_string_equal(w.base_name, "full");
    assert_string_equal(w.name, "full: every key");
    assert_int_equal(w.topics, 3);
    assert_int_equal(w.partitions_per_topic, 12);
    assert_int_equal(w.key_distributor, OMB_KEYS_ROUND_ROBIN);
    assert_int_equal(w.message_size, 16);
    assert_non_null(w.payload_file);
    assert_true(ends_with(w.payload_file, "/tests/data/config/payload-16b.data"));
    assert_true(w.payload_file[0] == '/');
    assert_true(w.random_bytes_ratio == 0.25);
    assert_int_equal(w.subscriptions_per_topic, 2);
    assert_int_equal(w.producers_per_topic, 4);
    assert_int_equal(w.consumer_per_subscription, 5);
    assert_true(w.producer_rate == 1500);
    assert_true(w.consumer_backlog_size_gb == 0.5);
    assert_true(w.backlog_drain_ratio == 0.75);
    assert_true(w.test_duration_minutes == 0.5);
    assert_true(w.warmup_duration_minutes == 0);
    omb_workload_free(&w);
}

static void test_workload_variants(void **state)
{
    (void)state;
    struct omb_workload w;
    /* nulls mean "default"; aliases; quoted enum; True; decimals; produce-only */
    workload_ok(BASE "partitionsPerTopic:\nwarmupDurationMinutes: ~\nkeyDistributor: ROUND_ROBIN\n"
                     "useRandomizedPayloads: True\nrandomizedPayloadPoolSize: 10\n"
                     "subscriptionsPerTopic: 0\nconsumerPerSubscription: 0\n",
                &w);
    assert_int_equal(w.partitions_per_topic, 1);
    assert_true(w.warmup_duration_minutes == 1.0);
    assert_int_equal(w.key_distributor, OMB_KEYS_ROUND_ROBIN);
    assert_true(w.use_randomized_payloads);
    assert_int_equal(w.subscriptions_per_topic, 0);
    omb_workload_free(&w);

    workload_ok("name: t\ntopics: +2\nmessageSize: 100\nproducerRate: 2.5\n"
                "testDurationMinutes: .25\nkeyDistributor: \"RANDOM\"\n",
                &w);
    assert_int_equal(w.topics, 2);
    assert_true(w.producer_rate == 2.5);
    assert_true(w.test_duration_minutes == 0.25);
    assert_int_equal(w.key_distributor, OMB_KEYS_RANDOM_NANO);
    assert_string_equal(omb_key_distributor_name(w.key_distributor), "RANDOM_NANO");
    omb_workload_free(&w);

    /* .yml is stripped too, and a directory part */
    write_tmp_str("x.y.yml", BASE);
    char p[PATH_MAX], err[512];
    path_join(p, sizeof p, g_tmp, "x.y.yml");
    assert_int_equal(omb_workload_load(p, &w, err, sizeof err), 0);
    assert_string_equal(w.base_name, "x.y");
    omb_workload_free(&w);

    assert_string_equal(omb_key_distributor_name(OMB_KEYS_NO_KEY), "NO_KEY");
    assert_string_equal(omb_key_distributor_name(OMB_KEYS_ROUND_ROBIN), "KEY_ROUND_ROBIN");
}

static void test_workload_payload_next_to_file(void **state)
{
    (void)state;
    assert_int_equal(mkdir(g_tmp, 0700) == 0 || errno == EEXIST, 1);
    char sub[PATH_MAX];
    path_join(sub, sizeof sub, g_tmp, "pl");
    assert_true(mkdir(sub, 0700) == 0 || errno == EEXIST);
    char data[100];
    memset(data, 'z', sizeof data);
    write_tmp("pl/p.data", data, sizeof data);
    write_tmp_str("pl/w.yaml", BASE "payloadFile: p.data\n");
    char p[PATH_MAX], err[512] = "";
    path_join(p, sizeof p, sub, "w.yaml");
    assert_int_equal(chdir("/"), 0);
    struct omb_workload w;
    if (omb_workload_load(p, &w, err, sizeof err) != 0) fail_msg("%s", err);
    char expect[PATH_MAX];
    char *real = realpath(sub, NULL);
    assert_non_null(real);
    path_join(expect, sizeof expect, real, "p.data");
    free(real);
    assert_string_equal(w.payload_file, expect);
    omb_workload_free(&w);
}

/* ---- workloads: bad inputs ---------------------------------------------------------- */

static void test_workload_unknown_keys(void **state)
{
    (void)state;
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\npartitionPerTopic: 4\nmessageSize: 100\n",
                        "w.yaml line 3: unknown key 'partitionPerTopic'; did you mean "
                        "'partitionsPerTopic'?");
    EXPECT_WORKLOAD_ERR("name: t\nTOPICS: 1\n",
                        "w.yaml line 2: unknown key 'TOPICS'; did you mean 'topics'?");
    EXPECT_WORKLOAD_ERR(BASE "consumersPerSubscription: 2\n",
                        "w.yaml line 6: unknown key 'consumersPerSubscription'; did you mean "
                        "'consumerPerSubscription'?");
    char err[1024];
    workload_err(BASE "colour: blue\n", err, sizeof err);
    assert_non_null(strstr(err, "w.yaml line 6: unknown key 'colour' (valid keys: name, topics, "
                                "partitionsPerTopic, keyDistributor, messageSize,"));
    assert_null(strstr(err, "did you mean"));
}

static void test_workload_wrong_types(void **state)
{
    (void)state;
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: abc\n",
                        "w.yaml line 3: 'messageSize' must be an integer, got 'abc'");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: \"5\"\n",
                        "w.yaml line 3: 'messageSize' must be an integer, got the quoted string "
                        "'5' (write numbers without quotes)");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1.5\n",
                        "w.yaml line 2: 'topics' must be a whole number, got '1.5'");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1e3\n",
                        "w.yaml line 2: 'topics' must be a whole number, got '1e3'");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: [1, 2]\n",
                        "w.yaml line 2: 'topics' must be an integer, got a list");
    EXPECT_WORKLOAD_ERR("name: t\ntopics:\n  - 1\n",
                        "w.yaml line 2: 'topics' must be an integer, got a list");
    EXPECT_WORKLOAD_ERR("name: {a: 1}\n", "w.yaml line 1: 'name' must be a string, got a map");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 010\n",
                        "w.yaml line 2: 'topics' must be written without leading zeros, got '010'");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1_000\n",
                        "w.yaml line 2: 'topics' must be an integer, got '1_000'");
    EXPECT_WORKLOAD_ERR(BASE "useRandomizedPayloads: yes\n",
                        "w.yaml line 6: 'useRandomizedPayloads' must be true or false, got 'yes'");
    EXPECT_WORKLOAD_ERR(BASE "useRandomizedPayloads: \"true\"\n",
                        "w.yaml line 6: 'useRandomizedPayloads' must be true or false, got the "
                        "quoted string 'true' (write it without quotes)");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 100\nproducerRate: fast\n",
                        "w.yaml line 4: 'producerRate' must be a number, got 'fast'");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 100\nproducerRate: .inf\n",
                        "w.yaml line 4: 'producerRate' must be a number, got '.inf'");
    EXPECT_WORKLOAD_ERR(BASE "keyDistributor: no_key\n",
                        "w.yaml line 6: 'keyDistributor' must be one of NO_KEY, KEY_ROUND_ROBIN, "
                        "RANDOM_NANO, ROUND_ROBIN, RANDOM, got 'no_key'; did you mean 'NO_KEY'?");
}

static void test_workload_out_of_range(void **state)
{
    (void)state;
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: -5\n",
                        "w.yaml line 3: 'messageSize' must be between 1 and 104857600, got -5");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 0\n",
                        "w.yaml line 2: 'topics' must be between 1 and 10000000, got 0");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 99999999999999999999\n",
                        "w.yaml line 2: 'topics' must be between 1 and 10000000, got "
                        "99999999999999999999");
    EXPECT_WORKLOAD_ERR(BASE "randomBytesRatio: 1.5\n",
                        "w.yaml line 6: 'randomBytesRatio' must be between 0 and 1, got 1.5");
    EXPECT_WORKLOAD_ERR(BASE "backlogDrainRatio: 0\n",
                        "w.yaml line 6: 'backlogDrainRatio' must be greater than 0 and at most "
                        "1, got 0");
    EXPECT_WORKLOAD_ERR(BASE "backlogDrainRatio: 1.01\n",
                        "w.yaml line 6: 'backlogDrainRatio' must be between 0 and 1, got 1.01");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 100\nproducerRate: 1\n"
                        "testDurationMinutes: 0\n",
                        "w.yaml line 5: 'testDurationMinutes' must be greater than 0, got 0");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 100\nproducerRate: -1\n",
                        "w.yaml line 4: 'producerRate' must be between 0 and 1000000000, got -1");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 100\nproducerRate: 1e999\n",
                        "w.yaml line 4: 'producerRate' must be between 0 and 1000000000, got "
                        "1e999");
    EXPECT_WORKLOAD_ERR(BASE "producersPerTopic: 0\n",
                        "w.yaml line 6: 'producersPerTopic' must be between 1 and 100000, got 0");
    EXPECT_WORKLOAD_ERR(BASE "warmupDurationMinutes: -1\n",
                        "w.yaml line 6: 'warmupDurationMinutes' must be between 0 and 525600, "
                        "got -1");
}

static void test_workload_missing_and_null(void **state)
{
    (void)state;
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 100\ntestDurationMinutes: 1\n",
                        "w.yaml: missing required key 'producerRate'");
    EXPECT_WORKLOAD_ERR("name: t\ntopics:\nmessageSize: 100\n",
                        "w.yaml line 2: required key 'topics' has no value");
    EXPECT_WORKLOAD_ERR("name: ~\n", "w.yaml line 1: required key 'name' has no value");
    EXPECT_WORKLOAD_ERR("name: \"\"\ntopics: 1\nmessageSize: 100\nproducerRate: 1\n"
                        "testDurationMinutes: 1\n",
                        "w.yaml line 1: 'name' must not be empty");
}

static void test_workload_duplicate_key(void **state)
{
    (void)state;
    EXPECT_WORKLOAD_ERR(BASE "topics: 2\n",
                        "w.yaml line 6: duplicate key 'topics' (first set on line 2)");
}

static void test_workload_combinations(void **state)
{
    (void)state;
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 100\nproducerRate: 0\n"
                        "testDurationMinutes: 1\nconsumerBacklogSizeGB: 10\n",
                        "w.yaml line 6: consumerBacklogSizeGB > 0 needs a fixed producerRate "
                        "(producerRate 0 searches for the maximum rate)");
    EXPECT_WORKLOAD_ERR(BASE "consumerBacklogSizeGB: 1\nsubscriptionsPerTopic: 0\n",
                        "w.yaml line 6: consumerBacklogSizeGB > 0 needs at least one subscription "
                        "to build a backlog for (subscriptionsPerTopic is 0)");
    EXPECT_WORKLOAD_ERR(BASE "useRandomizedPayloads: true\n",
                        "w.yaml line 6: 'randomizedPayloadPoolSize' must be at least 1 when "
                        "useRandomizedPayloads is true, got 0");
    EXPECT_WORKLOAD_ERR(BASE "useRandomizedPayloads: true\nrandomizedPayloadPoolSize: 0\n",
                        "w.yaml line 7: 'randomizedPayloadPoolSize' must be at least 1 when "
                        "useRandomizedPayloads is true, got 0");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\nmessageSize: 104857600\nproducerRate: 1\n"
                        "testDurationMinutes: 1\nuseRandomizedPayloads: true\n"
                        "randomizedPayloadPoolSize: 1000\n",
                        "w.yaml line 7: randomizedPayloadPoolSize 1000 x messageSize 104857600 "
                        "needs more than the 4 GiB allowed for the payload pool");
    EXPECT_WORKLOAD_ERR(BASE "consumerPerSubscription: 0\n",
                        "w.yaml line 6: 'consumerPerSubscription' is 0 but subscriptionsPerTopic "
                        "is 1, and a subscription without consumers never receives (for a "
                        "produce-only test set subscriptionsPerTopic to 0)");
}

/* existingTopicList (Redpanda's fork): topics left out, 0 or the list's length. */
static void test_workload_existing_topics(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "name: t\nexistingTopicList: [orders, payments]\nmessageSize: 1\nproducerRate: 1\n"
        "testDurationMinutes: 1\n",
        "name: t\ntopics: 0\nexistingTopicList:\n  - orders\n  - payments\nmessageSize: 1\n"
        "producerRate: 1\ntestDurationMinutes: 1\n",
        "name: t\ntopics: 2\nexistingTopicList: [orders, payments]\nmessageSize: 1\n"
        "producerRate: 1\ntestDurationMinutes: 1\npartitionsPerTopic: 3\n",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        struct omb_workload w;
        workload_ok(ok[i], &w);
        assert_int_equal(w.topics, 2);
        assert_non_null(w.existing_topics);
        assert_string_equal(w.existing_topics[0], "orders");
        assert_string_equal(w.existing_topics[1], "payments");
        assert_null(w.existing_topics[2]);
        assert_int_equal(w.partitions_given, i == 2);
        omb_workload_free(&w);
    }
    struct omb_workload w;
    workload_ok(BASE, &w);
    assert_null(w.existing_topics);
    assert_false(w.partitions_given);
    omb_workload_free(&w);
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 3\nexistingTopicList: [a, b]\nmessageSize: 1\n"
                        "producerRate: 1\ntestDurationMinutes: 1\n",
                        "w.yaml line 2: 'topics' is 3, but existingTopicList names 2 topic(s): "
                        "leave topics out (or 0) to run on every listed topic");
    EXPECT_WORKLOAD_ERR(BASE "existingTopicList: []\n",
                        "w.yaml line 6: 'existingTopicList' must be a list of topic names, such "
                        "as [orders, payments], not an empty list");
    EXPECT_WORKLOAD_ERR(BASE "existingTopicList: orders\n",
                        "w.yaml line 6: 'existingTopicList' must be a list of topic names, such "
                        "as [orders, payments]");
    EXPECT_WORKLOAD_ERR("name: t\nexistingTopicList: [a, b, a]\nmessageSize: 1\n"
                        "producerRate: 1\ntestDurationMinutes: 1\n",
                        "w.yaml line 2: existingTopicList names 'a' twice");
    EXPECT_WORKLOAD_ERR("name: t\nexistingTopicList:\n  - a\n  - [b]\nmessageSize: 1\n"
                        "producerRate: 1\ntestDurationMinutes: 1\n",
                        "w.yaml line 4: item 2 of existingTopicList must be a topic name");
    /* Without the list, topics stays required and at least 1. */
    EXPECT_WORKLOAD_ERR("name: t\ntopics: 0\nmessageSize: 1\nproducerRate: 1\n"
                        "testDurationMinutes: 1\n",
                        "w.yaml line 2: 'topics' must be between 1 and 10000000, got 0");
    EXPECT_WORKLOAD_ERR(BASE "existingTopicPrefix: bench\n",
                        "w.yaml line 6: 'existingTopicPrefix' is not supported (Redpanda's fork: "
                        "run on existing topics found by name; omb takes them listed by name, in "
                        "existingTopicList)");
}

static void test_workload_payload_errors(void **state)
{
    (void)state;
    write_tmp("ten.data", "0123456789", 10);
    EXPECT_WORKLOAD_ERR(
        BASE "payloadFile: ten.data\n",
        "w.yaml line 6: payload file 'ten.data' is 10 bytes but messageSize is 100");

    char err[1024], expect[PATH_MAX + 200];
    workload_err(BASE "payloadFile: payload/x.data\n", err, sizeof err);
    char *real = realpath(g_tmp, NULL);
    assert_non_null(real);
    snprintf(expect, sizeof expect,
             "w.yaml line 6: payload file 'payload/x.data' not found (looked in %s and the "
             "working directory %s)",
             real, real);
    free(real);
    assert_string_equal(err, expect);

    EXPECT_WORKLOAD_ERR(BASE "payloadFile: /nonexistent/p.data\n",
                        "w.yaml line 6: payload file '/nonexistent/p.data' not found");
    EXPECT_WORKLOAD_ERR(BASE "payloadFile: \"\"\n", "w.yaml line 6: 'payloadFile' is empty");
    EXPECT_WORKLOAD_ERR(BASE "payloadFile: /tmp\n",
                        "w.yaml line 6: payload file '/tmp' (/tmp) is not a regular file");

    /* not used with randomized payloads, as in OMB: a missing file is no error */
    struct omb_workload w;
    workload_ok(BASE "payloadFile: nothere.data\nuseRandomizedPayloads: true\n"
                     "randomizedPayloadPoolSize: 5\n",
                &w);
    assert_null(w.payload_file);
    omb_workload_free(&w);
}

static void test_workload_file_level_errors(void **state)
{
    (void)state;
    char err[1024];
    struct omb_workload w;
    assert_int_equal(chdir(g_tmp), 0);
    assert_int_equal(omb_workload_load("nope.yaml", &w, err, sizeof err), -1);
    assert_string_equal(err, "cannot read workload file 'nope.yaml': No such file or directory");
    assert_int_equal(omb_workload_load(g_tmp, &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "Is a directory"));

    EXPECT_WORKLOAD_ERR("name: t\ntopics: 1\n  messageSize: 100\n",
                        "w.yaml line 3 column 14: YAML syntax error: mapping values are not "
                        "allowed in this context");
    EXPECT_WORKLOAD_ERR("name: t\ntopics: [1\nmessageSize: 100\n",
                        "w.yaml line 3 column 12: YAML syntax error: did not find expected ',' "
                        "or ']' (while parsing a flow sequence, line 2)");
    EXPECT_WORKLOAD_ERR("", "w.yaml: the workload file is empty (it needs at least name, topics, "
                            "messageSize, producerRate and testDurationMinutes)");
    EXPECT_WORKLOAD_ERR("# nothing\n\n", "w.yaml: the workload file is empty (it needs at least "
                                         "name, topics, messageSize, producerRate and "
                                         "testDurationMinutes)");
    EXPECT_WORKLOAD_ERR(
        "- name: t\n- topics: 1\n",
        "w.yaml line 1: a workload must be a map of 'key: value' lines, not a list");
    EXPECT_WORKLOAD_ERR("hello\n",
                        "w.yaml line 1: a workload must be a map of 'key: value' lines, not a "
                        "single value");
    EXPECT_WORKLOAD_ERR(BASE "---\n" BASE, "w.yaml line 6: the file holds more than one YAML "
                                           "document ('---'); put one configuration in each file");
}

/* ---- driver files ------------------------------------------------------------------- */

static void parse_block(const struct omb_driver_conf *c, const char *key, struct kv *kv)
{
    const struct omb_yaml_node *n = omb_yaml_get(c->doc->root, key);
    if (!n) fail_msg("%s: no %s", c->path, key);
    assert_int_equal(n->kind, OMB_YAML_SCALAR);
    char err[256];
    if (omb_properties_parse(n->scalar, kv_add, kv, err, sizeof err) != 0)
        fail_msg("%s %s: %s", c->path, key, err);
}

static void test_reference_drivers_load(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    char ref[PATH_MAX];
    path_join(ref, sizeof ref, g_shared, "omb-reference");
    DIR *top = opendir(ref);
    assert_non_null(top);
    int files = 0, kafka = 0;
    struct dirent *de;
    while ((de = readdir(top))) {
        if (strncmp(de->d_name, "driver-", 7) != 0) continue;
        char dir[PATH_MAX];
        path_join(dir, sizeof dir, ref, de->d_name);
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!ends_with(e->d_name, ".yaml")) continue;
            char p[PATH_MAX], err[1024] = "";
            path_join(p, sizeof p, dir, e->d_name);
            struct omb_driver_conf c;
            if (omb_driver_conf_load_file(p, &c, err, sizeof err) != 0) fail_msg("%s", err);
            assert_true(c.name[0] != '\0');
            assert_true(strncmp(c.driver_class, "io.openmessaging.benchmark.driver.", 34) == 0);
            assert_string_equal(c.path, p);
            assert_int_equal(strlen(c.text), c.text_len);
            assert_true(c.text_len > 0);
            files++;
            if (strcmp(de->d_name, "driver-kafka") == 0) {
                kafka++;
                static const char *const blocks[] = {"topicConfig", "commonConfig",
                                                     "producerConfig", "consumerConfig"};
                for (size_t b = 0; b < 4; b++) {
                    struct kv kv = {0};
                    parse_block(&c, blocks[b], &kv);
                    assert_true(kv.n >= 1);
                    for (size_t i = 0; i < kv.n; i++) {
                        assert_true(kv.key[i][0] != '\0');
                        assert_true(kv.val[i][0] != '\0');
                    }
                    kv_free(&kv);
                }
            }
            omb_driver_conf_free(&c);
        }
        closedir(d);
    }
    closedir(top);
    assert_true(files >= 20);
    assert_true(kafka >= 14);
}

static void test_kafka_latency_blocks(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    char p[PATH_MAX], err[512];
    path_join(p, sizeof p, g_shared, "omb-reference/driver-kafka/kafka-latency.yaml");
    struct omb_driver_conf c;
    if (omb_driver_conf_load_file(p, &c, err, sizeof err) != 0) fail_msg("%s", err);
    assert_string_equal(c.name, "Kafka");
    assert_string_equal(c.driver_class,
                        "io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver");
    assert_string_equal(omb_yaml_get(c.doc->root, "replicationFactor")->scalar, "3");
    struct kv kv = {0};
    parse_block(&c, "producerConfig", &kv);
    assert_int_equal(kv.n, 3);
    expect_pair(&kv, 0, "acks", "all", 1);
    expect_pair(&kv, 1, "linger.ms", "1", 2);
    expect_pair(&kv, 2, "batch.size", "131072", 3);
    kv_free(&kv);
    parse_block(&c, "consumerConfig", &kv);
    assert_string_equal(kv_get(&kv, "auto.offset.reset"), "earliest");
    assert_string_equal(kv_get(&kv, "enable.auto.commit"), "false");
    assert_string_equal(kv_get(&kv, "max.partition.fetch.bytes"), "10485760");
    kv_free(&kv);
    parse_block(&c, "commonConfig", &kv);
    assert_string_equal(kv_get(&kv, "bootstrap.servers"), "localhost:9092");
    kv_free(&kv);
    parse_block(&c, "topicConfig", &kv);
    assert_string_equal(kv_get(&kv, "min.insync.replicas"), "2");
    kv_free(&kv);
    omb_driver_conf_free(&c);
    omb_driver_conf_free(&c);
    omb_driver_conf_free(NULL);
}

static void test_driver_string_and_fixture(void **state)
{
    (void)state;
    char err[512];
    struct omb_driver_conf c;
    const char *t = "name: Loop\ndriverClass: loopback\nextra: {a: 1}\n";
    assert_int_equal(omb_driver_conf_load_string(t, strlen(t), "request body", &c, err, sizeof err),
                     0);
    assert_string_equal(c.path, "request body");
    assert_string_equal(c.name, "Loop");
    assert_string_equal(c.driver_class, "loopback");
    assert_int_equal(c.text_len, strlen(t));
    assert_memory_equal(c.text, t, c.text_len);
    assert_string_equal(c.doc->source, "request body");
    assert_int_equal(omb_yaml_get(c.doc->root, "extra")->kind, OMB_YAML_MAP);
    omb_driver_conf_free(&c);

    char p[PATH_MAX];
    path_join(p, sizeof p, g_source, "tests/data/config/driver-minimal.yml");
    if (omb_driver_conf_load_file(p, &c, err, sizeof err) != 0) fail_msg("%s", err);
    assert_string_equal(c.driver_class, "loopback");
    assert_int_equal(omb_yaml_get(omb_yaml_get(c.doc->root, "somethingElse"), "nested")->n, 2);
    omb_driver_conf_free(&c);
}

static void expect_driver_err(const char *text, const char *expected)
{
    char err[512] = "";
    struct omb_driver_conf c;
    assert_int_equal(omb_driver_conf_load_string(text, strlen(text), "d.yaml", &c, err, sizeof err),
                     -1);
    assert_string_equal(err, expected);
    assert_null(c.doc);
    assert_null(c.name);
    assert_null(c.text);
}

static void test_driver_errors(void **state)
{
    (void)state;
    expect_driver_err("name: Kafka\nreplicationFactor: 3\n",
                      "d.yaml: missing required key 'driverClass'");
    expect_driver_err("name: Kafka\ndriverClass: [a]\n",
                      "d.yaml line 2: 'driverClass' must be a string, got a list");
    expect_driver_err("name: Kafka\ndriverClass:\n",
                      "d.yaml line 2: required key 'driverClass' has no value");
    expect_driver_err("name: ''\ndriverClass: kafka\n", "d.yaml line 1: 'name' must not be empty");
    expect_driver_err(
        "- kafka\n",
        "d.yaml line 1: a driver file must be a map of 'key: value' lines, not a list");
    expect_driver_err("",
                      "d.yaml: the driver file is empty (it needs at least name and driverClass)");
    expect_driver_err("name: a\ndriverClass: b\nname: c\n",
                      "d.yaml line 3: duplicate key 'name' (first set on line 1)");
    expect_driver_err("name: a\ndriverClass: b\nclient:\n  serviceUrl: x\n bad: 1\n",
                      "d.yaml line 5 column 2: YAML syntax error: did not find expected key "
                      "(while parsing a block mapping, line 1)");

    char err[512];
    struct omb_driver_conf c;
    assert_int_equal(omb_driver_conf_load_file("/nonexistent/kafka.yaml", &c, err, sizeof err), -1);
    assert_string_equal(
        err, "cannot read driver file '/nonexistent/kafka.yaml': No such file or directory");
    assert_null(c.name);
}

/* ---- properties --------------------------------------------------------------------- */

static void test_properties_basic(void **state)
{
    (void)state;
    const char *t = "# comment\n"
                    "! also a comment\n"
                    "\n"
                    "a=1\n"
                    "b: 2\n"
                    "c 3\n"
                    "  d = 4  \n"
                    "e\n"
                    "f=\n"
                    "g=x#y\n"
                    "h=a=b\n"
                    "i = : j\n"
                    "   # indented comment\n"
                    "sasl.jaas.config=org.Login required username=\"u\" password=\"p\";";
    struct kv kv = {0};
    char err[256];
    assert_int_equal(omb_properties_parse(t, kv_add, &kv, err, sizeof err), 0);
    assert_int_equal(kv.n, 10);
    expect_pair(&kv, 0, "a", "1", 4);
    expect_pair(&kv, 1, "b", "2", 5);
    expect_pair(&kv, 2, "c", "3", 6);
    expect_pair(&kv, 3, "d", "4", 7);
    expect_pair(&kv, 4, "e", "", 8);
    expect_pair(&kv, 5, "f", "", 9);
    expect_pair(&kv, 6, "g", "x#y", 10);
    expect_pair(&kv, 7, "h", "a=b", 11);
    expect_pair(&kv, 8, "i", ": j", 12);
    expect_pair(&kv, 9, "sasl.jaas.config", "org.Login required username=\"u\" password=\"p\";",
                14);
    kv_free(&kv);
}

static void test_properties_continuation_and_escapes(void **state)
{
    (void)state;
    struct kv kv = {0};
    char err[256];
    const char *t = "list=a,\\\n    b,\\\n    c\nnext=1\n"
                    "path=C:\\\\\nx=1\r\ny=2\r"
                    "# comment \\\nz=3\n"
                    "k\\=x=v\\tw\\u00e9\\u20ac\\uD83D\\uDE00\n"
                    "sp=x\\ \n"
                    "last=end\\";
    assert_int_equal(omb_properties_parse(t, kv_add, &kv, err, sizeof err), 0);
    assert_int_equal(kv.n, 9);
    expect_pair(&kv, 0, "list", "a,b,c", 1);
    expect_pair(&kv, 1, "next", "1", 4);
    expect_pair(&kv, 2, "path", "C:\\", 5);
    expect_pair(&kv, 3, "x", "1", 6);
    expect_pair(&kv, 4, "y", "2", 7);
    expect_pair(&kv, 5, "z", "3", 9); /* a comment does not continue */
    expect_pair(&kv, 6, "k=x", "v\tw\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10);
    expect_pair(&kv, 7, "sp", "x ", 11);
    expect_pair(&kv, 8, "last", "end", 12);
    kv_free(&kv);
}

static void test_properties_errors_and_stop(void **state)
{
    (void)state;
    struct kv kv = {0};
    char err[256];
    assert_int_equal(omb_properties_parse("a=1\nb=\\u12G4\n", kv_add, &kv, err, sizeof err), -1);
    assert_string_equal(err, "line 2: malformed \\uXXXX escape in the value of 'b'");
    kv_free(&kv);
    assert_int_equal(omb_properties_parse("a=\\u0000\n", kv_add, &kv, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 1: malformed"));
    kv_free(&kv);
    assert_int_equal(omb_properties_parse("a=\\uD800x\n", kv_add, &kv, err, sizeof err), -1);
    kv_free(&kv);
    assert_int_equal(omb_properties_parse("ok=1\n\n = x\n", kv_add, &kv, err, sizeof err), -1);
    assert_string_equal(err, "line 3: a property has no key before '='");
    kv_free(&kv);

    kv.stop_after = 2;
    assert_int_equal(omb_properties_parse("a=1\nb=2\nc=3\n", kv_add, &kv, err, sizeof err), 7);
    assert_int_equal(kv.n, 2);
    kv_free(&kv);
    kv.stop_after = 0;

    assert_int_equal(omb_properties_parse(NULL, kv_add, &kv, err, sizeof err), 0);
    assert_int_equal(omb_properties_parse("", kv_add, &kv, err, sizeof err), 0);
    assert_int_equal(omb_properties_parse("\n  \n# x\n", kv_add, &kv, err, sizeof err), 0);
    assert_int_equal(kv.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_tree_positions),
        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_yaml_quote),
        cmocka_unit_test(test_schema_closest),
        cmocka_unit_test(test_schema_apply_direct),
        cmocka_unit_test_teardown(test_reference_workloads_load, restore_cwd),
        cmocka_unit_test_teardown(test_reference_workload_values, restore_cwd),
        cmocka_unit_test_teardown(test_workload_defaults, restore_cwd),
        cmocka_unit_test_teardown(test_workload_full_fixture, restore_cwd),
        cmocka_unit_test_teardown(test_workload_variants, restore_cwd),
        cmocka_unit_test_teardown(test_workload_payload_next_to_file, restore_cwd),
        cmocka_unit_test_teardown(test_workload_unknown_keys, restore_cwd),
        cmocka_unit_test_teardown(test_workload_wrong_types, restore_cwd),
        cmocka_unit_test_teardown(test_workload_out_of_range, restore_cwd),
        cmocka_unit_test_teardown(test_workload_missing_and_null, restore_cwd),
        cmocka_unit_test_teardown(test_workload_duplicate_key, restore_cwd),
        cmocka_unit_test_teardown(test_workload_combinations, restore_cwd),
        cmocka_unit_test_teardown(test_workload_existing_topics, restore_cwd),
        cmocka_unit_test_teardown(test_workload_payload_errors, restore_cwd),
        cmocka_unit_test_teardown(test_workload_file_level_errors, restore_cwd),
        cmocka_unit_test(test_reference_drivers_load),
        cmocka_unit_test(test_kafka_latency_blocks),
        cmocka_unit_test(test_driver_string_and_fixture),
        cmocka_unit_test(test_driver_errors),
        cmocka_unit_test(test_properties_basic),
        cmocka_unit_test(test_properties_continuation_and_escapes),
        cmocka_unit_test(test_properties_errors_and_stop),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
