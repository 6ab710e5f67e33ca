/* result.c - see result.h. The result file holds exactly OMB's TestResult fields, with OMB's
 * units and types (publish and end-to-end latencies in ms, doubles; publish delay in us,
 * integers), so OMB's strict reader takes it; everything else goes into the sidecar. */
#include "coordinator/result.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config/yamldoc.h"
#include "load/rate_controller.h"
#include "stats/backlog.h"
#include "util/atomic_file.h"
#include "util/jfmt.h"
#include "util/redact.h"

#define QUANTILE_TICKS 100 /* OMB: histogram.percentiles(100) */

void omb_latency_summarize(const struct omb_hist *h, struct omb_latency_summary *s)
{
    s->count = h->total_count;
    s->avg = omb_hist_mean(h);
    s->min = omb_hist_min(h);
    s->p50 = omb_hist_value_at_percentile(h, 50);
    s->p75 = omb_hist_value_at_percentile(h, 75);
    s->p95 = omb_hist_value_at_percentile(h, 95);
    s->p99 = omb_hist_value_at_percentile(h, 99);
    s->p999 = omb_hist_value_at_percentile(h, 99.9);
    s->p9999 = omb_hist_value_at_percentile(h, 99.99);
    s->max = omb_hist_max(h);
}

void omb_period_from_view(const struct omb_stats_view *v, double seconds,
                          int64_t subscriptions_per_topic, double target_rate, struct omb_period *p)
{
    memset(p, 0, sizeof *p);
    p->seconds = seconds;
    p->sent = v->counters[OMB_C_SENT];
    p->send_errors = v->counters[OMB_C_SEND_ERRORS];
    p->bytes_sent = v->counters[OMB_C_BYTES_SENT];
    p->received = v->counters[OMB_C_RECEIVED];
    p->bytes_received = v->counters[OMB_C_BYTES_RECEIVED];
    p->total_sent = v->totals[OMB_C_SENT];
    p->total_received = v->totals[OMB_C_RECEIVED];
    p->backlog = omb_backlog(subscriptions_per_topic, p->total_sent, p->total_received);
    p->target_rate = target_rate;
    for (int i = 0; i < OMB_NSERIES; i++) omb_latency_summarize(v->hist[i], &p->lat[i]);
}

static double rate(int64_t n, double s) { return s > 0 ? (double)n / s : 0; }
static double ms(double us) { return us / 1000.0; }

void omb_period_line(const struct omb_period *p, char *buf, size_t n)
{
    const struct omb_latency_summary *pub = &p->lat[OMB_PUB_LATENCY];
    const struct omb_latency_summary *del = &p->lat[OMB_PUB_DELAY];
    const struct omb_latency_summary *e2e = &p->lat[OMB_E2E_LATENCY];
    snprintf(buf, n,
             "Pub rate %7.1f msg/s / %4.1f MB/s | Pub err %7.1f err/s | Cons rate %7.1f msg/s / "
             "%4.1f MB/s | Backlog: %4.1f K | Pub Latency (ms) avg: %4.1f - 50%%: %4.1f - 99%%: "
             "%4.1f - 99.9%%: %4.1f - Max: %4.1f | Pub Delay Latency (us) avg: %4.1f - 50%%: "
             "%4.1f - 99%%: %4.1f - 99.9%%: %4.1f - Max: %4.1f | E2E Latency (ms) avg: %4.1f - "
             "50%%: %4.1f - 99%%: %4.1f - 99.9%%: %4.1f - Max: %4.1f",
             rate(p->sent, p->seconds), rate(p->bytes_sent, p->seconds) / 1048576.0,
             rate(p->send_errors, p->seconds), rate(p->received, p->seconds),
             rate(p->bytes_received, p->seconds) / 1048576.0, (double)p->backlog / 1000.0,
             ms(pub->avg), ms((double)pub->p50), ms((double)pub->p99), ms((double)pub->p999),
             ms((double)pub->max), del->avg, (double)del->p50, (double)del->p99, (double)del->p999,
             (double)del->max, ms(e2e->avg), ms((double)e2e->p50), ms((double)e2e->p99),
             ms((double)e2e->p999), ms((double)e2e->max));
}

void omb_aggregate_line(const struct omb_stats_view *cum, char *buf, size_t n)
{
    struct omb_latency_summary pub, del, e2e;
    omb_latency_summarize(cum->hist[OMB_PUB_LATENCY], &pub);
    omb_latency_summarize(cum->hist[OMB_PUB_DELAY], &del);
    omb_latency_summarize(cum->hist[OMB_E2E_LATENCY], &e2e);
    snprintf(buf, n,
             "----- Aggregated Pub Latency (ms) avg: %4.1f - 50%%: %4.1f - 95%%: %4.1f - 99%%: "
             "%4.1f - 99.9%%: %4.1f - 99.99%%: %4.1f - Max: %4.1f | Pub Delay (us)  avg: %4.1f - "
             "50%%: %4.1f - 95%%: %4.1f - 99%%: %4.1f - 99.9%%: %4.1f - 99.99%%: %4.1f - Max: "
             "%4.1f | E2E Latency (ms) avg: %4.1f - 50%%: %4.1f - 95%%: %4.1f - 99%%: %4.1f - "
             "99.9%%: %4.1f - 99.99%%: %4.1f - Max: %4.1f",
             ms(pub.avg), ms((double)pub.p50), ms((double)pub.p95), ms((double)pub.p99),
             ms((double)pub.p999), ms((double)pub.p9999), ms((double)pub.max), del.avg,
             (double)del.p50, (double)del.p95, (double)del.p99, (double)del.p999, (double)del.p9999,
             (double)del.max, ms(e2e.avg), ms((double)e2e.p50), ms((double)e2e.p95),
             ms((double)e2e.p99), ms((double)e2e.p999), ms((double)e2e.p9999), ms((double)e2e.max));
}

/* ---- the JSON ------------------------------------------------------------------------ */

struct omb_result {
    json_t *root; /* the result file: OMB's TestResult fields, nothing else */
    json_t *side; /* the sidecar: omb's figures, "omb" object first */
    size_t periods;
};

/* The eight statistics OMB keeps per latency series, with its key suffixes. */
static const char *const stat_suffix[] = {"Avg",   "50pct",  "75pct",   "95pct",
                                          "99pct", "999pct", "9999pct", "Max"};

static double stat_value(const struct omb_latency_summary *s, int i)
{
    switch (i) {
    case 0:
        return s->avg;
    case 1:
        return (double)s->p50;
    case 2:
        return (double)s->p75;
    case 3:
        return (double)s->p95;
    case 4:
        return (double)s->p99;
    case 5:
        return (double)s->p999;
    case 6:
        return (double)s->p9999;
    default:
        return (double)s->max;
    }
}

/* How each series appears in the JSON: its key prefix, and whether OMB reports it in ms
 * (doubles) or in us (OMB's TestResult: the delay's mean is a double, its percentiles and
 * max are longs). */
static const struct {
    const char *prefix;
    int in_us;
} series_json[OMB_NSERIES] = {
    [OMB_PUB_LATENCY] = {"publishLatency", 0},
    [OMB_PUB_DELAY] = {"publishDelayLatency", 1},
    [OMB_E2E_LATENCY] = {"endToEndLatency", 0},
    [OMB_PUB_LATENCY_CO] = {"publishLatencyCorrected", 0},
    [OMB_E2E_LATENCY_CO] = {"endToEndLatencyCorrected", 0},
};

/* True for the series OMB's TestResult has (in the result file); the corrected ones are
 * omb's (in the sidecar). */
static int in_testresult(int series)
{
    return series == OMB_PUB_LATENCY || series == OMB_PUB_DELAY || series == OMB_E2E_LATENCY;
}

/* Statistic @p stat (index into stat_suffix; 0 is the mean) of @p series, in us. */
static json_t *stat_json(int series, int stat, double us)
{
    if (!series_json[series].in_us) return json_real(us / 1000.0);
    return stat == 0 ? json_real(us) : json_integer((json_int_t)us);
}

static json_t *arr(json_t *root, const char *key)
{
    json_t *a = json_object_get(root, key);
    if (!a) {
        a = json_array();
        json_object_set_new(root, key, a);
    }
    return a;
}

/* Keys whose values are credentials: a report made from the sidecar gets published, so
 * these never reach it. Matched case-insensitively anywhere in the key. */
static bool secret_key(const char *key, size_t len)
{
    static const char *const words[] = {"password", "secret", "token", "credential", "jaas"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t wl = strlen(words[w]);
        for (size_t i = 0; i + wl <= len; i++)
            if (!strncasecmp(key + i, words[w], wl)) return true;
    }
    return false;
}

#define HIDDEN "(hidden)"

/* A scalar of the driver file as recorded: whole value hidden under a secret key; in a
 * properties block (commonConfig ...), each line whose key is secret has its value hidden;
 * anywhere, the password of a URL (amqpUris, natsHostUrl, ...). */
static json_t *setting_json(const char *key, const char *v)
{
    if (key && secret_key(key, strlen(key))) return json_string(HIDDEN);
    char *unsecret = omb_hide_url_passwords(v, HIDDEN);
    if (!unsecret) return json_string(HIDDEN); /* out of memory: nothing shown is safe */
    v = unsecret;
    if (!strchr(v, '\n')) {
        json_t *j = json_string(v);
        free(unsecret);
        return j;
    }
    size_t cap = strlen(v) * 3 + 64, len = 0; /* "jaas\n" -> "jaas=(hidden)\n": < 3x */
    char *out = malloc(cap);
    if (!out) {
        free(unsecret);
        return NULL;
    }
    for (const char *line = v; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        size_t lead = strspn(line, " \t"), k = lead + strcspn(line + lead, "=: \t\n");
        if (k <= n && secret_key(line + lead, k - lead))
            len += (size_t)snprintf(out + len, cap - len, "%.*s=" HIDDEN "%s", (int)k, line,
                                    end ? "\n" : "");
        else
            len += (size_t)snprintf(out + len, cap - len, "%.*s%s", (int)n, line, end ? "\n" : "");
        line = end ? end + 1 : line + n;
    }
    json_t *j = json_string(out);
    free(out);
    free(unsecret);
    return j;
}

/* The driver file as JSON: maps as objects, lists as arrays, every scalar a string (as
 * written: the driver, not omb, gives it a type). */
static json_t *yaml_json(const struct omb_yaml_node *n, const char *key)
{
    if (n->kind == OMB_YAML_SCALAR) return setting_json(key, n->scalar ? n->scalar : "");
    json_t *o = n->kind == OMB_YAML_MAP ? json_object() : json_array();
    for (size_t i = 0; o && i < n->n; i++) {
        if (n->kind == OMB_YAML_MAP) {
            const char *k = n->keys[i]->scalar ? n->keys[i]->scalar : "";
            json_object_set_new(o, k, yaml_json(n->values[i], k));
        } else {
            json_array_append_new(o, yaml_json(n->values[i], key));
        }
    }
    return o;
}

struct omb_result *omb_result_new(const struct omb_result_info *info)
{
    struct omb_result *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    const struct omb_workload *w = info->workload;
    json_t *o = json_object();
    r->root = o;
    r->side = json_object();
    json_object_set_new(o, "workload", json_string(w->name));
    json_object_set_new(o, "driver", json_string(info->driver_name));
    json_object_set_new(o, "messageSize", json_integer(w->message_size));
    json_object_set_new(o, "topics", json_integer(w->topics));
    json_object_set_new(o, "partitions",
                        json_integer(info->partitions ? info->partitions : w->partitions_per_topic));
    json_object_set_new(o, "producersPerTopic", json_integer(w->producers_per_topic));
    json_object_set_new(o, "consumersPerTopic", json_integer(w->consumer_per_subscription));
    /* OMB's per-period arrays, in OMB's order, so they exist even when empty. */
    arr(o, "publishRate");
    arr(o, "publishErrorRate");
    arr(o, "consumeRate");
    arr(o, "backlog");
    for (int s = 0; s < OMB_NSERIES; s++)
        for (int i = 0; in_testresult(s) && i < 8; i++) {
            char key[64];
            snprintf(key, sizeof key, "%s%s", series_json[s].prefix, stat_suffix[i]);
            arr(o, key);
        }

    /* omb's additions: the sidecar. */
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    time_t t = (time_t)(info->start_epoch_ms / 1000);
    struct tm tm;
    char when[64];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *meta = json_object();
    json_object_set_new(meta, "version", json_string(OMB_VERSION));
    json_object_set_new(meta, "startTime", json_string(when));
    json_object_set_new(meta, "host", json_string(host));
    json_object_set_new(meta, "workloadFile", json_string(w->path ? w->path : ""));
    json_object_set_new(meta, "driverFile",
                        json_string(info->driver_file ? info->driver_file : ""));
    if (info->driver_doc && info->driver_doc->kind == OMB_YAML_MAP)
        json_object_set_new(meta, "driverConfig", yaml_json(info->driver_doc, NULL));
    json_object_set_new(meta, "periodSeconds", json_real(info->period_seconds));
    json_object_set_new(meta, "latencyUnits",
                        json_string("publish and end-to-end latencies in ms, publish delay in us"));
    json_t *cfg = json_object();
    json_object_set_new(cfg, "name", json_string(w->name));
    json_object_set_new(cfg, "topics", json_integer(w->topics));
    json_object_set_new(cfg, "partitionsPerTopic", json_integer(w->partitions_per_topic));
    if (w->existing_topics) {
        json_t *list = json_array();
        for (char **e = w->existing_topics; *e; e++) json_array_append_new(list, json_string(*e));
        json_object_set_new(cfg, "existingTopicList", list);
    }
    json_object_set_new(cfg, "keyDistributor",
                        json_string(omb_key_distributor_name(w->key_distributor)));
    json_object_set_new(cfg, "messageSize", json_integer(w->message_size));
    json_object_set_new(cfg, "payloadFile",
                        w->payload_file ? json_string(w->payload_file) : json_null());
    json_object_set_new(cfg, "useRandomizedPayloads", json_boolean(w->use_randomized_payloads));
    json_object_set_new(cfg, "randomBytesRatio", json_real(w->random_bytes_ratio));
    json_object_set_new(cfg, "randomizedPayloadPoolSize",
                        json_integer(w->randomized_payload_pool_size));
    json_object_set_new(cfg, "subscriptionsPerTopic", json_integer(w->subscriptions_per_topic));
    json_object_set_new(cfg, "producersPerTopic", json_integer(w->producers_per_topic));
    json_object_set_new(cfg, "consumerPerSubscription", json_integer(w->consumer_per_subscription));
    json_object_set_new(cfg, "producerRate", json_real(w->producer_rate));
    json_object_set_new(cfg, "consumerBacklogSizeGB", json_real(w->consumer_backlog_size_gb));
    json_object_set_new(cfg, "backlogDrainRatio", json_real(w->backlog_drain_ratio));
    json_object_set_new(cfg, "testDurationMinutes", json_real(w->test_duration_minutes));
    json_object_set_new(cfg, "warmupDurationMinutes", json_real(w->warmup_duration_minutes));
    json_object_set_new(meta, "workloadConfig", cfg);
    json_object_set_new(meta, "complete", json_true());
    json_object_set_new(r->side, "omb", meta);
    return r;
}

void omb_result_free(struct omb_result *r)
{
    if (!r) return;
    json_decref(r->root);
    json_decref(r->side);
    free(r);
}

size_t omb_result_periods(const struct omb_result *r) { return r->periods; }

void omb_result_add_period(struct omb_result *r, const struct omb_period *p, const char *phase)
{
    json_t *o = r->root, *x = r->side;
    json_array_append_new(arr(o, "publishRate"), json_real(rate(p->sent, p->seconds)));
    json_array_append_new(arr(o, "publishErrorRate"), json_real(rate(p->send_errors, p->seconds)));
    json_array_append_new(arr(o, "consumeRate"), json_real(rate(p->received, p->seconds)));
    json_array_append_new(arr(o, "backlog"), json_integer(p->backlog));
    /* OMB's three series in the result, the corrected ones in the sidecar */
    for (int s = 0; s < OMB_NSERIES; s++)
        for (int i = 0; i < 8; i++) {
            char key[64];
            snprintf(key, sizeof key, "%s%s", series_json[s].prefix, stat_suffix[i]);
            json_array_append_new(arr(in_testresult(s) ? o : x, key),
                                  stat_json(s, i, stat_value(&p->lat[s], i)));
        }
    json_array_append_new(arr(x, "publishByteRate"), json_real(rate(p->bytes_sent, p->seconds)));
    json_array_append_new(arr(x, "consumeByteRate"),
                          json_real(rate(p->bytes_received, p->seconds)));
    json_array_append_new(arr(x, "publishLatencyMin"),
                          json_real((double)p->lat[OMB_PUB_LATENCY].min / 1000.0));
    json_array_append_new(arr(x, "endToEndLatencyMin"),
                          json_real((double)p->lat[OMB_E2E_LATENCY].min / 1000.0));
    json_array_append_new(arr(x, "targetRate"), json_real(p->target_rate));
    json_array_append_new(arr(x, "periodSeconds"), json_real(p->seconds));
    json_array_append_new(arr(x, "phase"), json_string(phase ? phase : "test"));
    r->periods++;
}

struct quantile_ctx {
    json_t *map;
    int in_us;
};

static int add_quantile(void *ctx, const struct omb_hist_pct_step *st)
{
    struct quantile_ctx *q = ctx;
    char key[40];
    omb_java_double(st->percentile, key, sizeof key);
    json_object_set_new(q->map, key,
                        q->in_us ? json_integer(st->value) : json_real((double)st->value / 1000.0));
    return 0;
}

void omb_result_set_aggregate(struct omb_result *r, const struct omb_stats_view *cum)
{
    static const char *const agg_prefix[OMB_NSERIES] = {
        [OMB_PUB_LATENCY] = "aggregatedPublishLatency",
        [OMB_PUB_DELAY] = "aggregatedPublishDelayLatency",
        [OMB_E2E_LATENCY] = "aggregatedEndToEndLatency",
        [OMB_PUB_LATENCY_CO] = "aggregatedPublishLatencyCorrected",
        [OMB_E2E_LATENCY_CO] = "aggregatedEndToEndLatencyCorrected",
    };
    for (int s = 0; s < OMB_NSERIES; s++) {
        /* OMB's series: statistics and quantiles in the result (TestResult's fields);
         * omb's corrected series, and every series' min, count and clamped count, in the
         * sidecar. */
        json_t *dst = in_testresult(s) ? r->root : r->side;
        struct omb_latency_summary sum;
        omb_latency_summarize(cum->hist[s], &sum);
        for (int i = 0; i < 8; i++) {
            char key[80];
            snprintf(key, sizeof key, "%s%s", agg_prefix[s], stat_suffix[i]);
            json_object_set_new(dst, key, stat_json(s, i, stat_value(&sum, i)));
        }
        char key[80];
        snprintf(key, sizeof key, "%sMin", agg_prefix[s]);
        json_object_set_new(r->side, key, stat_json(s, 1, (double)sum.min));
        snprintf(key, sizeof key, "%sCount", agg_prefix[s]);
        json_object_set_new(r->side, key, json_integer(sum.count));
        snprintf(key, sizeof key, "%sClamped", agg_prefix[s]);
        json_object_set_new(r->side, key, json_integer(cum->clamped[s]));
        snprintf(key, sizeof key, "%sNegative", agg_prefix[s]);
        json_object_set_new(r->side, key, json_integer(cum->negative[s]));
        /* Quantile maps: keys are the percentile reached, written as Java writes a Double;
         * jansson keeps insertion order, and the walk is ascending, as OMB's TreeMap. */
        struct quantile_ctx q = {.map = json_object(), .in_us = series_json[s].in_us};
        omb_hist_percentiles(cum->hist[s], QUANTILE_TICKS, add_quantile, &q);
        snprintf(key, sizeof key, "%sQuantiles", agg_prefix[s]);
        json_object_set_new(dst, key, q.map);
    }
    json_object_set_new(r->side, "totalMessagesSent", json_integer(cum->totals[OMB_C_SENT]));
    json_object_set_new(r->side, "totalMessagesReceived",
                        json_integer(cum->totals[OMB_C_RECEIVED]));
    json_object_set_new(r->side, "totalMessageSendErrors",
                        json_integer(cum->totals[OMB_C_SEND_ERRORS]));
}

void omb_result_set_clock_offsets(struct omb_result *r, const struct omb_clock_report *c, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "worker", json_string(c[i].worker));
        json_object_set_new(o, "offsetMs",
                            c[i].estimated ? json_real((double)c[i].offset_ns / 1e6) : json_null());
        json_object_set_new(o, "uncertaintyMs",
                            c[i].estimated ? json_real((double)c[i].uncertainty_ns / 1e6)
                                           : json_null());
        if (!c[i].estimated) json_object_set_new(o, "reason", json_string(c[i].why));
        json_array_append_new(a, o);
    }
    json_object_set_new(json_object_get(r->side, "omb"), "clockOffsets", a);
}

void omb_result_set_delivery_unchecked(struct omb_result *r, const char *why)
{
    json_object_set_new(json_object_get(r->side, "omb"), "deliveryNotChecked", json_string(why));
}

void omb_result_set_delivery(struct omb_result *r, const struct omb_delivery *d, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "topic", json_string(d[i].topic));
        json_object_set_new(o, "subscription", json_string(d[i].subscription));
        json_object_set_new(o, "acknowledged", json_integer(d[i].acknowledged));
        json_object_set_new(o, "received", json_integer(d[i].received));
        json_object_set_new(o, "distinct",
                            d[i].positioned ? json_integer(d[i].distinct) : json_null());
        json_object_set_new(o, "missing", json_integer(omb_delivery_missing(&d[i])));
        json_object_set_new(o, "duplicates", json_integer(omb_delivery_duplicates(&d[i])));
        json_object_set_new(o, "foreign", json_integer(d[i].foreign));
        json_array_append_new(a, o);
    }
    json_object_set_new(json_object_get(r->side, "omb"), "delivery", a);
}

void omb_result_set_backlog(struct omb_result *r, int64_t target_messages, double build_seconds,
                            double drain_seconds)
{
    json_t *b = json_object();
    json_object_set_new(b, "targetMessages", json_integer(target_messages));
    json_object_set_new(b, "buildSeconds", json_real(build_seconds));
    json_object_set_new(b, "drainSeconds",
                        drain_seconds >= 0 ? json_real(drain_seconds) : json_null());
    json_object_set_new(b, "drained", json_boolean(drain_seconds >= 0));
    json_object_set_new(json_object_get(r->side, "omb"), "backlog", b);
}

static json_t *real_or_null(double v) { return v > 0 ? json_real(v) : json_null(); }

void omb_result_set_rate_search(struct omb_result *r, const struct omb_rate_search_summary *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "startRate", json_real(s->start_rate));
    json_object_set_new(o, "sustainedRate",
                        s->sustained_periods ? json_real(s->sustained_rate) : json_null());
    json_object_set_new(o, "sustainedMeans", json_string(omb_rate_search_definition));
    json_t *w = json_object();
    json_object_set_new(w, "controlPeriods", json_integer(s->window_periods));
    json_object_set_new(w, "seconds", json_real(s->window_seconds));
    json_object_set_new(w, "sustainedPeriods", json_integer(s->sustained_periods));
    json_object_set_new(o, "window", w);
    json_object_set_new(o, "capacityEstimate", real_or_null(s->capacity_estimate));
    json_object_set_new(o, "lowestFailingRate", real_or_null(s->lowest_failing_rate));
    json_object_set_new(o, "finalTargetRate", json_real(s->final_target));
    /* Consumers short of a fixed fraction of what is sent whatever the rate: losses. */
    json_object_set_new(o, "lossesRecognized", json_integer(s->losses_seen));
    json_object_set_new(o, "lossFractionAtEnd", json_real(s->loss_fraction));
    json_t *a = json_array();
    for (size_t i = 0; i < s->nlast; i++) {
        const struct omb_rate_period *p = &s->last[i];
        json_t *e = json_object();
        json_object_set_new(e, "endSeconds", json_real(p->end_s));
        json_object_set_new(e, "seconds", json_real(p->seconds));
        json_object_set_new(e, "targetRate", json_real(p->target));
        json_object_set_new(e, "publishRate", json_real(p->publish_rate));
        json_object_set_new(e, "consumeRatePerSubscription", json_real(p->consume_rate));
        json_object_set_new(e, "publishBacklogGrowth", json_integer(p->publish_growth));
        json_object_set_new(e, "receiveBacklogGrowth", json_integer(p->receive_growth));
        json_object_set_new(e, "backlog", json_integer(p->backlog));
        json_object_set_new(e, "sustained", json_boolean(p->sustained));
        json_object_set_new(e, "then",
                            json_string(p->action == '-'   ? "lowered"
                                        : p->action == '+' ? "raised"
                                                           : "held"));
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "lastPeriods", a);
    json_object_set_new(json_object_get(r->side, "omb"), "rateSearch", o);
}

void omb_result_set_incomplete(struct omb_result *r, const char *reason)
{
    json_t *meta = json_object_get(r->side, "omb");
    json_object_set_new(meta, "complete", json_false());
    json_object_set_new(meta, "incompleteReason", json_string(reason));
}

void omb_result_sidecar_path(const char *result_path, char *buf, size_t n)
{
    size_t len = strlen(result_path);
    if (len > 5 && !strcmp(result_path + len - 5, ".json")) len -= 5;
    snprintf(buf, n, "%.*s%s", (int)len, result_path, OMB_RESULT_SIDECAR_SUFFIX);
}

/* @p j as indented JSON with a final newline, malloc'ed; NULL when out of memory. */
static char *dump(const json_t *j, size_t *len)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    if (!text) return NULL;
    *len = strlen(text);
    char *line = realloc(text, *len + 2); /* end with a newline, as files do */
    if (!line) {
        free(text);
        return NULL;
    }
    memcpy(line + *len, "\n", 2);
    (*len)++;
    return line;
}

int omb_result_write(const struct omb_result *r, const char *path, char *err, size_t errlen)
{
    char side_path[4096];
    omb_result_sidecar_path(path, side_path, sizeof side_path);
    const char *slash = strrchr(path, '/');
    json_object_set_new(json_object_get(r->side, "omb"), "resultFile",
                        json_string(slash ? slash + 1 : path));
    size_t rlen = 0, slen = 0;
    char *rtext = dump(r->root, &rlen), *stext = dump(r->side, &slen);
    int rc = -1;
    if (!rtext || !stext) {
        snprintf(err, errlen, "cannot write result file '%s': out of memory", path);
        goto out;
    }
    /* Each atomically, the sidecar first: a result never exists without its sidecar (a
     * reader would take it for a Java OMB result and miss, say, that the run was
     * interrupted); a crash in between leaves at most a sidecar alone, which no tool reads
     * without its result, and a failed result write removes the sidecar just written. */
    char why[1024];
    if (omb_write_file_atomic(side_path, "result sidecar", stext, slen, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s (the sidecar of result file '%s')", why, path);
        goto out;
    }
    if (omb_write_file_atomic(path, "result file", rtext, rlen, err, errlen) != 0) {
        unlink(side_path);
        goto out;
    }
    rc = 0;
out:
    free(rtext);
    free(stext);
    return rc;
}
