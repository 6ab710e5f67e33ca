/* test_tools_generate.c - `omb generate` (tools/generate.c): OMB's own template gives its
 * 7 x 7 = 49 workloads, every file loads with the loader `omb run` uses, names follow OMB's
 * nameFormat (exact k/m suffixes, max-rate), and template errors name the line and key and
 * leave nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <unistd.h>

#include "config/workload.h"
#include "config/yamldoc.h"
#include "tools/tools.h"
#include "tools_testutil.h"

/* Runs `omb generate -t TEMPLATE -o DIR`; returns the exit code and the messages. */
static int generate(const char *tmpl, const char *dir, char **out)
{
    const char *argv[] = {"-t", tmpl, "-o", dir};
    return tt_run(omb_tool_generate_main, 4, argv, out);
}

/* Names of the *.yaml files in @p dir, without the extension (malloc'ed; count in *n). */
static char **yaml_names(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    char **v = calloc(1000, sizeof *v);
    *n = 0;
    if (!d) return v;
    struct dirent *e;
    while ((e = readdir(d)) && *n < 1000) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml"))
            v[(*n)++] = strndup(e->d_name, len - 5);
    }
    closedir(d);
    return v;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void test_omb_template(void **state)
{
    (void)state;
    TT_REQUIRE_SHARED();
    char tmp[TT_DIRLEN], dir[PATH_MAX], tmpl[PATH_MAX], p[PATH_MAX];
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(dir, sizeof dir, "%s/out", tmp);
    tt_path(tmpl, sizeof tmpl, "%s/omb-reference/tool/src/test/resources/template.yaml",
            tt_shared());
    char *out = NULL;
    int rc = generate(tmpl, dir, &out);
    if (rc != 0) fail_msg("generate failed (%d): %s", rc, out);
    /* payloadFile is relative and not next to the output: a warning, not an error. */
    assert_non_null(strstr(out, "payloadFile 'payload/payload-100b.data' is not found"));
    assert_non_null(strstr(out, "wrote 49 workload file(s)"));
    free(out);

    size_t n;
    char **names = yaml_names(dir, &n);
    assert_int_equal(n, 49);
    assert_int_equal(tt_count_entries(dir), 49); /* no temporary files left */

    /* With the payload file where the workloads expect it (and the size the template's
     * messageSize says), every file loads as `omb run` loads it. */
    tt_path(p, sizeof p, "%s/payload", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    tt_path(p, sizeof p, "%s/payload/payload-100b.data", dir);
    FILE *f = fopen(p, "wb");
    for (int i = 0; i < 10000; i++) fputc('x', f);
    fclose(f);

    bool seen[7][7] = {{false}};
    for (size_t i = 0; i < n; i++) {
        char err[1024];
        struct omb_workload w;
        tt_path(p, sizeof p, "%s/%s.yaml", dir, names[i]);
        if (omb_workload_load(p, &w, err, sizeof err) != 0) fail_msg("%s", err);
        assert_string_equal(w.name, names[i]); /* the name is the file name */
        assert_int_equal(w.topics, 1);
        assert_int_equal(w.partitions_per_topic, 1);
        assert_int_equal(w.message_size, 10000);
        assert_int_equal(w.subscriptions_per_topic, 1);
        assert_true(w.producer_rate == 50000);
        assert_true(w.test_duration_minutes == 15);
        assert_true(w.consumer_backlog_size_gb == 0);
        int pi = (int)log2((double)w.producers_per_topic);
        int ci = (int)log2((double)w.consumer_per_subscription);
        assert_true(pi >= 0 && pi < 7 && ci >= 0 && ci < 7);
        assert_false(seen[pi][ci]);
        seen[pi][ci] = true;
        char want[128];
        snprintf(want, sizeof want, "1-topics-1-partitions-10kb-%" PRId64 "p-%" PRId64 "c-50k",
                 w.producers_per_topic, w.consumer_per_subscription);
        assert_string_equal(w.name, want);
        omb_workload_free(&w);

        /* payloadFile is kept as the template wrote it. */
        struct omb_yaml_doc *doc = omb_yaml_load_file(p, err, sizeof err);
        assert_non_null(doc);
        assert_string_equal(omb_yaml_get(doc->root, "payloadFile")->scalar,
                            "payload/payload-100b.data");
        omb_yaml_free(doc);
    }
    free_names(names, n);
    tt_rmtree(tmp);
}

static void test_names_and_lists(void **state)
{
    (void)state;
    char tmp[TT_DIRLEN], dir[PATH_MAX], tmpl[PATH_MAX];
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(dir, sizeof dir, "%s/a/b", tmp); /* created, parents too */
    tt_path(tmpl, sizeof tmpl, "%s/t.yaml", tmp);
    tt_write_file(tmpl, "nameFormat: \"${messageSize}b-${producerRate}-${keyDistributor}-"
                        "${subscriptionsPerTopic}s-${testDurationMinutes}m\"\n"
                        "topics: 1\n"
                        "messageSize: [1024, 1500000, 999]\n"
                        "producerRate: [1e7, 1234567, 0.5]\n"
                        "keyDistributor: [NO_KEY, \"RANDOM\"]\n"
                        "testDurationMinutes: 0.5\n");
    char *out = NULL;
    int rc = generate(tmpl, dir, &out);
    if (rc != 0) fail_msg("generate failed (%d): %s", rc, out);
    free(out);
    size_t n;
    char **names = yaml_names(dir, &n);
    assert_int_equal(n, 3 * 3 * 2);
    free_names(names, n);
    /* Counts as OMB's countToDisplaySize writes them: divided, the rest dropped (1024 ->
     * "1k", 1500000 -> "1m", 1234567 -> "1m"); a value that is not a whole number as it is. */
    static const char *const expect[] = {"1kb-max-rate-NO_KEY-1s-0.5m", "1mb-1m-RANDOM-1s-0.5m",
                                         "999b-0.5-NO_KEY-1s-0.5m", "999b-max-rate-RANDOM-1s-0.5m"};
    for (size_t i = 0; i < 4; i++) {
        char p[PATH_MAX], err[1024];
        struct omb_workload w;
        tt_path(p, sizeof p, "%s/%s.yaml", dir, expect[i]);
        if (omb_workload_load(p, &w, err, sizeof err) != 0) fail_msg("%s", err);
        assert_string_equal(w.name, expect[i]);
        assert_true(w.test_duration_minutes == 0.5);
        omb_workload_free(&w);
    }
    tt_rmtree(tmp);
}

/* OMB's WorkloadNameFormatTest: the same workload gets the same name. */
static void test_omb_name_vector(void **state)
{
    (void)state;
    char tmp[TT_DIRLEN], dir[PATH_MAX], tmpl[PATH_MAX];
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(dir, sizeof dir, "%s/out", tmp);
    tt_path(tmpl, sizeof tmpl, "%s/t.yaml", tmp);
    tt_write_file(tmpl, "topics: 1456\npartitionsPerTopic: 2123\nmessageSize: 617890\n"
                        "producersPerTopic: 45\nconsumerPerSubscription: 541\n"
                        "producerRate: 1000000\n");
    char *out = NULL;
    int rc = generate(tmpl, dir, &out);
    if (rc != 0) fail_msg("generate failed (%d): %s", rc, out);
    free(out);
    char p[PATH_MAX];
    tt_path(p, sizeof p, "%s/1k-topics-2k-partitions-617kb-45p-541c-1m.yaml", dir);
    if (access(p, F_OK) != 0) fail_msg("OMB names it 1k-topics-2k-partitions-617kb-45p-541c-1m");
    tt_rmtree(tmp);
}

struct bad_case {
    const char *text;
    const char *message;
};

static void test_template_errors(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"topic: [1]\nmessageSize: 10\nproducerRate: 5\n",
         "t.yaml line 1: unknown key 'topic'; did you mean 'topics'?"},
        {"topics: [1]\nmessageSize: 10\nproducersPerTopic:\n  - 1\n  - 0\nproducerRate: 5\n",
         "t.yaml line 5 (workload '1-topics-1-partitions-10b-0p-1c-5'): 'producersPerTopic' "
         "must be between 1 and 100000, got 0"},
        {"nameFormat: fixed\ntopics: [1, 2]\nmessageSize: 10\nproducerRate: 5\n",
         "t.yaml line 1: 'nameFormat' gives the same name 'fixed' to workloads that differ in "
         "'topics'; add ${topics} to nameFormat"},
        {"nameFormat: \"${messageSize}b\"\ntopics: 1\nmessageSize: [1000, 1500]\nproducerRate: "
         "5\n",
         "t.yaml line 1: 'nameFormat' gives the same name '1kb' to workloads that differ in "
         "'messageSize': names show counts as OMB does, rounded down to k, m, g (1500 -> 1k); "
         "choose values that differ once rounded"},
        {"nameFormat: \"${topic}-x\"\ntopics: [1, 2]\nmessageSize: 10\nproducerRate: 5\n",
         "t.yaml line 1: 'nameFormat' uses 'topic', which is not a workload key; did you mean "
         "'${topics}'?"},
        {"nameFormat: \"${topics\"\ntopics: 1\nmessageSize: 10\nproducerRate: 5\n",
         "'nameFormat' has a '${' without its '}'"},
        {"nameFormat: \"a/${topics}\"\ntopics: 1\nmessageSize: 10\nproducerRate: 5\n",
         "t.yaml line 1: 'nameFormat' gives the name 'a/1', which cannot be a file name"},
        {"name: x\ntopics: 1\nmessageSize: 10\nproducerRate: 5\n",
         "t.yaml line 1: 'name' is not a template key"},
        {"topics: [1, 2]\nmessageSize: 10\n", "t.yaml: missing 'producerRate'"},
        {"topics: []\nmessageSize: 10\nproducerRate: 0\n",
         "t.yaml line 1: 'topics' is an empty list, which gives no workload"},
        {"topics: [1, {a: 1}]\nmessageSize: 10\nproducerRate: 0\n",
         "t.yaml line 1: item 2 of 'topics' must be a value, not a map"},
        {"topics: {a: 1}\nmessageSize: 10\nproducerRate: 0\n",
         "'topics' must be a value or a list of values, not a map"},
        {"topics: 1\nmessageSize: 10\nproducerRate: 0\nconsumerBacklogSizeGB: [0, 1]\n",
         "t.yaml line 4 (workload '1-topics-1-partitions-10b-1p-1c-0'): consumerBacklogSizeGB "
         "> 0 needs a fixed producerRate"},
        {"topics: 1\nmessageSize: 10\nproducerRate: 0\nkeyDistributor: [NO_KEY, ROUNDROBIN]\n"
         "nameFormat: \"${keyDistributor}\"\n",
         "t.yaml line 4 (workload 'ROUNDROBIN'): 'keyDistributor' must be one of"},
        {"- 1\n- 2\n", "t.yaml line 1: a template must be a map"},
        {"", "t.yaml: the template is empty"},
        {"topics: [1\n", "t.yaml"},
        {"topics: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\npartitionsPerTopic: [1, 2, 3, 4, 5, 6, 7, 8, "
         "9, 10]\nmessageSize: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nproducersPerTopic: [1, 2, 3, 4, "
         "5, 6, 7, 8, 9, 10]\nproducerRate: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n",
         "more than 100000 combinations"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char tmp[TT_DIRLEN], dir[PATH_MAX], tmpl[PATH_MAX];
        tt_mkdtemp(tmp, sizeof tmp);
        tt_path(dir, sizeof dir, "%s/out", tmp);
        tt_path(tmpl, sizeof tmpl, "%s/t.yaml", tmp);
        tt_write_file(tmpl, cases[i].text);
        char *out = NULL;
        int rc = generate(tmpl, dir, &out);
        if (rc != 2 || !strstr(out, cases[i].message))
            fail_msg("case %zu: exit %d, '%s' lacks '%s'", i, rc, out, cases[i].message);
        /* Nothing written, not even a temporary file. */
        assert_int_equal(tt_count_entries(dir), 0);
        free(out);
        tt_rmtree(tmp);
    }
}

static void test_all_or_nothing_and_usage(void **state)
{
    (void)state;
    char tmp[TT_DIRLEN], dir[PATH_MAX], tmpl[PATH_MAX], p[PATH_MAX];
    char *out = NULL;
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(dir, sizeof dir, "%s/out", tmp);
    tt_path(tmpl, sizeof tmpl, "%s/t.yaml", tmp);
    /* The last combination is bad: none of the good ones is written either. */
    tt_write_file(tmpl, "producersPerTopic: [1, 2, 0]\ntopics: [1, 2, 3]\nmessageSize: 10\n"
                        "producerRate: 5\n");
    assert_int_equal(generate(tmpl, dir, &out), 2);
    assert_non_null(strstr(out, "t.yaml line 1 (workload '1-topics-1-partitions-10b-0p-1c-5')"));
    assert_int_equal(tt_count_entries(dir), 0);
    free(out);

    const char *none[] = {"-o", dir};
    assert_int_equal(tt_run(omb_tool_generate_main, 2, none, &out), 2);
    assert_non_null(strstr(out, "-t TEMPLATE.yaml is required"));
    free(out);
    const char *stray[] = {"-t", tmpl, "-o", dir, "extra"};
    assert_int_equal(tt_run(omb_tool_generate_main, 5, stray, &out), 2);
    assert_non_null(strstr(out, "unexpected argument 'extra'"));
    free(out);
    tt_path(p, sizeof p, "%s/missing.yaml", tmp);
    assert_int_equal(generate(p, dir, &out), 2);
    assert_non_null(strstr(out, "missing.yaml"));
    free(out);
    /* The output is a file, not a directory. */
    tt_path(p, sizeof p, "%s/file", tmp);
    tt_write_file(p, "x");
    tt_write_file(tmpl, "topics: 1\nmessageSize: 10\nproducerRate: 5\n");
    assert_int_equal(generate(tmpl, p, &out), 2);
    assert_non_null(strstr(out, "is not a directory"));
    free(out);
    tt_rmtree(tmp);
}

static void test_payload_checks(void **state)
{
    (void)state;
    char tmp[TT_DIRLEN], dir[PATH_MAX], tmpl[PATH_MAX], p[PATH_MAX];
    char *out = NULL;
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(dir, sizeof dir, "%s/out", tmp);
    tt_path(tmpl, sizeof tmpl, "%s/t.yaml", tmp);
    tt_path(p, sizeof p, "%s/out", tmp);
    mkdir(p, 0700);
    tt_path(p, sizeof p, "%s/out/p.data", tmp);
    tt_write_file(p, "0123456789"); /* 10 bytes */
    tt_write_file(tmpl, "topics: 1\nmessageSize: [10, 20]\nproducerRate: 5\n"
                        "payloadFile: p.data\ntestDurationMinutes: 1\n");
    assert_int_equal(generate(tmpl, dir, &out), 0);
    /* 10 matches; 20 does not, and that is said once. */
    assert_null(strstr(out, "messageSize is 10;"));
    assert_non_null(strstr(out, "t.yaml line 4: payloadFile 'p.data'"));
    assert_non_null(strstr(out, "is 10 bytes but messageSize is 20"));
    free(out);
    char err[1024];
    struct omb_workload w;
    tt_path(p, sizeof p, "%s/1-topics-1-partitions-10b-1p-1c-5.yaml", dir);
    if (omb_workload_load(p, &w, err, sizeof err) != 0) fail_msg("%s", err);
    assert_non_null(strstr(w.payload_file, "/out/p.data"));
    omb_workload_free(&w);
    tt_rmtree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_omb_template),
        cmocka_unit_test(test_names_and_lists),
        cmocka_unit_test(test_omb_name_vector),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_all_or_nothing_and_usage),
        cmocka_unit_test(test_payload_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
