/* workload.c - loads and validates a workload file (SPEC section 3).
 *
 * Choices a user may notice (keep docs/ in step):
 * - Unknown keys are errors, with the closest valid key suggested (OMB ignores them).
 * - Numbers are strict: `topics: "5"` (quoted), `topics: 1.5`, `topics: 010` (octal in
 *   YAML 1.1, ten in YAML 1.2) and `1_000` are errors rather than guesses. Decimal keys
 *   (producerRate, durations, ratios, consumerBacklogSizeGB) accept integers, decimals and
 *   exponents (`1.5e5`). Booleans are true/false in lower, Title or UPPER case only.
 * - `key:` with no value (or `~`, `null`) means "use the default"; for a required key it
 *   is an error.
 * - Upper bounds, far above any real test, keep arithmetic on the counts (topics x
 *   subscriptions x consumers, pool x messageSize, ...) inside 64 bits: topics <= 10M,
 *   partitionsPerTopic <= 1M, producers/subscriptions/consumers per topic or subscription
 *   <= 100k, messageSize <= 100 MiB, randomizedPayloadPoolSize <= 1M, producerRate <= 1e9
 *   msg/s, consumerBacklogSizeGB <= 1M, durations <= 525600 minutes (one year).
 * - producersPerTopic must be >= 1: a topic nobody writes to gives the readiness probe
 *   nothing to wait for and the test nothing to measure (OMB divides the rate by the
 *   producer count). A produce-only test is `subscriptionsPerTopic: 0` instead.
 * - consumerPerSubscription: 0 is accepted only with subscriptionsPerTopic: 0; a
 *   subscription without consumers would make the readiness wait time out.
 * - consumerBacklogSizeGB > 0 is refused with producerRate 0 (as in OMB) and with
 *   subscriptionsPerTopic 0 (there would be no backlog to build).
 * - useRandomizedPayloads: true needs randomizedPayloadPoolSize >= 1, and the pool
 *   (pool size x messageSize) may take at most 4 GiB.
 * - payloadFile is looked up next to the workload file first, then in the working
 *   directory; the stored path is absolute (realpath), so it opens from any directory.
 *   Its size must equal messageSize. With useRandomizedPayloads: true the file is not
 *   used (as in OMB): it is not checked, payload_file stays NULL and a warning says so.
 * - keyDistributor accepts OMB's names and the aliases ROUND_ROBIN and RANDOM, quoted or
 *   not, case-sensitive (a wrong case gets a suggestion).
 * - existingTopicList (Redpanda's fork) is a non-empty list of distinct topic names; with
 *   it, topics may be left out, or be 0 (as the fork's files write it) or the list's
 *   length, and is set to the length. Whether the topics exist is asked of the broker when
 *   the run starts. existingTopicPrefix, sampleRateMillis and consumerOnly are refused
 *   with what they meant (fork_only below).
 */
#include "config/workload.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/schema.h"
#include "config/yamldoc.h"
#include "util/log.h"

_Static_assert(sizeof(enum omb_key_distributor) == sizeof(int),
               "OMB_FIELD_ENUM writes an int into the key_distributor member");

#define POOL_MAX_BYTES (4.0 * 1024 * 1024 * 1024)

static const char *const key_dist_names[] = {"NO_KEY",      "KEY_ROUND_ROBIN", "RANDOM_NANO",
                                             "ROUND_ROBIN", "RANDOM",          NULL};
static const int key_dist_values[] = {OMB_KEYS_NO_KEY, OMB_KEYS_ROUND_ROBIN, OMB_KEYS_RANDOM_NANO,
                                      OMB_KEYS_ROUND_ROBIN, OMB_KEYS_RANDOM_NANO};

/* What the schema fills: the workload, and the nodes read after it. */
struct loading {
    struct omb_workload w; /* first: W(m) is also its offset in here */
    const struct omb_yaml_node *existing;
};

#define W(m) offsetof(struct omb_workload, m)
static const struct omb_field workload_fields[] = {
    {"name", OMB_FIELD_STRING, W(name), 1, 1, 0, NULL, NULL},
    {"topics", OMB_FIELD_INT, W(topics), 1, 1, 10000000, NULL, NULL},
    {"partitionsPerTopic", OMB_FIELD_INT, W(partitions_per_topic), 0, 1, 1000000, NULL, NULL},
    {"keyDistributor", OMB_FIELD_ENUM, W(key_distributor), 0, 1, 0, key_dist_names,
     key_dist_values},
    {"messageSize", OMB_FIELD_INT, W(message_size), 1, 1, 100 * 1024 * 1024, NULL, NULL},
    {"payloadFile", OMB_FIELD_STRING, W(payload_file), 0, 1, 0, NULL, NULL},
    {"useRandomizedPayloads", OMB_FIELD_BOOL, W(use_randomized_payloads), 0, 1, 0, NULL, NULL},
    {"randomBytesRatio", OMB_FIELD_DOUBLE, W(random_bytes_ratio), 0, 0, 1, NULL, NULL},
    {"randomizedPayloadPoolSize", OMB_FIELD_INT, W(randomized_payload_pool_size), 0, 0, 1000000,
     NULL, NULL},
    {"subscriptionsPerTopic", OMB_FIELD_INT, W(subscriptions_per_topic), 0, 0, 100000, NULL, NULL},
    {"producersPerTopic", OMB_FIELD_INT, W(producers_per_topic), 0, 1, 100000, NULL, NULL},
    {"consumerPerSubscription", OMB_FIELD_INT, W(consumer_per_subscription), 0, 0, 100000, NULL,
     NULL},
    {"producerRate", OMB_FIELD_DOUBLE, W(producer_rate), 1, 0, 1e9, NULL, NULL},
    {"consumerBacklogSizeGB", OMB_FIELD_DOUBLE, W(consumer_backlog_size_gb), 0, 0, 1e6, NULL, NULL},
    {"backlogDrainRatio", OMB_FIELD_DOUBLE, W(backlog_drain_ratio), 0, 0, 1, NULL, NULL},
    {"testDurationMinutes", OMB_FIELD_DOUBLE, W(test_duration_minutes), 1, 0, 525600, NULL, NULL},
    {"warmupDurationMinutes", OMB_FIELD_DOUBLE, W(warmup_duration_minutes), 0, 0, 525600, NULL,
     NULL},
    /* Kept as its YAML node, read by existing_list(). */
    {"existingTopicList", OMB_FIELD_ANY, offsetof(struct loading, existing), 0, 1, 0, NULL, NULL},
};
#define TOPICS_FIELD 1 /* workload_fields[TOPICS_FIELD] is topics */
#undef W

const char *omb_key_distributor_name(enum omb_key_distributor k)
{
    switch (k) {
    case OMB_KEYS_NO_KEY:
        return "NO_KEY";
    case OMB_KEYS_ROUND_ROBIN:
        return "KEY_ROUND_ROBIN";
    case OMB_KEYS_RANDOM_NANO:
        return "RANDOM_NANO";
    }
    return "NO_KEY";
}

void omb_workload_free(struct omb_workload *w)
{
    if (!w) return;
    free(w->path);
    free(w->base_name);
    free(w->name);
    free(w->payload_file);
    if (w->existing_topics)
        for (char **t = w->existing_topics; *t; t++) free(*t);
    free(w->existing_topics);
    memset(w, 0, sizeof *w);
}

static void set_defaults(struct omb_workload *w)
{
    memset(w, 0, sizeof *w);
    w->partitions_per_topic = 1;
    w->key_distributor = OMB_KEYS_NO_KEY;
    w->subscriptions_per_topic = 1;
    w->producers_per_topic = 1;
    w->consumer_per_subscription = 1;
    w->backlog_drain_ratio = 1.0;
    w->warmup_duration_minutes = 1.0;
}

/* "dir/w.yaml" -> "w"; only a trailing .yaml / .yml (any case) is removed. */
static char *make_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && strcasecmp(b + n - 5, ".yaml") == 0)
        n -= 5;
    else if (n > 4 && strcasecmp(b + n - 4, ".yml") == 0)
        n -= 4;
    return strndup(b, n);
}

/* Error at the line of @p key when it is in the file, else without a line. */
static void fail_key(char *err, size_t errlen, const char *source, const struct omb_yaml_node *map,
                     const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void fail_key(char *err, size_t errlen, const char *source, const struct omb_yaml_node *map,
                     const char *key, const char *fmt, ...)
{
    const struct omb_yaml_node *k = key ? omb_yaml_get_key(map, key) : NULL;
    int n = k ? snprintf(err, errlen, "%s line %d: ", source, k->line)
              : snprintf(err, errlen, "%s: ", source);
    if (n < 0 || (size_t)n >= errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* The directory part of @p path ("." when there is none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static char *join_path(const char *dir, const char *file)
{
    size_t a = strlen(dir), b = strlen(file);
    char *s = malloc(a + b + 2);
    if (!s) return NULL;
    memcpy(s, dir, a);
    s[a] = '/';
    memcpy(s + a + 1, file, b + 1);
    return s;
}

/* Resolves w->payload_file (as written) to an absolute path and checks its size.
 * Returns 0, or -1 with @p err. */
static int resolve_payload(struct omb_workload *w, const struct omb_yaml_node *map, char *err,
                           size_t errlen)
{
    const char *src = w->path;
    char shown[80];
    omb_yaml_quote(shown, sizeof shown, w->payload_file);
    if (w->payload_file[0] == '\0') {
        fail_key(err, errlen, src, map, "payloadFile", "'payloadFile' is empty");
        return -1;
    }
    int rc = -1;
    char *dir = dir_of(w->path);
    char *cands[2] = {NULL, NULL};
    size_t ncand = 0;
    if (!dir) goto oom;
    if (w->payload_file[0] == '/') {
        if (!(cands[ncand++] = strdup(w->payload_file))) goto oom;
    } else {
        if (!(cands[ncand++] = join_path(dir, w->payload_file))) goto oom;
        if (!(cands[ncand++] = strdup(w->payload_file))) goto oom;
    }
    for (size_t i = 0; i < ncand; i++) {
        struct stat st;
        if (stat(cands[i], &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) continue;
            fail_key(err, errlen, src, map, "payloadFile", "cannot read payload file %s: %s", shown,
                     strerror(errno));
            goto out;
        }
        if (!S_ISREG(st.st_mode)) {
            fail_key(err, errlen, src, map, "payloadFile",
                     "payload file %s (%s) is not a regular file", shown, cands[i]);
            goto out;
        }
        if (access(cands[i], R_OK) != 0) {
            fail_key(err, errlen, src, map, "payloadFile", "cannot read payload file %s: %s", shown,
                     strerror(errno));
            goto out;
        }
        if ((int64_t)st.st_size != w->message_size) {
            fail_key(err, errlen, src, map, "payloadFile",
                     "payload file %s is %" PRId64 " bytes but messageSize is %" PRId64, shown,
                     (int64_t)st.st_size, w->message_size);
            goto out;
        }
        char *abs = realpath(cands[i], NULL);
        if (!abs) {
            fail_key(err, errlen, src, map, "payloadFile", "cannot resolve payload file %s: %s",
                     shown, strerror(errno));
            goto out;
        }
        free(w->payload_file);
        w->payload_file = abs;
        rc = 0;
        goto out;
    }
    if (w->payload_file[0] == '/') {
        fail_key(err, errlen, src, map, "payloadFile", "payload file %s not found", shown);
    } else {
        char *absdir = realpath(dir, NULL);
        char *cwd = getcwd(NULL, 0);
        fail_key(err, errlen, src, map, "payloadFile",
                 "payload file %s not found (looked in %s and the working directory %s)", shown,
                 absdir ? absdir : dir, cwd ? cwd : "(unknown)");
        free(absdir);
        free(cwd);
    }
    goto out;
oom:
    snprintf(err, errlen, "%s: out of memory", src);
out:
    for (size_t i = 0; i < ncand; i++) free(cands[i]);
    free(dir);
    return rc;
}

/* existingTopicList: distinct, non-empty names; topics left out, 0 or the list's length.
 * Fills w->existing_topics (NULL-terminated) and w->topics. */
static int existing_list(struct omb_workload *w, const struct omb_yaml_node *list,
                         const struct omb_yaml_node *map, char *err, size_t errlen)
{
    const char *src = w->path, *key = "existingTopicList";
    if (list->kind != OMB_YAML_SEQ || list->n == 0) {
        fail_key(err, errlen, src, map, key,
                 "'%s' must be a list of topic names, such as [orders, payments]%s", key,
                 list->kind == OMB_YAML_SEQ ? ", not an empty list" : "");
        return -1;
    }
    const struct omb_yaml_node *topics = omb_yaml_get(map, "topics");
    if (topics && !omb_yaml_is_null(topics) && w->topics != 0 && w->topics != (int64_t)list->n) {
        fail_key(err, errlen, src, map, "topics",
                 "'topics' is %lld, but existingTopicList names %zu topic(s): leave topics out "
                 "(or 0) to run on every listed topic",
                 (long long)w->topics, list->n);
        return -1;
    }
    if (!(w->existing_topics = calloc(list->n + 1, sizeof *w->existing_topics))) {
        snprintf(err, errlen, "%s: out of memory", src);
        return -1;
    }
    for (size_t i = 0; i < list->n; i++) {
        const struct omb_yaml_node *v = list->values[i];
        if (v->kind != OMB_YAML_SCALAR || omb_yaml_is_null(v) || !v->scalar[0]) {
            snprintf(err, errlen, "%s line %d: item %zu of existingTopicList must be a topic name",
                     src, v->line, i + 1);
            return -1;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(w->existing_topics[k], v->scalar)) {
                snprintf(err, errlen, "%s line %d: existingTopicList names '%s' twice", src,
                         v->line, v->scalar);
                return -1;
            }
        if (!(w->existing_topics[i] = strdup(v->scalar))) {
            snprintf(err, errlen, "%s: out of memory", src);
            return -1;
        }
    }
    w->topics = (int64_t)list->n;
    return 0;
}

/* Rules that involve more than one key, or bounds the table cannot say (exclusive). */
static int check_combinations(struct omb_workload *w, const struct omb_yaml_node *map, char *err,
                              size_t errlen)
{
    const char *src = w->path;
    if (w->name[0] == '\0') {
        fail_key(err, errlen, src, map, "name", "'name' must not be empty");
        return -1;
    }
    if (!(w->test_duration_minutes > 0)) {
        fail_key(err, errlen, src, map, "testDurationMinutes",
                 "'testDurationMinutes' must be greater than 0, got %g", w->test_duration_minutes);
        return -1;
    }
    if (!(w->backlog_drain_ratio > 0)) {
        fail_key(err, errlen, src, map, "backlogDrainRatio",
                 "'backlogDrainRatio' must be greater than 0 and at most 1, got %g",
                 w->backlog_drain_ratio);
        return -1;
    }
    if (w->use_randomized_payloads && w->randomized_payload_pool_size < 1) {
        const char *at = omb_yaml_get_key(map, "randomizedPayloadPoolSize")
                             ? "randomizedPayloadPoolSize"
                             : "useRandomizedPayloads";
        fail_key(err, errlen, src, map, at,
                 "'randomizedPayloadPoolSize' must be at least 1 when useRandomizedPayloads is "
                 "true, got %" PRId64,
                 w->randomized_payload_pool_size);
        return -1;
    }
    if (w->use_randomized_payloads &&
        (double)w->randomized_payload_pool_size * (double)w->message_size > POOL_MAX_BYTES) {
        fail_key(err, errlen, src, map, "randomizedPayloadPoolSize",
                 "randomizedPayloadPoolSize %" PRId64 " x messageSize %" PRId64
                 " needs more than the 4 GiB allowed for the payload pool",
                 w->randomized_payload_pool_size, w->message_size);
        return -1;
    }
    if (w->consumer_per_subscription == 0 && w->subscriptions_per_topic > 0) {
        fail_key(err, errlen, src, map, "consumerPerSubscription",
                 "'consumerPerSubscription' is 0 but subscriptionsPerTopic is %" PRId64
                 ", and a subscription without consumers never receives (for a produce-only "
                 "test set subscriptionsPerTopic to 0)",
                 w->subscriptions_per_topic);
        return -1;
    }
    if (w->consumer_backlog_size_gb > 0 && w->producer_rate == 0) {
        fail_key(err, errlen, src, map, "consumerBacklogSizeGB",
                 "consumerBacklogSizeGB > 0 needs a fixed producerRate (producerRate 0 searches "
                 "for the maximum rate)");
        return -1;
    }
    if (w->consumer_backlog_size_gb > 0 && w->subscriptions_per_topic == 0) {
        fail_key(err, errlen, src, map, "consumerBacklogSizeGB",
                 "consumerBacklogSizeGB > 0 needs at least one subscription to build a backlog "
                 "for (subscriptionsPerTopic is 0)");
        return -1;
    }
    return 0;
}

/* Keys that OMB's forks added and that users carry over, and omb does not honour:
 * each is refused with what it meant and what to do instead, rather than with "unknown
 * key" (a typo) or, worse, a run that silently ignores it. */
static const struct {
    const char *key, *meaning;
} fork_only[] = {
    {"existingTopicPrefix",
     "Redpanda's fork: run on existing topics found by name; omb takes them listed by name, "
     "in existingTopicList"},
    {"sampleRateMillis",
     "Redpanda's fork: the statistics period; omb sets it on the command line with --period "
     "SECONDS"},
    {"consumerOnly",
     "OMB forks: drain a backlog with the producers stopped; omb's backlog phases keep the "
     "producers running, as OMB does"},
};

static int fork_keys(const struct omb_yaml_node *root, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof fork_only / sizeof fork_only[0]; i++)
        if (omb_yaml_get_key(root, fork_only[i].key)) {
            fail_key(err, errlen, path, root, fork_only[i].key, "'%s' is not supported (%s)",
                     fork_only[i].key, fork_only[i].meaning);
            return -1;
        }
    return 0;
}

int omb_workload_load(const char *path, struct omb_workload *out, char *err, size_t errlen)
{
    static char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    set_defaults(out);
    if (!path) {
        snprintf(err, errlen, "no workload file given");
        return -1;
    }
    int rc = -1;
    struct omb_yaml_doc *doc = NULL;
    size_t len;
    int errnum;
    char *text = omb_yaml_read_all(path, &len, &errnum);
    if (!text) {
        snprintf(err, errlen, "cannot read workload file '%s': %s", path, omb_yaml_errstr(errnum));
        return -1;
    }
    if (!(out->path = strdup(path)) || !(out->base_name = make_base_name(path))) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    doc = omb_yaml_load_string(text, len, path, err, errlen);
    if (!doc) goto out;
    const struct omb_yaml_node *root = doc->root;
    if (omb_yaml_is_null(root)) {
        snprintf(err, errlen,
                 "%s: the workload file is empty (it needs at least name, topics, messageSize, "
                 "producerRate and testDurationMinutes)",
                 path);
        goto out;
    }
    if (root->kind != OMB_YAML_MAP) {
        snprintf(err, errlen, "%s line %d: a workload must be a map of 'key: value' lines, not %s",
                 path, root->line, root->kind == OMB_YAML_SEQ ? "a list" : "a single value");
        goto out;
    }
    if (fork_keys(root, path, err, errlen) != 0) goto out;
    /* With existingTopicList, topics is the list's length: it may be left out, or be 0. */
    struct omb_field fields[sizeof workload_fields / sizeof workload_fields[0]];
    memcpy(fields, workload_fields, sizeof fields);
    const struct omb_yaml_node *list = omb_yaml_get(root, "existingTopicList");
    if (list && !omb_yaml_is_null(list)) {
        fields[TOPICS_FIELD].required = 0;
        fields[TOPICS_FIELD].min = 0;
    }
    struct loading ld = {.w = *out};
    int applied = omb_schema_apply(doc, root, fields, sizeof fields / sizeof fields[0], 0, &ld,
                                   err, errlen);
    *out = ld.w; /* what was set is freed with out */
    if (applied != 0) goto out;
    out->partitions_given = omb_yaml_get(root, "partitionsPerTopic") &&
                            !omb_yaml_is_null(omb_yaml_get(root, "partitionsPerTopic"));
    if (ld.existing && !omb_yaml_is_null(ld.existing) &&
        existing_list(out, ld.existing, root, err, errlen) != 0)
        goto out;
    if (check_combinations(out, root, err, errlen) != 0) goto out;
    if (out->payload_file && out->use_randomized_payloads) {
        omb_warn("%s: payloadFile is not used because useRandomizedPayloads is true", path);
        free(out->payload_file);
        out->payload_file = NULL;
    }
    if (out->payload_file && resolve_payload(out, root, err, errlen) != 0) goto out;
    rc = 0;
out:
    omb_yaml_free(doc);
    free(text);
    if (rc != 0) {
        /* Leave @p out as after set_defaults: nothing for the caller to free. */
        omb_workload_free(out);
        set_defaults(out);
    }
    return rc;
}
