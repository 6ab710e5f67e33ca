/* ensemble.c - remote workers over HTTP with libcurl's multi interface (every call goes to
 * its workers in parallel); see ensemble.h. */
#include "coordinator/ensemble.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/yamldoc.h"
#include "drivers/driver.h"
#include "util/clock.h"
#include "util/clock_offset.h"
#include "util/log.h"
#include "worker/http_worker.h"
#include "worker/wire.h"

#define CONNECT_TIMEOUT_MS 3000
/* /stop-all to a worker given up on: attempts, each with its time limit, and the pause
 * between them (about 8 s in all for a worker that stays frozen). */
#define GIVEN_UP_ATTEMPTS   3
#define GIVEN_UP_TIMEOUT_MS 2000
#define GIVEN_UP_PAUSE_MS   1000
#define MAX_RESPONSE        (256u << 20) /* stats bodies are at most a few MB */
/* Clock offset: exchanges per worker (the fastest is kept) and the time limit of each. */
#define CLOCK_SAMPLES    8
#define CLOCK_TIMEOUT_MS 2000

struct remote {
    char *url;
    CURL *easy;
    bool producer, consumer; /* role in OMB's split */
    bool has_producers;      /* was given producers (counts for the rate split) */
    bool dead;               /* stopped answering: skipped from now on */
    bool given_up;           /* dead, and being sent /stop-all at the end (en_stop_all) */
    bool omb;                /* an omb worker (answers with X-Omb-Worker) */
    /* the current call */
    bool active;
    char *body; /* response */
    size_t len;
    bool overflow;
    long status;
    CURLcode cc;
    char curlerr[CURL_ERROR_SIZE];
    struct curl_slist *hdrs;
    /* Its envelope producer ids, as /omb/clock said when the load started. */
    int32_t id_base;
    int64_t nids;
    /* Clock exchanges: when the request was about to leave (connected) and when the first
     * line of the answer came in, on our clock. */
    int64_t sending_ns, answer_ns;
};

struct ensemble {
    struct omb_worker base;
    struct omb_ensemble_options opt;
    struct remote *r;
    size_t n;
    CURLM *multi;
    char *auth; /* "Authorization: Bearer ..." or NULL */
    long long seq;
    char name[64];
    /* Where the round robin of producers and of consumers goes on: setup comes in chunks
     * (run.c), and the placement must be the one a single call would make. */
    size_t next_producer, next_consumer;
    /* Per worker: its clock offset, estimated when the load starts (clocks_known). */
    struct omb_clock_report *clocks;
    bool clocks_known;
};

static struct ensemble *ens_of(struct omb_worker *w) { return (struct ensemble *)w; }

/* ---- HTTP ---------------------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct remote *r = ctx;
    size_t n = size * nmemb;
    if (r->overflow || n > MAX_RESPONSE - r->len) {
        r->overflow = true;
        return 0; /* aborts the transfer */
    }
    char *b = realloc(r->body, r->len + n + 1);
    if (!b) return 0;
    memcpy(b + r->len, p, n);
    r->len += n;
    b[r->len] = '\0';
    r->body = b;
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct remote *r = ctx;
    size_t n = size * nmemb, k = strlen(OMB_HDR_WORKER);
    if (n > k && !strncasecmp(p, OMB_HDR_WORKER, k) && p[k] == ':') r->omb = true;
    if (!r->answer_ns) r->answer_ns = omb_now_ns();
    return n;
}

static int on_prereq(void *ctx, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    ((struct remote *)ctx)->sending_ns = omb_now_ns();
    return CURL_PREREQFUNC_OK;
}

/* What the caller wants sent to worker i (NULL: nothing to this worker). */
struct call {
    const char *method; /* "GET" or "POST" */
    const char *path;
    long timeout_ms;
    int retries;         /* extra attempts after a transport failure (idempotent calls) */
    const char *body;    /* the same body for everyone, or NULL */
    char *const *bodies; /* per worker (overrides body), or NULL */
    const char *ctype;
    const char *header; /* one extra header line, or NULL */
    bool skip_dead;     /* leave dead workers out silently (stop-all) */
    bool first_only;    /* the first worker only (OMB's leader creates topics) */
    bool quiet;         /* the caller reports every failure itself */
};

static void reset_remote(struct remote *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
    r->overflow = false;
    r->status = 0;
    r->cc = CURLE_OK;
    r->curlerr[0] = '\0';
    curl_slist_free_all(r->hdrs);
    r->hdrs = NULL;
    r->sending_ns = r->answer_ns = 0;
}

static void setup(struct ensemble *e, struct remote *r, const struct call *c, const char *body)
{
    char url[2048];
    reset_remote(r);
    snprintf(url, sizeof url, "%s%s", r->url, c->path);
    CURL *h = r->easy;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* One connection per request: libcurl silently re-sends a request on a reused
     * connection that closes without an answer, which would drain a Java worker's period
     * twice or start its load twice. Retries are ours, and only where they are safe. */
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->curlerr);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    r->hdrs = curl_slist_append(r->hdrs, "Expect:"); /* no 100-continue round trip */
    if (e->auth) r->hdrs = curl_slist_append(r->hdrs, e->auth);
    if (c->header) r->hdrs = curl_slist_append(r->hdrs, c->header);
    if (!strcmp(c->method, "POST")) {
        char ct[128];
        snprintf(ct, sizeof ct, "Content-Type: %s", c->ctype ? c->ctype : "application/json");
        r->hdrs = curl_slist_append(r->hdrs, ct);
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
}

/* Runs every active transfer to its end. */
static void perform(struct ensemble *e)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->r[i].active) curl_multi_add_handle(e->multi, e->r[i].easy);
    int running = 1;
    while (running) {
        if (curl_multi_perform(e->multi, &running) != CURLM_OK) break;
        if (running) curl_multi_poll(e->multi, NULL, 0, 100, NULL);
    }
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(e->multi, &left)))
        if (m->msg == CURLMSG_DONE)
            for (size_t i = 0; i < e->n; i++)
                if (e->r[i].easy == m->easy_handle) e->r[i].cc = m->data.result;
    for (size_t i = 0; i < e->n; i++)
        if (e->r[i].active) {
            curl_easy_getinfo(e->r[i].easy, CURLINFO_RESPONSE_CODE, &e->r[i].status);
            curl_multi_remove_handle(e->multi, e->r[i].easy);
        }
}

static void describe_failure(const struct remote *r, const char *path, char *err, size_t errlen)
{
    if (r->cc != CURLE_OK || r->status == 0) {
        snprintf(err, errlen, "worker %s stopped answering (%s: %s)", r->url, path,
                 r->overflow ? "response too large"
                             : (r->curlerr[0] ? r->curlerr : curl_easy_strerror(r->cc)));
        return;
    }
    char msg[768];
    omb_wire_error_text(r->body, r->len, msg, sizeof msg);
    snprintf(err, errlen, "worker %s: %s failed (HTTP %ld)%s%s", r->url, path, r->status,
             msg[0] ? ": " : "", msg);
}

/*
 * Sends @p c to every worker selected by @p sel (a role predicate), in parallel. Returns 0
 * when every selected worker answered 200; otherwise -1 with the first failure in @p err
 * (all answers are still collected). A worker that did not answer at all is marked dead.
 */
static int call(struct ensemble *e, bool (*sel)(const struct remote *), const struct call *c,
                char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < e->n; i++) {
        struct remote *r = &e->r[i];
        const char *body = c->bodies ? c->bodies[i] : c->body;
        r->active = (!sel || sel(r)) && (!c->bodies || body) && (!c->first_only || i == 0);
        if (!r->active) continue;
        if (r->dead) {
            r->active = false;
            if (c->skip_dead) continue;
            if (rc == 0) snprintf(err, errlen, "worker %s is not answering", r->url);
            rc = -1;
            continue;
        }
        setup(e, r, c, body);
    }
    for (int attempt = 0;; attempt++) {
        perform(e);
        bool again = false;
        for (size_t i = 0; i < e->n; i++) {
            struct remote *r = &e->r[i];
            if (!r->active) continue;
            bool transport = r->cc != CURLE_OK || r->status == 0;
            if (transport && attempt < c->retries) {
                omb_warn("worker %s: %s: %s; trying again", r->url, c->path,
                         r->curlerr[0] ? r->curlerr : curl_easy_strerror(r->cc));
                setup(e, r, c, c->bodies ? c->bodies[i] : c->body);
                again = true;
                continue;
            }
            r->active = false;
            if (r->status == 200 && !transport) continue;
            if (transport) r->dead = true;
            if (rc == 0) {
                describe_failure(r, c->path, err, errlen);
            } else if (!c->quiet) {
                char more[1024];
                describe_failure(r, c->path, more, sizeof more);
                omb_error("%s", more);
            }
            rc = -1;
        }
        if (!again) break;
        omb_sleep_ns(250000000); /* ride over a blip rather than hit it again at once */
    }
    return rc;
}

static bool is_producer(const struct remote *r) { return r->producer; }
static bool is_consumer(const struct remote *r) { return r->consumer; }
static bool has_producers(const struct remote *r) { return r->has_producers; }

/* ---- operations ---------------------------------------------------------------------- */

/* Whether the driver can connect this many workers (one shared cluster): say so now
 * instead of timing out in the readiness probe. */
static int check_shared_cluster(const struct ensemble *e, const struct omb_driver_conf *conf,
                                char *err, size_t errlen)
{
    char lerr[256];
    const struct omb_driver_ops *ops = omb_driver_lookup(conf->driver_class, lerr, sizeof lerr);
    return ops ? omb_drv_check_workers(ops, conf, e->n, err, errlen) : 0;
}

static int en_initialize(struct omb_worker *w, const struct omb_driver_conf *conf, char *err,
                         size_t errlen)
{
    struct ensemble *e = ens_of(w);
    if (check_shared_cluster(e, conf, err, errlen) != 0) return -1;
    e->next_producer = e->next_consumer = 0; /* a new run: placement starts over */
    e->clocks_known = false;
    char *text = strndup(conf->text ? conf->text : "", conf->text_len);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct call c = {.method = "POST",
                     .path = "/initialize-driver",
                     .body = text,
                     .ctype = "application/yaml",
                     .timeout_ms = e->opt.setup_timeout_ms};
    int rc = call(e, NULL, &c, err, errlen);
    free(text);
    for (size_t i = 0; i < e->n; i++) e->r[i].has_producers = false;
    return rc;
}

static int en_create_topics(struct omb_worker *w, int n, int partitions, char ***names, char *err,
                            size_t errlen)
{
    struct ensemble *e = ens_of(w);
    char *body = omb_wire_topics_info(n, partitions);
    struct call c = {.method = "POST",
                     .path = "/create-topics",
                     .body = body,
                     .first_only = true,
                     .timeout_ms = e->opt.setup_timeout_ms};
    int rc = body ? call(e, NULL, &c, err, errlen) : -1;
    free(body);
    if (rc != 0) return -1;
    size_t got = 0;
    char perr[256];
    if (omb_wire_parse_strings(e->r[0].body, e->r[0].len, names, &got, perr, sizeof perr) != 0) {
        snprintf(err, errlen, "worker %s: /create-topics: %s", e->r[0].url, perr);
        return -1;
    }
    if (got != (size_t)n) {
        snprintf(err, errlen, "worker %s created %zu topic(s), %d were asked for", e->r[0].url, got,
                 n);
        omb_wire_free_strings(*names, got);
        *names = NULL;
        return -1;
    }
    return 0;
}

/* Every worker's driver is told (its consumers start at the topics' ends); the first
 * worker's partition counts are the answer, and the others must agree. */
static int en_use_existing_topics(struct omb_worker *w, char *const *topics, size_t n,
                                  int *partitions, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    char *body = omb_wire_strings(topics, n);
    struct call c = {.method = "POST",
                     .path = "/omb/existing-topics",
                     .body = body,
                     .timeout_ms = e->opt.setup_timeout_ms};
    int rc = body ? call(e, NULL, &c, err, errlen) : -1;
    free(body);
    if (rc != 0) return -1;
    int *other = calloc(n ? n : 1, sizeof *other);
    if (!other) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char perr[256];
    for (size_t i = 0; i < e->n && rc == 0; i++) {
        int *got = i ? other : partitions;
        if (omb_wire_parse_counts(e->r[i].body, e->r[i].len, got, n, perr, sizeof perr) != 0) {
            snprintf(err, errlen, "worker %s: /omb/existing-topics: %s", e->r[i].url, perr);
            rc = -1;
        }
        for (size_t k = 0; i && rc == 0 && k < n; k++)
            if (other[k] != partitions[k]) {
                snprintf(err, errlen,
                         "workers %s and %s see topic '%s' with %d and %d partitions: are they "
                         "on one cluster?",
                         e->r[0].url, e->r[i].url, topics[k], partitions[k], other[k]);
                rc = -1;
            }
    }
    free(other);
    return rc;
}

/* Round robin of @p n items over the workers selected by @p sel, as OMB's
 * ListPartition.partitionList: item i goes to the ((*next + i) mod k)-th selected worker;
 * *next moves on by n. Returns per-worker index lists in @p idx (idx[w] holds cnt[w]
 * indexes). */
static int partition(struct ensemble *e, bool (*sel)(const struct remote *), size_t n, size_t *next,
                     size_t **idx, size_t *cnt)
{
    size_t k = 0, *which = calloc(e->n, sizeof *which);
    if (!which) return -1;
    for (size_t i = 0; i < e->n; i++)
        if (sel(&e->r[i])) which[k++] = i;
    for (size_t i = 0; i < e->n; i++) {
        idx[i] = calloc(n / (k ? k : 1) + 1, sizeof **idx);
        cnt[i] = 0;
    }
    for (size_t i = 0; i < n && k; i++) {
        size_t wk = which[(*next + i) % k];
        idx[wk][cnt[wk]++] = i;
    }
    *next += n;
    free(which);
    return 0;
}

static void free_bodies(char **bodies, size_t **idx, size_t *cnt, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (bodies) free(bodies[i]);
        if (idx) free(idx[i]);
    }
    free(bodies);
    free(idx);
    free(cnt);
}

static int en_create_producers(struct omb_worker *w, char *const *topics, size_t n, char *err,
                               size_t errlen)
{
    struct ensemble *e = ens_of(w);
    char **bodies = calloc(e->n, sizeof *bodies);
    size_t **idx = calloc(e->n, sizeof *idx), *cnt = calloc(e->n, sizeof *cnt);
    int rc = -1;
    if (!bodies || !idx || !cnt || partition(e, is_producer, n, &e->next_producer, idx, cnt) != 0)
        goto oom;
    for (size_t i = 0; i < e->n; i++) {
        if (!cnt[i]) continue;
        char **list = calloc(cnt[i], sizeof *list);
        if (!list) goto oom;
        for (size_t k = 0; k < cnt[i]; k++) list[k] = topics[idx[i][k]];
        bodies[i] = omb_wire_strings(list, cnt[i]);
        free(list);
        if (!bodies[i]) goto oom;
    }
    struct call c = {.method = "POST",
                     .path = "/create-producers",
                     .bodies = bodies,
                     .timeout_ms = e->opt.setup_timeout_ms};
    rc = call(e, NULL, &c, err, errlen);
    for (size_t i = 0; i < e->n; i++) e->r[i].has_producers = e->r[i].has_producers || cnt[i] > 0;
    free_bodies(bodies, idx, cnt, e->n);
    return rc;
oom:
    free_bodies(bodies, idx, cnt, e->n);
    snprintf(err, errlen, "out of memory");
    return -1;
}

static int en_create_consumers(struct omb_worker *w, const struct omb_topic_sub *ts, size_t n,
                               char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    char **bodies = calloc(e->n, sizeof *bodies);
    size_t **idx = calloc(e->n, sizeof *idx), *cnt = calloc(e->n, sizeof *cnt);
    int rc = -1;
    if (!bodies || !idx || !cnt || partition(e, is_consumer, n, &e->next_consumer, idx, cnt) != 0)
        goto oom;
    for (size_t i = 0; i < e->n; i++) {
        if (!cnt[i]) continue;
        struct omb_topic_sub *mine = calloc(cnt[i], sizeof *mine);
        if (!mine) goto oom;
        for (size_t k = 0; k < cnt[i]; k++) mine[k] = ts[idx[i][k]];
        bodies[i] = omb_wire_assignment(mine, cnt[i]);
        free(mine);
        if (!bodies[i]) goto oom;
    }
    struct call c = {.method = "POST",
                     .path = "/create-consumers",
                     .bodies = bodies,
                     .timeout_ms = e->opt.setup_timeout_ms};
    rc = call(e, NULL, &c, err, errlen);
    free_bodies(bodies, idx, cnt, e->n);
    return rc;
oom:
    free_bodies(bodies, idx, cnt, e->n);
    snprintf(err, errlen, "out of memory");
    return -1;
}

static int simple(struct ensemble *e, bool (*sel)(const struct remote *), const char *path,
                  long timeout_ms, char *err, size_t errlen)
{
    struct call c = {.method = "POST", .path = path, .timeout_ms = timeout_ms};
    return call(e, sel, &c, err, errlen);
}

static int en_probe(struct omb_worker *w, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    return simple(e, has_producers, "/probe-producers", e->opt.setup_timeout_ms, err, errlen);
}

/* ---- clock offsets ------------------------------------------------------------------- */

/* One GET /omb/clock to @p r on its own, outside the multi handle, so that the exchange's
 * timing holds this worker's round trip only. Returns 0 with the sample, or -1 (r->status
 * and r->cc say why). */
static int clock_exchange(struct ensemble *e, struct remote *r, struct omb_clock_sample *s)
{
    struct call c = {.method = "GET", .path = "/omb/clock", .timeout_ms = CLOCK_TIMEOUT_MS};
    setup(e, r, &c, NULL);
    /* From just before the request leaves (after the TCP handshake) to the first line of the
     * answer (before the rest is read and the connection closed): the tightest interval
     * that surely holds the worker's reading. Handshake and close are left out; counted,
     * they would widen the bound and, being one-sided, skew the midpoint. */
    curl_easy_setopt(r->easy, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(r->easy, CURLOPT_PREREQDATA, r);
    r->cc = curl_easy_perform(r->easy);
    r->status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->cc != CURLE_OK || r->status != 200) return -1;
    if (!r->sending_ns || !r->answer_ns) {
        r->status = 0;
        return -1;
    }
    s->t0 = r->sending_ns;
    s->t2 = r->answer_ns;
    char perr[256];
    if (omb_wire_parse_clock(r->body, r->len, &s->t1, &r->id_base, &r->nids, perr, sizeof perr)) {
        omb_warn("worker %s: /omb/clock: %s", r->url, perr);
        r->status = 0;
        return -1;
    }
    return 0;
}

/* Estimates worker @p i's clock offset into e->clocks[i]. */
static void estimate_clock(struct ensemble *e, size_t i)
{
    struct remote *r = &e->r[i];
    struct omb_clock_report *c = &e->clocks[i];
    memset(c, 0, sizeof *c);
    c->worker = r->url;
    r->nids = 0;
    if (!r->omb) {
        snprintf(c->why, sizeof c->why, "not an omb worker");
        return;
    }
    struct omb_clock_sample s[CLOCK_SAMPLES];
    size_t k = 0;
    for (int a = 0; a < CLOCK_SAMPLES; a++) {
        if (clock_exchange(e, r, &s[k]) == 0) {
            k++;
            continue;
        }
        if (r->status != 0) break; /* an answer, not a blip: asking again will not help */
    }
    struct omb_clock_estimate est;
    if (omb_clock_offset_estimate(s, k, &est) != 0) {
        if (r->status == 404)
            snprintf(c->why, sizeof c->why, "the worker has no /omb/clock (an older omb)");
        else if (r->status)
            snprintf(c->why, sizeof c->why, "/omb/clock answered HTTP %ld", r->status);
        else
            snprintf(c->why, sizeof c->why, "/omb/clock: %.120s",
                     r->curlerr[0] ? r->curlerr : "no valid answer");
        return;
    }
    c->estimated = true;
    c->offset_ns = est.offset_ns;
    c->uncertainty_ns = est.uncertainty_ns;
    omb_info("Worker %s: clock offset %+.3f ms +- %.3f ms (best of %zu exchanges)", r->url,
             (double)est.offset_ns / 1e6, (double)est.uncertainty_ns / 1e6, k);
    if (e->n > 1 && llabs(est.offset_ns) > est.uncertainty_ns)
        omb_warn("Worker %s: its clock is %+.3f ms (+- %.3f ms) off the coordinator's: "
                 "end-to-end latencies between it and other workers are corrected by the "
                 "difference",
                 r->url, (double)est.offset_ns / 1e6, (double)est.uncertainty_ns / 1e6);
}

/* Before the load: every worker's clock offset, and to each consumer worker the offsets of
 * the workers it receives from (by producer id range), so that its end-to-end latencies of
 * their messages are measured on one clock. A worker without an estimate is said so; the
 * latencies that involve it are left as measured. */
static int sync_clocks(struct ensemble *e, char *err, size_t errlen)
{
    size_t missing = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->r[i].dead) {
            e->clocks[i] = (struct omb_clock_report){.worker = e->r[i].url};
            snprintf(e->clocks[i].why, sizeof e->clocks[i].why, "the worker was not answering");
            missing++;
            continue;
        }
        estimate_clock(e, i);
        if (!e->clocks[i].estimated) {
            missing++;
            omb_warn("Worker %s: no clock offset estimate (%s): end-to-end latencies between it "
                     "and other workers include any difference of their clocks",
                     e->r[i].url, e->clocks[i].why);
        }
    }
    e->clocks_known = true;
    if (missing == e->n) return 0;
    char **bodies = calloc(e->n, sizeof *bodies);
    struct omb_clock_peer *peers = calloc(e->n, sizeof *peers);
    int rc = -1;
    if (!bodies || !peers) goto oom;
    size_t sent = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (!e->r[i].consumer || !e->clocks[i].estimated) continue;
        size_t k = 0;
        for (size_t j = 0; j < e->n; j++)
            if (j != i && e->clocks[j].estimated && e->r[j].nids > 0)
                peers[k++] = (struct omb_clock_peer){
                    .base = e->r[j].id_base,
                    .count = e->r[j].nids,
                    .offset_ns = e->clocks[j].offset_ns - e->clocks[i].offset_ns,
                };
        if (!k) continue;
        if (!(bodies[i] = omb_wire_clock_peers(peers, k))) goto oom;
        sent++;
    }
    rc = 0;
    if (sent) {
        struct call c = {.method = "POST",
                         .path = "/omb/clock-peers",
                         .bodies = bodies,
                         .timeout_ms = e->opt.stats_timeout_ms};
        rc = call(e, NULL, &c, err, errlen);
    }
    for (size_t i = 0; i < e->n; i++) free(bodies[i]);
    free(bodies);
    free(peers);
    return rc;
oom:
    free(bodies);
    free(peers);
    snprintf(err, errlen, "out of memory");
    return -1;
}

static size_t en_clock_offsets(struct omb_worker *w, const struct omb_clock_report **out)
{
    struct ensemble *e = ens_of(w);
    *out = e->clocks;
    return e->clocks_known ? e->n : 0;
}

static size_t used_producers(const struct ensemble *e)
{
    size_t k = 0;
    for (size_t i = 0; i < e->n; i++) k += e->r[i].has_producers;
    return k;
}

static int en_start_load(struct omb_worker *w, const struct omb_load_spec *spec, char *err,
                         size_t errlen)
{
    struct ensemble *e = ens_of(w);
    size_t k = used_producers(e);
    if (!k) return 0;
    double rate = spec->rate > 0 ? spec->rate / (double)k : spec->rate;
    char *body = omb_wire_load(spec, rate);
    if (!body) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (sync_clocks(e, err, errlen) != 0) {
        free(body);
        return -1;
    }
    omb_info("Starting the load on %zu producer worker(s) at %.1f msg/s each", k, rate);
    struct call c = {.method = "POST",
                     .path = "/start-load",
                     .body = body,
                     .timeout_ms = e->opt.setup_timeout_ms};
    int rc = call(e, has_producers, &c, err, errlen);
    free(body);
    return rc;
}

static int en_adjust(struct omb_worker *w, double rate, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    size_t k = used_producers(e);
    if (!k) return 0;
    char body[64];
    snprintf(body, sizeof body, "%.17g", rate > 0 ? rate / (double)k : rate);
    struct call c = {.method = "POST",
                     .path = "/adjust-publish-rate",
                     .body = body,
                     .timeout_ms = e->opt.stats_timeout_ms,
                     .retries = 1};
    return call(e, has_producers, &c, err, errlen);
}

static int en_pause(struct omb_worker *w, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    return simple(e, is_consumer, "/pause-consumers", e->opt.stats_timeout_ms, err, errlen);
}

static int en_resume(struct omb_worker *w, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    return simple(e, is_consumer, "/resume-consumers", e->opt.stats_timeout_ms, err, errlen);
}

/* GETs @p path from every worker and merges the answers into @p out (cleared first). */
static int read_stats(struct ensemble *e, const char *path, enum omb_wire_stats_kind kind, bool seq,
                      struct omb_stats_view *out, char *err, size_t errlen)
{
    char hdr[64];
    if (seq) snprintf(hdr, sizeof hdr, OMB_HDR_SEQ ": %lld", ++e->seq);
    struct call c = {.method = "GET",
                     .path = path,
                     .timeout_ms = e->opt.stats_timeout_ms,
                     .retries = 1,
                     .header = seq ? hdr : NULL};
    if (call(e, NULL, &c, err, errlen) != 0) return -1;
    if (kind == OMB_WIRE_COUNTERS)
        memset(out->totals, 0, sizeof out->totals);
    else
        omb_stats_view_clear(out);
    for (size_t i = 0; i < e->n; i++) {
        char perr[512];
        if (omb_wire_parse_stats_add(kind, e->r[i].body, e->r[i].len, out, perr, sizeof perr)) {
            snprintf(err, errlen, "worker %s: %s: %s", e->r[i].url, path, perr);
            return -1;
        }
    }
    return 0;
}

static int en_period(struct omb_worker *w, struct omb_stats_view *out, char *err, size_t errlen)
{
    return read_stats(ens_of(w), "/period-stats", OMB_WIRE_PERIOD, true, out, err, errlen);
}

static int en_cumulative(struct omb_worker *w, struct omb_stats_view *out, char *err, size_t errlen)
{
    return read_stats(ens_of(w), "/cumulative-latencies", OMB_WIRE_CUMULATIVE, true, out, err,
                      errlen);
}

static int en_counters(struct omb_worker *w, struct omb_stats_view *out, char *err, size_t errlen)
{
    return read_stats(ens_of(w), "/counters-stats", OMB_WIRE_COUNTERS, false, out, err, errlen);
}

static int en_reset(struct omb_worker *w, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    struct call c = {.method = "POST",
                     .path = "/reset-stats",
                     .timeout_ms = e->opt.stats_timeout_ms,
                     .retries = 1};
    return call(e, NULL, &c, err, errlen);
}

static bool is_given_up(const struct remote *r) { return r->given_up; }

/* A worker given up on (it stopped answering) may still be producing: a frozen process
 * (SIGSTOP, a VM paused, a long GC) resumes where it stopped, load included. It is sent
 * /stop-all a few times, briefly, and the log says how that went. A worker that never
 * answers stops by itself after its --coordinator-timeout without requests. */
static void stop_given_up(struct ensemble *e, const char *header)
{
    size_t left = 0;
    for (size_t i = 0; i < e->n; i++)
        if (e->r[i].dead) {
            e->r[i].given_up = true;
            left++;
        }
    if (!left) return;
    struct call c = {.method = "POST",
                     .path = "/stop-all",
                     .timeout_ms = GIVEN_UP_TIMEOUT_MS,
                     .header = header,
                     .quiet = true};
    int64_t t0 = omb_now_ns();
    for (int a = 1; a <= GIVEN_UP_ATTEMPTS && left; a++) {
        for (size_t i = 0; i < e->n; i++)
            if (e->r[i].given_up) {
                e->r[i].dead = false; /* call() skips dead workers */
                omb_warn("Worker %s was given up on and may still be producing: sending it "
                         "/stop-all (attempt %d of %d)",
                         e->r[i].url, a, GIVEN_UP_ATTEMPTS);
            }
        char err[1024];
        call(e, is_given_up, &c, err, sizeof err);
        for (size_t i = 0; i < e->n; i++) {
            struct remote *r = &e->r[i];
            if (!r->given_up || r->dead) continue; /* no answer again (call() marks it) */
            r->given_up = false;
            r->dead = true; /* still skipped by anything that follows */
            left--;
            if (r->status == 200)
                omb_info("Worker %s answered /stop-all (attempt %d, %.1f s after the first): "
                         "it stopped its producers and consumers",
                         r->url, a, (double)(omb_now_ns() - t0) / 1e9);
            else {
                describe_failure(r, "/stop-all", err, sizeof err);
                omb_warn("%s; it may still be producing", err);
            }
        }
        if (left && a < GIVEN_UP_ATTEMPTS) omb_sleep_ns((int64_t)GIVEN_UP_PAUSE_MS * 1000000);
    }
    for (size_t i = 0; i < e->n; i++)
        if (e->r[i].given_up) {
            e->r[i].given_up = false;
            omb_warn("Worker %s did not answer /stop-all (%d attempts in %.0f s): it may still "
                     "be producing until its --coordinator-timeout (default %d s without "
                     "requests) stops it; or stop it yourself: curl -X POST %s/stop-all",
                     e->r[i].url, GIVEN_UP_ATTEMPTS, (double)(omb_now_ns() - t0) / 1e9,
                     OMB_WORKER_COORDINATOR_TIMEOUT_S, e->r[i].url);
        }
}

static int en_stop_all(struct omb_worker *w, int keep_topics, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    const char *header = keep_topics ? OMB_HDR_KEEP_TOPICS ": 1" : NULL;
    struct call c = {.method = "POST",
                     .path = "/stop-all",
                     .timeout_ms = e->opt.setup_timeout_ms,
                     .header = header,
                     .skip_dead = true};
    int rc = call(e, NULL, &c, err, errlen);
    stop_given_up(e, header);
    for (size_t i = 0; i < e->n; i++) e->r[i].has_producers = false;
    return rc;
}

static int en_delivery(struct omb_worker *w, struct omb_delivery **out, size_t *n, char *err,
                       size_t errlen)
{
    struct ensemble *e = ens_of(w);
    struct call c = {.method = "GET",
                     .path = "/omb/delivery",
                     .timeout_ms = e->opt.stats_timeout_ms,
                     .retries = 1};
    if (call(e, NULL, &c, err, errlen) != 0) return -1;
    struct omb_wire_delivery d = {0};
    for (size_t i = 0; i < e->n; i++) {
        char perr[512];
        if (omb_wire_parse_delivery_add(e->r[i].body, e->r[i].len, &d, perr, sizeof perr)) {
            snprintf(err, errlen, "worker %s: /omb/delivery: %s", e->r[i].url, perr);
            omb_wire_delivery_free(&d);
            return -1;
        }
    }
    omb_wire_delivery_finish(&d, out, n);
    omb_wire_delivery_free(&d);
    return 0;
}

static int en_stop_producers(struct omb_worker *w, int timeout_ms, char *err, size_t errlen)
{
    struct ensemble *e = ens_of(w);
    char body[32];
    snprintf(body, sizeof body, "%d", timeout_ms);
    struct call c = {.method = "POST",
                     .path = "/omb/stop-producers",
                     .body = body,
                     .timeout_ms = timeout_ms + e->opt.stats_timeout_ms};
    return call(e, has_producers, &c, err, errlen);
}

static void en_destroy(struct omb_worker *w)
{
    struct ensemble *e = ens_of(w);
    if (!e) return;
    for (size_t i = 0; i < e->n; i++) {
        reset_remote(&e->r[i]);
        if (e->r[i].easy) curl_easy_cleanup(e->r[i].easy);
        free(e->r[i].url);
    }
    free(e->r);
    free(e->clocks);
    if (e->multi) curl_multi_cleanup(e->multi);
    free(e->auth);
    free(e);
}

/* What every worker answers, OMB's Java workers included. */
#define ENSEMBLE_OMB_API                                                                           \
    .initialize_driver = en_initialize, .create_topics = en_create_topics,                         \
    .create_producers = en_create_producers, .create_consumers = en_create_consumers,              \
    .probe_producers = en_probe, .start_load = en_start_load, .adjust_rate = en_adjust,            \
    .pause_consumers = en_pause, .resume_consumers = en_resume, .period_stats = en_period,         \
    .cumulative_latencies = en_cumulative, .counters = en_counters, .reset_stats = en_reset,       \
    .stop_all = en_stop_all, .clock_offsets = en_clock_offsets, .destroy = en_destroy

static const struct omb_worker_ops ensemble_ops = {ENSEMBLE_OMB_API};

/* Every worker is an omb worker: the delivery check works across them. */
static const struct omb_worker_ops ensemble_omb_ops = {
    ENSEMBLE_OMB_API,
    .use_existing_topics = en_use_existing_topics,
    .stop_producers = en_stop_producers,
    .delivery = en_delivery,
};

char *omb_worker_url_normalize(const char *url, char *err, size_t errlen)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/') n--;
    const char *host = !strncmp(url, "http://", 7)    ? url + 7
                       : !strncmp(url, "https://", 8) ? url + 8
                                                      : NULL;
    if (!host || (size_t)(host - url) >= n || n > 1024) {
        snprintf(err, errlen, "worker URL '%s' must be http://HOST:PORT or https://HOST:PORT", url);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ') {
            snprintf(err, errlen, "worker URL '%s' contains blanks or control characters", url);
            return NULL;
        }
    return strndup(url, n);
}

struct omb_worker *omb_ensemble_new(char *const *urls, size_t n,
                                    const struct omb_ensemble_options *opt, char *err,
                                    size_t errlen)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    if (n == 0) {
        snprintf(err, errlen, "no workers given");
        return NULL;
    }
    struct ensemble *e = calloc(1, sizeof *e);
    if (!e) goto oom;
    if (opt) e->opt = *opt;
    if (!e->opt.stats_timeout_ms) e->opt.stats_timeout_ms = 4000;
    if (!e->opt.setup_timeout_ms) e->opt.setup_timeout_ms = 120000;
    const char *token = e->opt.token ? e->opt.token : getenv("OMB_WORKER_TOKEN");
    if (token && *token) {
        size_t len = strlen(token) + 32;
        e->auth = malloc(len);
        if (!e->auth) goto oom;
        snprintf(e->auth, len, "Authorization: Bearer %s", token);
    }
    e->base.ops = &ensemble_ops;
    e->base.hist_digits = OMB_HIST_DEFAULT_DIGITS;
    snprintf(e->name, sizeof e->name, "%zu worker(s)", n);
    e->base.name = e->name;
    e->r = calloc(n, sizeof *e->r);
    e->clocks = calloc(n, sizeof *e->clocks);
    e->multi = curl_multi_init();
    if (!e->r || !e->clocks || !e->multi) goto oom;
    e->n = n;
    size_t nprod = n == 1 ? 1 : (e->opt.extra_consumers ? (n + 2) / 3 : n / 2);
    for (size_t i = 0; i < n; i++) {
        e->r[i].url = omb_worker_url_normalize(urls[i], err, errlen);
        if (!e->r[i].url) goto fail;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(e->r[j].url, e->r[i].url)) {
                snprintf(err, errlen, "worker %s is listed twice", e->r[i].url);
                goto fail;
            }
        e->r[i].easy = curl_easy_init();
        if (!e->r[i].easy) goto oom;
        e->r[i].producer = n == 1 || i < nprod;
        e->r[i].consumer = n == 1 || i >= nprod;
    }
    /* Everyone must answer now: a run that would fail at its first step should not start. */
    struct call c = {.method = "GET", .path = "/counters-stats", .timeout_ms = 5000, .quiet = true};
    if (call(e, NULL, &c, err, errlen) != 0) {
        size_t len = (size_t)snprintf(err, errlen, "cannot start: ");
        for (size_t i = 0; i < n && len < errlen; i++) {
            if (!e->r[i].dead && e->r[i].status == 200) continue;
            char one[1024];
            describe_failure(&e->r[i], "/counters-stats", one, sizeof one);
            if (e->r[i].dead)
                snprintf(one, sizeof one, "worker %s is unreachable (%s)", e->r[i].url,
                         e->r[i].curlerr[0] ? e->r[i].curlerr : curl_easy_strerror(e->r[i].cc));
            len += (size_t)snprintf(err + len, errlen - len, "%s%s",
                                    len > strlen("cannot start: ") ? "; " : "", one);
        }
        goto fail;
    }
    size_t java = 0;
    for (size_t i = 0; i < n; i++) java += !e->r[i].omb;
    if (!java) e->base.ops = &ensemble_omb_ops;
    omb_info("Workers: %zu producer worker(s), %zu consumer worker(s)%s%s", n == 1 ? 1 : nprod,
             n == 1 ? 1 : n - nprod, n == 1 ? " (one worker does both)" : "",
             java ? " (some are not omb workers: OMB's protocol only)" : "");
    for (size_t i = 0; i < n; i++)
        omb_info("  %s: %s%s%s", e->r[i].url, e->r[i].producer ? "producer" : "",
                 e->r[i].producer && e->r[i].consumer ? " + " : "",
                 e->r[i].consumer ? "consumer" : "");
    return &e->base;
oom:
    snprintf(err, errlen, "out of memory");
fail:
    if (e) en_destroy(&e->base);
    return NULL;
}

int omb_workers_file_load(const char *path, char ***urls, size_t *n, char *err, size_t errlen)
{
    struct omb_yaml_doc *doc = omb_yaml_load_file(path, err, errlen);
    if (!doc) return -1;
    int rc = -1;
    const struct omb_yaml_node *root = doc->root;
    const struct omb_yaml_node *w =
        root && root->kind == OMB_YAML_MAP ? omb_yaml_get(root, "workers") : NULL;
    if (!w || w->kind != OMB_YAML_SEQ || w->n == 0) {
        snprintf(err, errlen, "%s: needs 'workers:' with a list of worker URLs", path);
        goto out;
    }
    for (size_t i = 0; root && i < root->n; i++)
        if (strcmp(root->keys[i]->scalar, "workers") != 0) {
            snprintf(err, errlen, "%s line %d: unknown key '%s' (only 'workers')", path,
                     root->keys[i]->line, root->keys[i]->scalar);
            goto out;
        }
    char **v = calloc(w->n, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < w->n; i++) {
        const struct omb_yaml_node *u = w->values[i];
        char uerr[512];
        v[i] = u->kind == OMB_YAML_SCALAR ? omb_worker_url_normalize(u->scalar, uerr, sizeof uerr)
                                          : NULL;
        if (!v[i]) {
            snprintf(err, errlen, "%s line %d: %s", path, u->line,
                     u->kind == OMB_YAML_SCALAR ? uerr : "a worker must be a URL");
            omb_wire_free_strings(v, i);
            goto out;
        }
    }
    *urls = v;
    *n = w->n;
    rc = 0;
out:
    omb_yaml_free(doc);
    return rc;
}
