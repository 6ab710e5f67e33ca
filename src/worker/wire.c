/* wire.c - OMB's worker JSON bodies with jansson; see wire.h. */
#include "worker/wire.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hist_codec.h"
#include "util/base64.h"

#define MAX_ITEMS 10000000 /* topics, producers or subscriptions in one request */

static json_t *load(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *j = json_loadb(body ? body : "", len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!j)
        snprintf(err, errlen, "malformed JSON at line %d column %d: %s", je.line, je.column,
                 je.text);
    return j;
}

static char *dump(json_t *j)
{
    if (!j) return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    json_decref(j);
    return s;
}

static int get_int(json_t *o, const char *key, long long lo, long long hi, long long *out,
                   char *err, size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        snprintf(err, errlen, "'%s' must be an integer in %lld..%lld", key, lo, hi);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

int omb_wire_parse_topics_info(const char *body, size_t len, int *topics, int *partitions,
                               char *err, size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    long long t, p;
    int rc = -1;
    if (!json_is_object(j))
        snprintf(err, errlen, "expected a TopicsInfo object");
    else if (get_int(j, "numberOfTopics", 1, 1000000, &t, err, errlen) == 0 &&
             get_int(j, "numberOfPartitionsPerTopic", 1, 1000000, &p, err, errlen) == 0) {
        *topics = (int)t;
        *partitions = (int)p;
        rc = 0;
    }
    json_decref(j);
    return rc;
}

char *omb_wire_topics_info(int topics, int partitions)
{
    return dump(
        json_pack("{s:i,s:i}", "numberOfTopics", topics, "numberOfPartitionsPerTopic", partitions));
}

void omb_wire_free_strings(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

int omb_wire_parse_strings(const char *body, size_t len, char ***out, size_t *n, char *err,
                           size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    char **v = NULL;
    size_t cnt = json_is_array(j) ? json_array_size(j) : 0;
    if (!json_is_array(j) || cnt > MAX_ITEMS) {
        snprintf(err, errlen, "expected an array of at most %d strings", MAX_ITEMS);
        goto out;
    }
    v = calloc(cnt ? cnt : 1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < cnt; i++) {
        json_t *s = json_array_get(j, i);
        if (!json_is_string(s) || json_string_length(s) == 0 ||
            strlen(json_string_value(s)) != json_string_length(s)) {
            snprintf(err, errlen, "item %zu must be a non-empty string", i);
            omb_wire_free_strings(v, i);
            v = NULL;
            goto out;
        }
        v[i] = strdup(json_string_value(s));
    }
    *out = v;
    *n = cnt;
    rc = 0;
out:
    json_decref(j);
    return rc;
}

char *omb_wire_strings(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) json_array_append_new(a, json_string(v[i]));
    return dump(a);
}

int omb_wire_parse_counts(const char *body, size_t len, int *out, size_t n, char *err,
                          size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    if (!json_is_array(j) || json_array_size(j) != n) {
        snprintf(err, errlen, "expected an array of %zu integers", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(j, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000) {
            snprintf(err, errlen, "item %zu must be an integer from 1 to 1000000", i);
            goto out;
        }
        out[i] = (int)json_integer_value(v);
    }
    rc = 0;
out:
    json_decref(j);
    return rc;
}

char *omb_wire_counts(const int *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) json_array_append_new(a, json_integer(v[i]));
    return dump(a);
}

void omb_wire_free_assignment(struct omb_topic_sub *ts, size_t n)
{
    if (!ts) return;
    for (size_t i = 0; i < n; i++) {
        free(ts[i].topic);
        free(ts[i].subscription);
    }
    free(ts);
}

static const char *nonempty(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

int omb_wire_parse_assignment(const char *body, size_t len, struct omb_topic_sub **out, size_t *n,
                              char *err, size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    json_t *a = json_is_object(j) ? json_object_get(j, "topicsSubscriptions") : NULL;
    size_t cnt = json_is_array(a) ? json_array_size(a) : 0;
    if (!json_is_array(a) || cnt > MAX_ITEMS) {
        snprintf(err, errlen, "expected a ConsumerAssignment {\"topicsSubscriptions\":[...]}");
        goto out;
    }
    struct omb_topic_sub *ts = calloc(cnt ? cnt : 1, sizeof *ts);
    if (!ts) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < cnt; i++) {
        json_t *e = json_array_get(a, i);
        const char *t = json_is_object(e) ? nonempty(e, "topic") : NULL;
        const char *s = json_is_object(e) ? nonempty(e, "subscription") : NULL;
        if (!t || !s) {
            snprintf(err, errlen,
                     "topicsSubscriptions[%zu] needs non-empty 'topic' and 'subscription'", i);
            omb_wire_free_assignment(ts, i);
            goto out;
        }
        ts[i].topic = strdup(t);
        ts[i].subscription = strdup(s);
    }
    *out = ts;
    *n = cnt;
    rc = 0;
out:
    json_decref(j);
    return rc;
}

char *omb_wire_assignment(const struct omb_topic_sub *ts, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:s}", "topic", ts[i].topic, "subscription", ts[i].subscription));
    return dump(json_pack("{s:o}", "topicsSubscriptions", a));
}

void omb_wire_free_load(struct omb_wire_load *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->npayloads; i++) free(l->payloads[i]);
    free(l->payloads);
    memset(l, 0, sizeof *l);
}

static int parse_keys(json_t *v, enum omb_key_distributor *out)
{
    if (!v || json_is_null(v)) {
        *out = OMB_KEYS_NO_KEY; /* Jackson leaves the field at its default */
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s) return -1;
    static const enum omb_key_distributor all[] = {OMB_KEYS_NO_KEY, OMB_KEYS_ROUND_ROBIN,
                                                   OMB_KEYS_RANDOM_NANO};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(s, omb_key_distributor_name(all[i]))) {
            *out = all[i];
            return 0;
        }
    return -1;
}

int omb_wire_parse_load(const char *body, size_t len, struct omb_wire_load *out, char *err,
                        size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    json_t *pd = json_is_object(j) ? json_object_get(j, "payloadData") : NULL;
    json_t *rate = json_is_object(j) ? json_object_get(j, "publishRate") : NULL;
    if (!json_is_array(pd) || json_array_size(pd) == 0 || json_array_size(pd) > 100000) {
        snprintf(err, errlen, "'payloadData' must be an array of 1 to 100000 base64 strings");
        goto out;
    }
    if (!json_is_number(rate) || !isfinite(json_number_value(rate)) ||
        json_number_value(rate) < 0) {
        snprintf(err, errlen, "'publishRate' must be a number >= 0");
        goto out;
    }
    if (parse_keys(json_object_get(j, "keyDistributorType"), &out->keys) != 0) {
        snprintf(err, errlen,
                 "'keyDistributorType' must be NO_KEY, KEY_ROUND_ROBIN or "
                 "RANDOM_NANO");
        goto out;
    }
    out->rate = json_number_value(rate);
    size_t cnt = json_array_size(pd);
    out->payloads = calloc(cnt, sizeof *out->payloads);
    if (!out->payloads) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < cnt; i++) {
        json_t *s = json_array_get(pd, i);
        size_t blen = 0;
        if (!json_is_string(s) || omb_base64_decode(json_string_value(s), json_string_length(s),
                                                    &out->payloads[i], &blen) != 0) {
            snprintf(err, errlen, "payloadData[%zu] is not standard padded base64", i);
            goto bad;
        }
        out->npayloads++;
        if (blen == 0 || (i > 0 && blen != out->payload_size)) {
            snprintf(err, errlen,
                     "payloadData[%zu] has %zu bytes; payloads must be non-empty "
                     "and all of one size (%zu)",
                     i, blen, out->payload_size);
            goto bad;
        }
        out->payload_size = blen;
    }
    rc = 0;
    goto out;
bad:
    omb_wire_free_load(out);
out:
    json_decref(j);
    return rc;
}

char *omb_wire_load(const struct omb_load_spec *spec, double rate)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < spec->npayloads; i++) {
        char *b64;
        size_t blen;
        if (omb_base64_encode(spec->payloads[i], spec->payload_size, &b64, &blen) != 0) {
            json_decref(a);
            return NULL;
        }
        json_array_append_new(a, json_stringn_nocheck(b64, blen));
        free(b64);
    }
    return dump(json_pack("{s:o,s:f,s:s}", "payloadData", a, "publishRate", rate,
                          "keyDistributorType", omb_key_distributor_name(spec->keys)));
}

int omb_wire_parse_number(const char *body, size_t len, double *out, char *err, size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    if (!json_is_number(j) || !isfinite(json_number_value(j)) || json_number_value(j) < 0)
        snprintf(err, errlen, "expected a number >= 0");
    else {
        *out = json_number_value(j);
        rc = 0;
    }
    json_decref(j);
    return rc;
}

/* ---- stats ----------------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum omb_counter c;
    bool total; /* from totals[] rather than counters[] */
} period_counters[] =
    {
        {"messagesSent", OMB_C_SENT, false},
        {"messageSendErrors", OMB_C_SEND_ERRORS, false},
        {"bytesSent", OMB_C_BYTES_SENT, false},
        {"messagesReceived", OMB_C_RECEIVED, false},
        {"bytesReceived", OMB_C_BYTES_RECEIVED, false},
        {"totalMessagesSent", OMB_C_SENT, true},
        {"totalMessageSendErrors", OMB_C_SEND_ERRORS, true},
        {"totalMessagesReceived", OMB_C_RECEIVED, true},
},
  counter_stats[] =
      {
          {"messagesSent", OMB_C_SENT, true},
          {"messagesReceived", OMB_C_RECEIVED, true},
          {"messageSendErrors", OMB_C_SEND_ERRORS, true},
},
  ext_totals[] = {
      {"ombTotalBytesSent", OMB_C_BYTES_SENT, true},
      {"ombTotalBytesReceived", OMB_C_BYTES_RECEIVED, true},
};

static const struct {
    const char *name;
    enum omb_series s;
    bool ext;
} hists[] = {
    {"publishLatency", OMB_PUB_LATENCY, false},
    {"publishDelayLatency", OMB_PUB_DELAY, false},
    {"endToEndLatency", OMB_E2E_LATENCY, false},
    {"ombPublishLatencyCorrected", OMB_PUB_LATENCY_CO, true},
    {"ombEndToEndLatencyCorrected", OMB_E2E_LATENCY_CO, true},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

char *omb_wire_stats(enum omb_wire_stats_kind kind, const struct omb_stats_view *v, bool extended)
{
    json_t *o = json_object();
    if (!o) return NULL;
    if (kind == OMB_WIRE_COUNTERS) {
        for (size_t i = 0; i < N(counter_stats); i++)
            json_object_set_new(o, counter_stats[i].name,
                                json_integer(v->totals[counter_stats[i].c]));
        return dump(o);
    }
    if (kind == OMB_WIRE_PERIOD) {
        for (size_t i = 0; i < N(period_counters); i++) {
            const int64_t *src = period_counters[i].total ? v->totals : v->counters;
            json_object_set_new(o, period_counters[i].name,
                                json_integer(src[period_counters[i].c]));
        }
        if (extended)
            for (size_t i = 0; i < N(ext_totals); i++)
                json_object_set_new(o, ext_totals[i].name,
                                    json_integer(v->totals[ext_totals[i].c]));
    }
    for (size_t i = 0; i < N(hists); i++) {
        if (hists[i].ext && !extended) continue;
        char *b64;
        size_t blen;
        if (omb_hist_encode_compressed_base64(v->hist[hists[i].s], OMB_HIST_ZLIB_FAST, &b64,
                                              &blen) != 0) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, hists[i].name, json_stringn_nocheck(b64, blen));
        free(b64);
    }
    if (extended) {
        json_t *c = json_array(), *neg = json_array();
        for (int s = 0; c && neg && s < OMB_NSERIES; s++) {
            json_array_append_new(c, json_integer(v->clamped[s]));
            json_array_append_new(neg, json_integer(v->negative[s]));
        }
        json_object_set_new(o, "ombClamped", c);
        json_object_set_new(o, "ombNegative", neg);
    }
    return dump(o);
}

static int add_counter(json_t *o, const char *name, int64_t *dst, bool required, char *err,
                       size_t errlen)
{
    json_t *v = json_object_get(o, name);
    if (!v && !required) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        snprintf(err, errlen, "'%s' must be an integer >= 0", name);
        return -1;
    }
    *dst += json_integer_value(v);
    return 0;
}

/* A per-series count array of the extension (ombClamped, ombNegative): added when present;
 * anything but non-negative integers is ignored, as an unknown member would be. */
static void add_series_counts(const json_t *a, int64_t into[OMB_NSERIES])
{
    if (!json_is_array(a)) return;
    for (size_t s = 0; s < OMB_NSERIES && s < json_array_size(a); s++) {
        json_t *x = json_array_get(a, s);
        if (json_is_integer(x) && json_integer_value(x) > 0) into[s] += json_integer_value(x);
    }
}

int omb_wire_parse_stats_add(enum omb_wire_stats_kind kind, const char *body, size_t len,
                             struct omb_stats_view *into, char *err, size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    if (!json_is_object(j)) {
        snprintf(err, errlen, "expected a JSON object");
        goto out;
    }
    if (kind == OMB_WIRE_COUNTERS) {
        for (size_t i = 0; i < N(counter_stats); i++)
            if (add_counter(j, counter_stats[i].name, &into->totals[counter_stats[i].c], true, err,
                            errlen))
                goto out;
        rc = 0;
        goto out;
    }
    if (kind == OMB_WIRE_PERIOD) {
        for (size_t i = 0; i < N(period_counters); i++) {
            int64_t *dst = period_counters[i].total ? into->totals : into->counters;
            if (add_counter(j, period_counters[i].name, &dst[period_counters[i].c], true, err,
                            errlen))
                goto out;
        }
        for (size_t i = 0; i < N(ext_totals); i++)
            if (add_counter(j, ext_totals[i].name, &into->totals[ext_totals[i].c], false, err,
                            errlen))
                goto out;
    }
    for (size_t i = 0; i < N(hists); i++) {
        json_t *v = json_object_get(j, hists[i].name);
        if (!v && hists[i].ext) continue;
        if (!json_is_string(v)) {
            snprintf(err, errlen, "'%s' must be a base64 histogram", hists[i].name);
            goto out;
        }
        struct omb_hist *h = NULL;
        char herr[256];
        if (omb_hist_decode_compressed_base64(json_string_value(v), json_string_length(v), &h, herr,
                                              sizeof herr) != 0) {
            snprintf(err, errlen, "'%s': %s", hists[i].name, herr);
            goto out;
        }
        if (into->hist[hists[i].s]) omb_hist_add(into->hist[hists[i].s], h);
        omb_hist_destroy(h);
    }
    add_series_counts(json_object_get(j, "ombClamped"), into->clamped);
    add_series_counts(json_object_get(j, "ombNegative"), into->negative);
    rc = 0;
out:
    json_decref(j);
    return rc;
}

/* ---- clock ------------------------------------------------------------------------------ */

#define MAX_OFFSET_NS (1000000LL * 1000000000LL) /* 11.6 days: anything larger is garbage */

char *omb_wire_clock(int64_t now_ns, int32_t producer_id_base, int64_t producers)
{
    return dump(json_pack("{s:I,s:I,s:I}", "nowNs", (json_int_t)now_ns, "producerIdBase",
                          (json_int_t)producer_id_base, "producers", (json_int_t)producers));
}

int omb_wire_parse_clock(const char *body, size_t len, int64_t *now_ns, int32_t *producer_id_base,
                         int64_t *producers, char *err, size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    long long now, base, k;
    int rc = -1;
    if (!json_is_object(j))
        snprintf(err, errlen, "expected a JSON object");
    else if (!get_int(j, "nowNs", 1, INT64_MAX, &now, err, errlen) &&
             !get_int(j, "producerIdBase", 0, OMB_PRODUCER_ID_SPACE - 1, &base, err, errlen) &&
             !get_int(j, "producers", 0, OMB_PRODUCER_ID_SPACE, &k, err, errlen)) {
        *now_ns = now;
        *producer_id_base = (int32_t)base;
        *producers = k;
        rc = 0;
    }
    json_decref(j);
    return rc;
}

char *omb_wire_clock_peers(const struct omb_clock_peer *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:I,s:I,s:I}", "producerIdBase", (json_int_t)p[i].base,
                                           "producers", (json_int_t)p[i].count, "offsetNs",
                                           (json_int_t)p[i].offset_ns));
    return a ? dump(json_pack("{s:o}", "peers", a)) : NULL;
}

int omb_wire_parse_clock_peers(const char *body, size_t len, struct omb_clock_peer **out, size_t *n,
                               char *err, size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    struct omb_clock_peer *v = NULL;
    json_t *a = json_is_object(j) ? json_object_get(j, "peers") : NULL;
    if (!json_is_array(a) || json_array_size(a) > MAX_ITEMS) {
        snprintf(err, errlen, "expected {\"peers\":[...]}");
        goto out;
    }
    size_t k = json_array_size(a);
    if (k && !(v = calloc(k, sizeof *v))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < k; i++) {
        json_t *o = json_array_get(a, i);
        long long base, cnt, off;
        char e[200];
        if (!json_is_object(o)) {
            snprintf(err, errlen, "peers[%zu] must be an object", i);
            goto out;
        }
        if (get_int(o, "producerIdBase", 0, OMB_PRODUCER_ID_SPACE - 1, &base, e, sizeof e) ||
            get_int(o, "producers", 0, OMB_PRODUCER_ID_SPACE, &cnt, e, sizeof e) ||
            get_int(o, "offsetNs", -MAX_OFFSET_NS, MAX_OFFSET_NS, &off, e, sizeof e)) {
            snprintf(err, errlen, "peers[%zu]: %s", i, e);
            goto out;
        }
        v[i] = (struct omb_clock_peer){.base = (int32_t)base, .count = cnt, .offset_ns = off};
    }
    *out = v;
    *n = k;
    v = NULL;
    rc = 0;
out:
    free(v);
    json_decref(j);
    return rc;
}

/* ---- delivery -------------------------------------------------------------------------- */

/* {"<partition>": [[lo, hi], ...], ...} */
static json_t *positions_json(const struct omb_positions *p)
{
    json_t *o = json_object();
    for (size_t k = 0; o && k < p->nparts; k++) {
        const struct omb_ranges *r = &p->part[k].ranges;
        if (!r->n) continue;
        json_t *a = json_array();
        for (size_t i = 0; a && i < r->n; i++)
            json_array_append_new(
                a, json_pack("[I,I]", (json_int_t)r->r[i][0], (json_int_t)r->r[i][1]));
        char key[24];
        snprintf(key, sizeof key, "%d", (int)p->part[k].partition);
        json_object_set_new(o, key, a);
    }
    return o;
}

char *omb_wire_delivery(char *const *topics, const int64_t *acked, size_t ntopics,
                        const struct omb_delivery *subs, size_t nsubs)
{
    json_t *a = json_object(), *r = json_array();
    for (size_t i = 0; a && i < ntopics; i++)
        json_object_set_new(a, topics[i], json_integer(acked[i]));
    for (size_t i = 0; r && i < nsubs; i++) {
        json_t *e = json_pack("{s:s,s:s,s:I}", "topic", subs[i].topic, "subscription",
                              subs[i].subscription, "received", (json_int_t)subs[i].received);
        if (e && subs[i].foreign)
            json_object_set_new(e, "foreign", json_integer(subs[i].foreign));
        /* Positions only when known: their absence makes the coordinator count instead. */
        if (e && subs[i].positioned)
            json_object_set_new(e, "positions", positions_json(&subs[i].positions));
        json_array_append_new(r, e);
    }
    return dump(json_pack("{s:o,s:o}", "acknowledged", a, "received", r));
}

/* Adds a "positions" object to @p into. Returns 0, -1 malformed (err set), -2 no memory. */
static int parse_positions(json_t *o, struct omb_positions *into, char *err, size_t errlen)
{
    const char *key;
    json_t *ranges;
    json_object_foreach(o, key, ranges)
    {
        char *end;
        long part = strtol(key, &end, 10);
        if (!*key || *end || part < 0 || part >= OMB_POSITIONS_MAX_PARTITIONS ||
            !json_is_array(ranges)) {
            snprintf(err, errlen, "positions: '%s' is not a partition with a list of ranges", key);
            return -1;
        }
        for (size_t i = 0; i < json_array_size(ranges); i++) {
            json_t *x = json_array_get(ranges, i);
            json_t *lo = json_array_get(x, 0), *hi = json_array_get(x, 1);
            if (json_array_size(x) != 2 || !json_is_integer(lo) || !json_is_integer(hi) ||
                json_integer_value(lo) < 0 || json_integer_value(hi) <= json_integer_value(lo)) {
                snprintf(err, errlen, "positions['%s'][%zu] must be [lo, hi] with 0 <= lo < hi",
                         key, i);
                return -1;
            }
            if (omb_positions_add(into, (int32_t)part, json_integer_value(lo),
                                  json_integer_value(hi)) != 0)
                return -2;
        }
    }
    return 0;
}

int omb_wire_parse_delivery_add(const char *body, size_t len, struct omb_wire_delivery *d,
                                char *err, size_t errlen)
{
    json_t *j = load(body, len, err, errlen);
    if (!j) return -1;
    int rc = -1;
    json_t *a = json_object_get(j, "acknowledged"), *r = json_object_get(j, "received");
    if (!json_is_object(a) || !json_is_array(r) || json_object_size(a) > MAX_ITEMS ||
        json_array_size(r) > MAX_ITEMS) {
        snprintf(err, errlen, "expected {\"acknowledged\":{..},\"received\":[..]}");
        goto out;
    }
    const char *topic;
    json_t *v;
    json_object_foreach(a, topic, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(err, errlen, "acknowledged['%s'] must be an integer >= 0", topic);
            goto out;
        }
        size_t i;
        for (i = 0; i < d->ntopics; i++)
            if (!strcmp(d->topics[i], topic)) break;
        if (i == d->ntopics) {
            char **t = realloc(d->topics, (i + 1) * sizeof *t);
            if (t) d->topics = t;
            int64_t *n = realloc(d->acked, (i + 1) * sizeof *n);
            if (n) d->acked = n;
            if (!t || !n || !(d->topics[i] = strdup(topic))) goto oom;
            d->acked[i] = 0;
            d->ntopics++;
        }
        d->acked[i] += json_integer_value(v);
    }
    for (size_t k = 0; k < json_array_size(r); k++) {
        json_t *e = json_array_get(r, k), *n = json_object_get(e, "received");
        const char *t = nonempty(e, "topic"), *s = nonempty(e, "subscription");
        if (!t || !s || !json_is_integer(n) || json_integer_value(n) < 0) {
            snprintf(err, errlen, "received[%zu] needs topic, subscription and a count", k);
            goto out;
        }
        size_t i;
        for (i = 0; i < d->nsubs; i++)
            if (!strcmp(d->subs[i].topic, t) && !strcmp(d->subs[i].subscription, s)) break;
        if (i == d->nsubs) {
            struct omb_delivery *x = realloc(d->subs, (i + 1) * sizeof *x);
            if (!x) goto oom;
            d->subs = x;
            memset(&x[i], 0, sizeof x[i]);
            x[i].positioned = true; /* until a part comes without positions */
            x[i].topic = strdup(t);
            x[i].subscription = strdup(s);
            d->nsubs++;
        }
        d->subs[i].received += json_integer_value(n);
        json_t *f = json_object_get(e, "foreign"); /* optional: absent means none */
        if (f && (!json_is_integer(f) || json_integer_value(f) < 0)) {
            snprintf(err, errlen, "received[%zu].foreign must be an integer >= 0", k);
            goto out;
        }
        d->subs[i].foreign += f ? json_integer_value(f) : 0;
        /* Positioned only if every worker's part of the subscription is;
         * omb_wire_delivery_finish then counts the merged positions. */
        json_t *pos = json_object_get(e, "positions");
        if (json_is_object(pos)) {
            int prc = parse_positions(pos, &d->subs[i].positions, err, errlen);
            if (prc == -2) goto oom;
            if (prc) goto out;
        } else if (pos && !json_is_null(pos)) {
            snprintf(err, errlen, "received[%zu].positions must be an object", k);
            goto out;
        } else if (json_integer_value(n) > 0) {
            d->subs[i].positioned = false;
        }
    }
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    json_decref(j);
    return rc;
}

void omb_wire_delivery_finish(struct omb_wire_delivery *d, struct omb_delivery **out, size_t *n)
{
    for (size_t i = 0; i < d->nsubs; i++) {
        for (size_t t = 0; t < d->ntopics; t++)
            if (!strcmp(d->topics[t], d->subs[i].topic)) d->subs[i].acknowledged = d->acked[t];
        if (d->subs[i].positioned) d->subs[i].distinct = omb_positions_count(&d->subs[i].positions);
    }
    *out = d->subs;
    *n = d->nsubs;
    d->subs = NULL;
    d->nsubs = 0;
}

void omb_wire_delivery_free(struct omb_wire_delivery *d)
{
    omb_wire_free_strings(d->topics, d->ntopics);
    free(d->acked);
    omb_delivery_free(d->subs, d->nsubs);
    memset(d, 0, sizeof *d);
}

char *omb_wire_error(const char *msg) { return dump(json_pack("{s:s}", "error", msg ? msg : "")); }

void omb_wire_error_text(const char *body, size_t len, char *out, size_t outlen)
{
    if (outlen) out[0] = '\0';
    json_error_t je;
    json_t *j = body && len ? json_loadb(body, len, 0, &je) : NULL;
    const char *s = json_is_object(j) ? json_string_value(json_object_get(j, "error")) : NULL;
    if (s) snprintf(out, outlen, "%s", s);
    json_decref(j);
}
