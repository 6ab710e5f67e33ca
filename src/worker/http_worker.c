/* http_worker.c - OMB's worker HTTP API over libmicrohttpd, each endpoint a call into a local
 * worker; see http_worker.h. One request is served at a time (the worker contract is
 * single-threaded); /metrics shares the same lock.
 *
 * Hostile or broken clients must not lock the coordinator out: many connections are
 * allowed (CONN_LIMIT, at most PER_IP_LIMIT from one address), idle ones are closed after
 * IDLE_TIMEOUT_S, and a connection that has not completed its request headers within
 * HEADER_DEADLINE_S of being accepted (a slowloris trickling a byte every few seconds,
 * which an idle timeout never ends) is shut down by the sweeper thread. Near a limit, the
 * sweeper also shuts the oldest connections that are between requests (idle keep-alive
 * ones, or still sending headers), which HTTP allows at any time, so that a new client
 * finds room. */
#include "worker/http_worker.h"
#include "util/signals.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/driver_conf.h"
#include "drivers/driver.h"
#include "stats/hist.h"
#include "util/cli.h"
#include "util/clock.h"
#include "util/log.h"
#include "worker/local_worker.h"
#include "worker/wire.h"

#define DEFAULT_MAX_BODY      (4u << 20)
#define DEFAULT_MAX_LOAD_BODY (64u << 20)

#define CONN_LIMIT        1024u /* connections per port (fewer when RLIMIT_NOFILE is low) */
#define PER_IP_LIMIT      256u  /* connections per client address and port */
#define IDLE_TIMEOUT_S    15u   /* idle: closed (OMB's coordinator reads every 10 s) */
#define HEADER_DEADLINE_S 5     /* from accept to the end of the first request's headers */

/* A connection, for the header deadline. */
struct conn {
    struct conn *prev, *next;
    int fd;
    struct sockaddr_storage addr; /* the client's */
    int64_t since_ns;             /* accepted, or the end of its previous request */
    bool reused;                  /* served a request already: the idle timeout alone applies */
    bool in_request;              /* headers complete; the request is being served */
    bool shut;
};

struct omb_http_worker {
    struct omb_http_worker_options opt;
    struct MHD_Daemon *api, *stats;
    pthread_mutex_t lock; /* one worker call at a time */
    struct omb_worker *worker;
    bool initialized;
    struct omb_driver_conf conf; /* the driver file the worker was initialized with */
    struct omb_stats_view view;
    /* The last /period-stats answer to an omb coordinator, for a repeated X-Omb-Seq. */
    long long last_seq;
    char *last_period;
    bool load_running;       /* between /start-load and /stop-all */
    bool no_clock;           /* OMB_TEST_NO_CLOCK_ENDPOINT: /omb/clock answers 404 */
    int64_t last_request_ns; /* the last API request (the coordinator is alive) */
    /* Open connections of both ports, for the header deadline (sweeper thread). */
    pthread_mutex_t conns_lock;
    struct conn *conns;
    size_t nconns;  /* in the list, shut ones included */
    unsigned limit; /* connections per port */
    pthread_t sweeper;
    bool sweeper_started;
    _Atomic int sweeper_stop;
    long long shut_total; /* connections shut for a late header, since the start */
    int64_t shut_logged_ns;
};

/* Per-request state: the body collected so far. */
struct request {
    const struct route *route;
    char *body;
    size_t len, limit;
    bool answered; /* an error was queued before the body was read */
    bool too_big;
};

enum verb { V_POST, V_GET };

struct route {
    const char *path;
    enum verb verb;
    bool large; /* body limit: max_load_body instead of max_body */
    int (*fn)(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r, char **out,
              char *err, size_t errlen);
};

/* ---- responses ----------------------------------------------------------------------- */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, char *body,
                               const char *type)
{
    struct MHD_Response *resp =
        body ? MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, OMB_HDR_WORKER, OMB_VERSION);
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    if (status >= 500) omb_warn("worker: %s", msg);
    return respond(c, status, omb_wire_error(msg), "application/json");
}

/* ---- endpoints ----------------------------------------------------------------------- */

/* Endpoint functions return 0 (200, *out the JSON body or NULL), 400 (bad request, err), or
 * 500 (the operation failed, err). */
#define BAD    400
#define FAILED 500

static int need_init(struct omb_http_worker *hw, char *err, size_t errlen)
{
    if (hw->initialized) return 0;
    snprintf(err, errlen, "no driver is initialized on this worker (call /initialize-driver)");
    return 409;
}

static int do_stop_all(struct omb_http_worker *hw, bool keep, char *err, size_t errlen)
{
    int rc = hw->worker->ops->stop_all(hw->worker, keep, err, errlen);
    hw->initialized = false;
    omb_driver_conf_free(&hw->conf);
    memset(&hw->conf, 0, sizeof hw->conf);
    free(hw->last_period);
    hw->last_period = NULL;
    hw->last_seq = -1;
    hw->load_running = false;
    return rc;
}

static int ep_initialize(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                         char **out, char *err, size_t errlen)
{
    struct omb_driver_conf conf;
    if (!r->len || memchr(r->body, '\0', r->len)) {
        snprintf(err, errlen, "the body must be the driver file's YAML");
        return BAD;
    }
    if (omb_driver_conf_load_string(r->body, r->len, "request body", &conf, err, errlen) != 0)
        return BAD;
    const struct omb_driver_ops *ops = omb_driver_lookup(conf.driver_class, err, errlen);
    /* A body that is not a valid driver file (syntax, unknown class, the driver's own keys,
     * checked without connecting) is the client's fault: 400. What fails after that, in
     * the driver's start (a broker that cannot be reached, ...), is 500. */
    if (!ops || omb_drv_check(ops, &conf, err, errlen) != 0) {
        omb_driver_conf_free(&conf);
        return BAD;
    }
    if (hw->initialized) {
        /* A coordinator that died left its run behind; the new one wins, as in OMB. */
        char e[512];
        omb_warn("worker: a driver was still initialized; stopping the previous run first");
        if (do_stop_all(hw, false, e, sizeof e) != 0) omb_warn("worker: %s", e);
    }
    if (hw->worker->ops->initialize_driver(hw->worker, &conf, err, errlen) != 0) {
        omb_driver_conf_free(&conf);
        return FAILED;
    }
    hw->conf = conf;
    hw->initialized = true;
    omb_info("worker: initialized driver '%s' (%s)", conf.name, conf.driver_class);
    return 0;
}

static int ep_create_topics(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                            char **out, char *err, size_t errlen)
{
    int n, p, rc = need_init(hw, err, errlen);
    if (rc) return rc;
    if (omb_wire_parse_topics_info(r->body, r->len, &n, &p, err, errlen) != 0) return BAD;
    char **names = NULL;
    if (hw->worker->ops->create_topics(hw->worker, n, p, &names, err, errlen) != 0) return FAILED;
    *out = omb_wire_strings(names, (size_t)n);
    omb_wire_free_strings(names, (size_t)n);
    omb_info("worker: created %d topic(s) of %d partition(s)", n, p);
    return 0;
}

/* A request on an initialized driver whose body is a list of topic names. */
static int strings_body(struct omb_http_worker *hw, const struct request *r, char ***v, size_t *n,
                        char *err, size_t errlen)
{
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    return omb_wire_parse_strings(r->body, r->len, v, n, err, errlen) != 0 ? BAD : 0;
}

/* omb's own: the run's topics exist already (existingTopicList); the body names them, the
 * answer is their partition counts. */
static int ep_existing_topics(struct omb_http_worker *hw, struct MHD_Connection *c,
                              struct request *r, char **out, char *err, size_t errlen)
{
    char **topics = NULL;
    size_t n = 0;
    int rc = strings_body(hw, r, &topics, &n, err, errlen);
    if (rc) return rc;
    int *parts = calloc(n ? n : 1, sizeof *parts);
    if (!parts) {
        snprintf(err, errlen, "out of memory");
        rc = FAILED;
    } else if (n == 0) {
        snprintf(err, errlen, "the body must name at least one topic");
        rc = BAD;
    } else if (hw->worker->ops->use_existing_topics(hw->worker, topics, n, parts, err, errlen)) {
        rc = FAILED;
    } else {
        *out = omb_wire_counts(parts, n);
        omb_info("worker: using %zu existing topic(s)", n);
    }
    free(parts);
    omb_wire_free_strings(topics, n);
    return rc;
}

static int ep_create_producers(struct omb_http_worker *hw, struct MHD_Connection *c,
                               struct request *r, char **out, char *err, size_t errlen)
{
    char **topics = NULL;
    size_t n = 0;
    int rc = strings_body(hw, r, &topics, &n, err, errlen);
    if (rc) return rc;
    rc = hw->worker->ops->create_producers(hw->worker, topics, n, err, errlen) ? FAILED : 0;
    if (!rc) omb_info("worker: created %zu producer(s)", n);
    omb_wire_free_strings(topics, n);
    return rc;
}

static int ep_create_consumers(struct omb_http_worker *hw, struct MHD_Connection *c,
                               struct request *r, char **out, char *err, size_t errlen)
{
    struct omb_topic_sub *ts = NULL;
    size_t n = 0;
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    if (omb_wire_parse_assignment(r->body, r->len, &ts, &n, err, errlen) != 0) return BAD;
    rc = hw->worker->ops->create_consumers(hw->worker, ts, n, err, errlen) ? FAILED : 0;
    if (!rc) omb_info("worker: created %zu consumer(s)", n);
    omb_wire_free_assignment(ts, n);
    return rc;
}

static int ep_probe(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                    char **out, char *err, size_t errlen)
{
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    return hw->worker->ops->probe_producers(hw->worker, err, errlen) ? FAILED : 0;
}

static int ep_pause(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                    char **out, char *err, size_t errlen)
{
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    return hw->worker->ops->pause_consumers(hw->worker, err, errlen) ? FAILED : 0;
}

static int ep_resume(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                     char **out, char *err, size_t errlen)
{
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    return hw->worker->ops->resume_consumers(hw->worker, err, errlen) ? FAILED : 0;
}

static int ep_start_load(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                         char **out, char *err, size_t errlen)
{
    struct omb_wire_load l;
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    if (omb_wire_parse_load(r->body, r->len, &l, err, errlen) != 0) return BAD;
    struct omb_load_spec spec = {
        .payloads = (const unsigned char *const *)l.payloads,
        .npayloads = l.npayloads,
        .payload_size = l.payload_size,
        .rate = l.rate,
        .keys = l.keys,
    };
    rc = hw->worker->ops->start_load(hw->worker, &spec, err, errlen) ? FAILED : 0;
    if (!rc) omb_info("worker: load started at %.1f msg/s", l.rate);
    if (!rc) hw->load_running = true;
    omb_wire_free_load(&l);
    return rc;
}

static int ep_adjust(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                     char **out, char *err, size_t errlen)
{
    double rate;
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    if (omb_wire_parse_number(r->body, r->len, &rate, err, errlen) != 0) return BAD;
    return hw->worker->ops->adjust_rate(hw->worker, rate, err, errlen) ? FAILED : 0;
}

/* X-Omb-Seq as a non-negative integer, or -1 when absent (a Java coordinator). */
static long long seq_header(struct MHD_Connection *c)
{
    const char *s = MHD_lookup_connection_value(c, MHD_HEADER_KIND, OMB_HDR_SEQ);
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return (*end || errno || v < 0) ? -1 : v;
}

static int ep_period_stats(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                           char **out, char *err, size_t errlen)
{
    long long seq = seq_header(c);
    if (seq >= 0 && seq == hw->last_seq && hw->last_period) {
        /* The coordinator did not get our previous answer: send it again. */
        *out = strdup(hw->last_period);
        return *out ? 0 : FAILED;
    }
    if (hw->worker->ops->period_stats(hw->worker, &hw->view, err, errlen) != 0) return FAILED;
    *out = omb_wire_stats(OMB_WIRE_PERIOD, &hw->view, seq >= 0);
    if (!*out) {
        snprintf(err, errlen, "out of memory encoding period stats");
        return FAILED;
    }
    free(hw->last_period);
    hw->last_period = NULL;
    hw->last_seq = -1;
    if (seq >= 0 && (hw->last_period = strdup(*out))) hw->last_seq = seq;
    return 0;
}

static int ep_cumulative(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                         char **out, char *err, size_t errlen)
{
    if (hw->worker->ops->cumulative_latencies(hw->worker, &hw->view, err, errlen) != 0)
        return FAILED;
    *out = omb_wire_stats(OMB_WIRE_CUMULATIVE, &hw->view, seq_header(c) >= 0);
    return *out ? 0 : FAILED;
}

static int ep_counters(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                       char **out, char *err, size_t errlen)
{
    if (hw->worker->ops->counters(hw->worker, &hw->view, err, errlen) != 0) return FAILED;
    *out = omb_wire_stats(OMB_WIRE_COUNTERS, &hw->view, false);
    return *out ? 0 : FAILED;
}

static int ep_reset(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                    char **out, char *err, size_t errlen)
{
    return hw->worker->ops->reset_stats(hw->worker, err, errlen) ? FAILED : 0;
}

static int ep_stop_all(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                       char **out, char *err, size_t errlen)
{
    if (!hw->initialized) return 0; /* idempotent */
    const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, OMB_HDR_KEEP_TOPICS);
    bool keep = k && !strcmp(k, "1");
    int rc = do_stop_all(hw, keep, err, errlen) ? FAILED : 0;
    omb_info("worker: stopped all producers and consumers");
    return rc;
}

/* omb: what this worker's producers had acknowledged per topic and what its consumers
 * received per subscription, for the coordinator's delivery check across workers. */
static int ep_delivery(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                       char **out, char *err, size_t errlen)
{
    char **topics = NULL;
    int64_t *acked = NULL;
    size_t nt = 0, ns = 0;
    struct omb_delivery *subs = NULL;
    if (!hw->initialized) {
        *out = omb_wire_delivery(NULL, NULL, 0, NULL, 0);
        return *out ? 0 : FAILED;
    }
    if (omb_local_worker_topic_acks(hw->worker, &topics, &acked, &nt) != 0 ||
        hw->worker->ops->delivery(hw->worker, &subs, &ns, err, errlen) != 0) {
        omb_wire_free_strings(topics, nt);
        free(acked);
        if (!*err) snprintf(err, errlen, "out of memory");
        return FAILED;
    }
    *out = omb_wire_delivery(topics, acked, nt, subs, ns);
    omb_wire_free_strings(topics, nt);
    free(acked);
    omb_delivery_free(subs, ns);
    return *out ? 0 : FAILED;
}

/* omb: stop sending and wait (body: the time limit in ms) until every send completed. */
static int ep_stop_producers(struct omb_http_worker *hw, struct MHD_Connection *c,
                             struct request *r, char **out, char *err, size_t errlen)
{
    double ms = 30000;
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    if (r->len && (omb_wire_parse_number(r->body, r->len, &ms, err, errlen) != 0 || ms > 3.6e6))
        return BAD;
    if (!hw->worker->ops->stop_producers) return 0;
    return hw->worker->ops->stop_producers(hw->worker, (int)ms, err, errlen) ? FAILED : 0;
}

/* omb: this worker's clock now, and its producers' envelope ids, for the coordinator's
 * clock-offset estimate (several of these, the fastest kept). */
static int ep_clock(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                    char **out, char *err, size_t errlen)
{
    int32_t base = 0;
    int64_t n = 0;
    if (hw->initialized) omb_local_worker_producer_ids(hw->worker, &base, &n);
    *out = omb_wire_clock(omb_now_ns(), base, n);
    return *out ? 0 : FAILED;
}

/* omb: the clock offsets of the workers whose messages this one receives. */
static int ep_clock_peers(struct omb_http_worker *hw, struct MHD_Connection *c, struct request *r,
                          char **out, char *err, size_t errlen)
{
    struct omb_clock_peer *p = NULL;
    size_t n = 0;
    int rc = need_init(hw, err, errlen);
    if (rc) return rc;
    if (omb_wire_parse_clock_peers(r->body, r->len, &p, &n, err, errlen) != 0) return BAD;
    rc = omb_local_worker_set_clock_peers(hw->worker, p, n);
    free(p);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        return FAILED;
    }
    omb_info("worker: end-to-end latencies of messages from %zu other worker(s) are corrected "
             "for their clocks",
             n);
    return 0;
}

static const struct route routes[] = {
    {"/omb/clock", V_GET, false, ep_clock},
    {"/omb/clock-peers", V_POST, false, ep_clock_peers},
    {"/omb/stop-producers", V_POST, false, ep_stop_producers},
    {"/omb/delivery", V_GET, false, ep_delivery},
    {"/omb/existing-topics", V_POST, false, ep_existing_topics},
    {"/initialize-driver", V_POST, false, ep_initialize},
    {"/create-topics", V_POST, false, ep_create_topics},
    {"/create-producers", V_POST, false, ep_create_producers},
    {"/probe-producers", V_POST, false, ep_probe},
    {"/create-consumers", V_POST, false, ep_create_consumers},
    {"/pause-consumers", V_POST, false, ep_pause},
    {"/resume-consumers", V_POST, false, ep_resume},
    {"/start-load", V_POST, true, ep_start_load},
    {"/adjust-publish-rate", V_POST, false, ep_adjust},
    {"/period-stats", V_GET, false, ep_period_stats},
    {"/cumulative-latencies", V_GET, false, ep_cumulative},
    {"/counters-stats", V_GET, false, ep_counters},
    {"/reset-stats", V_POST, false, ep_reset},
    {"/stop-all", V_POST, false, ep_stop_all},
};

/* ---- request plumbing ---------------------------------------------------------------- */

static bool token_ok(const struct omb_http_worker *hw, struct MHD_Connection *c)
{
    if (!hw->opt.token || !*hw->opt.token) return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncmp(h, "Bearer ", 7) != 0) return false;
    h += 7;
    size_t a = strlen(h), b = strlen(hw->opt.token);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a && i < b; i++) diff |= (unsigned)(h[i] ^ hw->opt.token[i]);
    return diff == 0; /* compare every byte: no early exit to time */
}

/* First call for a request: checks that need no body (token, path, method, size). Returns
 * 0 to go on reading the body, or the HTTP status of an error (with msg). */
static unsigned precheck(struct omb_http_worker *hw, struct MHD_Connection *c, const char *url,
                         const char *method, struct request *r, char *msg, size_t msglen)
{
    if (!token_ok(hw, c)) {
        snprintf(msg, msglen, "missing or wrong token (Authorization: Bearer ...)");
        return MHD_HTTP_UNAUTHORIZED;
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (!strcmp(url, routes[i].path)) r->route = &routes[i];
    /* Test only: a worker without the clock endpoint, as a Java OMB worker. */
    if (r->route && r->route->fn == ep_clock && hw->no_clock) r->route = NULL;
    if (!r->route) {
        snprintf(msg, msglen, "no such endpoint: %s", url);
        return MHD_HTTP_NOT_FOUND;
    }
    bool post = !strcmp(method, "POST"), get = !strcmp(method, "GET");
    /* Stats reads are GETs in OMB; POST is accepted for them too. */
    if (!(post || (get && r->route->verb == V_GET))) {
        snprintf(msg, msglen, "%s needs %s, not %s", url, r->route->verb == V_GET ? "GET" : "POST",
                 method);
        return MHD_HTTP_METHOD_NOT_ALLOWED;
    }
    r->limit = r->route->large ? hw->opt.max_load_body : hw->opt.max_body;
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        if (!errno && !*end && v > r->limit) {
            snprintf(msg, msglen, "request body of %llu bytes is above the %zu-byte limit of %s", v,
                     r->limit, url);
            return MHD_HTTP_CONTENT_TOO_LARGE;
        }
    }
    return 0;
}

/* ---- connections: the header deadline ------------------------------------------------ */

static struct conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

/* The request's headers are complete (the first call for it). */
static void conn_request_started(struct omb_http_worker *hw, struct MHD_Connection *c)
{
    struct conn *k = conn_of(c);
    if (!k) return;
    pthread_mutex_lock(&hw->conns_lock);
    k->in_request = true;
    pthread_mutex_unlock(&hw->conns_lock);
}

static void conn_request_ended(struct omb_http_worker *hw, struct MHD_Connection *c)
{
    struct conn *k = conn_of(c);
    if (!k) return;
    pthread_mutex_lock(&hw->conns_lock);
    k->in_request = false;
    k->reused = true;
    k->since_ns = omb_now_ns();
    pthread_mutex_unlock(&hw->conns_lock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct omb_http_worker *hw = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *i =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn *k = i ? calloc(1, sizeof *k) : NULL;
        if (!k) return; /* untracked: the idle timeout still applies */
        k->fd = i->connect_fd;
        k->since_ns = omb_now_ns();
        const union MHD_ConnectionInfo *a =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (a && a->client_addr)
            memcpy(&k->addr, a->client_addr,
                   a->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                         : sizeof(struct sockaddr_in));
        pthread_mutex_lock(&hw->conns_lock);
        k->next = hw->conns;
        if (hw->conns) hw->conns->prev = k;
        hw->conns = k;
        hw->nconns++;
        pthread_mutex_unlock(&hw->conns_lock);
        *socket_context = k;
        return;
    }
    struct conn *k = *socket_context;
    if (!k) return;
    /* libmicrohttpd closes the socket after this call: the sweeper, which holds the lock
     * while it shuts sockets down, never sees a closed (or reused) descriptor. */
    pthread_mutex_lock(&hw->conns_lock);
    if (k->prev)
        k->prev->next = k->next;
    else
        hw->conns = k->next;
    if (k->next) k->next->prev = k->prev;
    hw->nconns--;
    pthread_mutex_unlock(&hw->conns_lock);
    free(k);
    *socket_context = NULL;
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) return false;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
    return true;
}

static void shut(struct conn *k, int *n)
{
    shutdown(k->fd, SHUT_RDWR);
    k->shut = true;
    (*n)++;
}

/* Shuts down (libmicrohttpd then closes them as closed by the client) connections that have
 * not completed their first request's headers within HEADER_DEADLINE_S; and, while more
 * than 3/4 of the connection limit are open, or 3/4 of the per-address limit from one
 * address, the oldest of those between requests. */
static void sweep(struct omb_http_worker *hw)
{
    int64_t now = omb_now_ns(), deadline = (int64_t)HEADER_DEADLINE_S * 1000000000LL;
    size_t high = hw->limit * 3 / 4, ip_high = PER_IP_LIMIT * 3 / 4;
    int n = 0, evicted = 0;
    pthread_mutex_lock(&hw->conns_lock);
    struct conn *oldest = NULL;
    size_t live = 0;
    for (struct conn *k = hw->conns; k; k = k->next) {
        if (!k->in_request && !k->reused && !k->shut && now - k->since_ns > deadline) shut(k, &n);
        live += !k->shut;
        oldest = k;
    }
    if (live > ip_high)
        for (struct conn *k = oldest; k; k = k->prev) {
            if (k->shut || k->in_request) continue;
            size_t same = 0;
            if (live <= high)
                for (struct conn *o = hw->conns; o; o = o->next)
                    same += !o->shut && same_host(&o->addr, &k->addr);
            if (live > high || same > ip_high) {
                shut(k, &evicted);
                live--;
            }
        }
    hw->shut_total += n + evicted;
    if ((n || evicted) && now - hw->shut_logged_ns > 10000000000LL) {
        omb_warn("worker: %lld connection(s) closed so far that sent no complete request "
                 "headers within %d s, or were idle while connections ran short",
                 hw->shut_total, HEADER_DEADLINE_S);
        hw->shut_logged_ns = now;
    }
    pthread_mutex_unlock(&hw->conns_lock);
}

static void *sweeper_main(void *arg)
{
    struct omb_http_worker *hw = arg;
    while (!hw->sweeper_stop) {
        omb_sleep_ns(250000000);
        sweep(hw);
    }
    return NULL;
}

static enum MHD_Result on_api(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct omb_http_worker *hw = cls;
    struct request *r = *con_cls;
    char msg[1024];
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        *con_cls = r;
        conn_request_started(hw, c);
        unsigned st = precheck(hw, c, url, method, r, msg, sizeof msg);
        if (st) {
            r->answered = true;
            return respond_error(c, st, msg);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->answered) return MHD_YES; /* discard what follows an early answer */
        if (r->too_big || n > r->limit - r->len) {
            /* Answer now when the library lets us (it then closes the connection), else
             * discard the rest of the body and answer at its end. */
            if (!r->too_big) {
                r->too_big = true;
                free(r->body);
                r->body = NULL;
                snprintf(msg, sizeof msg, "request body is above the %zu-byte limit of %s",
                         r->limit, url);
                if (respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, msg) == MHD_YES)
                    r->answered = true;
            }
            return MHD_YES;
        }
        char *b = realloc(r->body, r->len + n + 1);
        if (!b) {
            r->answered = true;
            return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
        }
        memcpy(b + r->len, upload, n);
        r->len += n;
        b[r->len] = '\0';
        r->body = b;
        return MHD_YES;
    }
    if (r->answered) return MHD_YES;
    if (r->too_big) {
        r->answered = true;
        snprintf(msg, sizeof msg, "request body is above the %zu-byte limit of %s", r->limit, url);
        return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, msg);
    }
    char *out = NULL;
    char err[1024] = "";
    /* An operation may take minutes (closing many consumers): no idle timeout meanwhile,
     * else libmicrohttpd would close the connection before its answer; setting it again
     * afterwards restarts the timer. */
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
    pthread_mutex_lock(&hw->lock);
    hw->last_request_ns = omb_now_ns();
    int rc = r->route->fn(hw, c, r, &out, err, sizeof err);
    hw->last_request_ns = omb_now_ns();
    pthread_mutex_unlock(&hw->lock);
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, IDLE_TIMEOUT_S);
    r->answered = true;
    if (rc == 0) return respond(c, MHD_HTTP_OK, out, "application/json");
    free(out);
    if (!*err) snprintf(err, sizeof err, "%s failed", url);
    return respond_error(c, (unsigned)rc, err);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    conn_request_ended(cls, c);
    struct request *r = *con_cls;
    if (!r) return;
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* ---- /metrics -------------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = b->p ? vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap) : -1;
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        char *p = realloc(b->p, cap);
        if (!p) return;
        b->p = p;
        b->cap = cap;
    }
}

static enum MHD_Result on_stats(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **con_cls)
{
    struct omb_http_worker *hw = cls;
    if (!*con_cls) {
        *con_cls = (void *)1;
        conn_request_started(hw, c);
        return MHD_YES;
    }
    *upload_size = 0;
    if (!token_ok(hw, c)) return respond_error(c, MHD_HTTP_UNAUTHORIZED, "missing or wrong token");
    if (strcmp(url, "/metrics") != 0) return respond_error(c, MHD_HTTP_NOT_FOUND, "try /metrics");
    struct omb_stats_view v;
    if (omb_worker_view_init(hw->worker, &v) != 0)
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    char err[256];
    pthread_mutex_lock(&hw->lock);
    int rc = hw->worker->ops->cumulative_latencies(hw->worker, &v, err, sizeof err);
    pthread_mutex_unlock(&hw->lock);
    if (rc != 0) {
        omb_stats_view_free(&v);
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
    }
    static const struct {
        const char *name, *help;
        enum omb_counter c;
    } counters[] = {
        {"omb_messages_sent_total", "Messages acknowledged", OMB_C_SENT},
        {"omb_message_send_errors_total", "Sends that failed", OMB_C_SEND_ERRORS},
        {"omb_bytes_sent_total", "Payload bytes acknowledged", OMB_C_BYTES_SENT},
        {"omb_messages_received_total", "Messages received", OMB_C_RECEIVED},
        {"omb_bytes_received_total", "Payload bytes received", OMB_C_BYTES_RECEIVED},
    };
    static const struct {
        const char *name, *help;
        enum omb_series s;
    } lat[] = {
        {"omb_publish_latency_us", "Publish latency since the last stats reset", OMB_PUB_LATENCY},
        {"omb_publish_delay_latency_us", "Publish delay since the last stats reset", OMB_PUB_DELAY},
        {"omb_end_to_end_latency_us", "End-to-end latency since the last stats reset",
         OMB_E2E_LATENCY},
    };
    static const double qs[] = {0.5, 0.75, 0.95, 0.99, 0.999, 0.9999, 1.0};
    struct buf b = {0};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        bprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %lld\n", counters[i].name,
                counters[i].help, counters[i].name, counters[i].name,
                (long long)v.totals[counters[i].c]);
    for (size_t i = 0; i < sizeof lat / sizeof lat[0]; i++) {
        const struct omb_hist *h = v.hist[lat[i].s];
        bprintf(&b, "# HELP %s %s\n# TYPE %s summary\n", lat[i].name, lat[i].help, lat[i].name);
        for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++)
            bprintf(&b, "%s{quantile=\"%g\"} %lld\n", lat[i].name, qs[q],
                    (long long)omb_hist_value_at_percentile(h, qs[q] * 100));
        bprintf(&b, "%s_sum %.0f\n%s_count %lld\n", lat[i].name,
                omb_hist_mean(h) * (double)h->total_count, lat[i].name, (long long)h->total_count);
    }
    omb_stats_view_free(&v);
    if (!b.p) return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    return respond(c, MHD_HTTP_OK, b.p, "text/plain; version=0.0.4");
}

static void on_stats_done(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
    conn_request_ended(cls, c);
    *con_cls = NULL;
}

/* ---- lifecycle ----------------------------------------------------------------------- */

/* CONN_LIMIT, or fewer when the descriptor limit is low (the driver needs sockets too). */
static unsigned conn_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return CONN_LIMIT;
    rlim_t half = rl.rlim_cur / 4; /* two ports, and the rest for the driver */
    return half < 16 ? 16 : half < CONN_LIMIT ? (unsigned)half : CONN_LIMIT;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n') line[--n] = '\0';
    omb_debug("worker: http: %s", line);
}

static struct MHD_Daemon *start_daemon(const struct omb_http_worker_options *opt, int port,
                                       MHD_AccessHandlerCallback fn, void *cls, char *err,
                                       size_t errlen)
{
    const char *bind = opt->bind && *opt->bind ? opt->bind : "127.0.0.1";
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int g = getaddrinfo(bind, NULL, &hints, &ai);
    if (g != 0 || !ai) {
        snprintf(err, errlen, "--bind '%s' is not a numeric IPv4 or IPv6 address: %s", bind,
                 gai_strerror(g));
        return NULL;
    }
    struct sockaddr_storage ss;
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    /* One polling thread; epoll on Linux (no FD_SETSIZE limit on connections). */
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) {
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
    }
    freeaddrinfo(ai);
    unsigned limit = ((struct omb_http_worker *)cls)->limit;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, fn, cls, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED,
        fn == on_api ? on_done : on_stats_done, cls, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        cls, MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, PER_IP_LIMIT < limit ? PER_IP_LIMIT : limit,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 256u, MHD_OPTION_END);
    if (!d)
        snprintf(err, errlen,
                 "cannot listen on %s port %d (in use, or not an address of this "
                 "host)",
                 bind, port);
    return d;
}

static int bound_port(struct MHD_Daemon *d)
{
    if (!d) return -1;
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : -1;
}

struct omb_http_worker *omb_http_worker_start(const struct omb_http_worker_options *opt, char *err,
                                              size_t errlen)
{
    struct omb_http_worker *hw = calloc(1, sizeof *hw);
    if (!hw) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    hw->opt = *opt;
    if (!hw->opt.max_body) hw->opt.max_body = DEFAULT_MAX_BODY;
    if (!hw->opt.max_load_body) hw->opt.max_load_body = DEFAULT_MAX_LOAD_BODY;
    hw->last_seq = -1;
    const char *nc = getenv("OMB_TEST_NO_CLOCK_ENDPOINT");
    hw->no_clock = nc && *nc && strcmp(nc, "0") != 0;
    pthread_mutex_init(&hw->lock, NULL);
    pthread_mutex_init(&hw->conns_lock, NULL);
    hw->limit = conn_limit();
    struct omb_local_worker_options lo = {.sender_threads = opt->sender_threads};
    hw->worker = omb_local_worker_new(&lo);
    if (!hw->worker || omb_worker_view_init(hw->worker, &hw->view) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    hw->api = start_daemon(opt, opt->port, on_api, hw, err, errlen);
    if (!hw->api) goto fail;
    if (opt->stats_port >= 0) {
        hw->stats = start_daemon(opt, opt->stats_port, on_stats, hw, err, errlen);
        if (!hw->stats) goto fail;
    }
    if (pthread_create(&hw->sweeper, NULL, sweeper_main, hw) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        goto fail;
    }
    hw->sweeper_started = true;
    return hw;
fail:
    omb_http_worker_stop(hw);
    return NULL;
}

int omb_http_worker_watchdog(struct omb_http_worker *hw)
{
    int stopped = 0;
    if (hw->opt.coordinator_timeout_s <= 0) return 0;
    pthread_mutex_lock(&hw->lock);
    double silent = (double)(omb_now_ns() - hw->last_request_ns) / 1e9;
    if (hw->initialized && hw->load_running && silent > hw->opt.coordinator_timeout_s) {
        char e[512];
        omb_warn("worker: no request from the coordinator for %.0f s while the load runs "
                 "(--coordinator-timeout %g): it died, froze or gave up on this worker; "
                 "stopping producers and consumers",
                 silent, hw->opt.coordinator_timeout_s);
        if (do_stop_all(hw, false, e, sizeof e) != 0) omb_warn("worker: %s", e);
        omb_info("worker: stopped all producers and consumers (no coordinator)");
        stopped = 1;
    }
    pthread_mutex_unlock(&hw->lock);
    return stopped;
}

int omb_http_worker_port(const struct omb_http_worker *hw) { return bound_port(hw->api); }
int omb_http_worker_stats_port(const struct omb_http_worker *hw) { return bound_port(hw->stats); }

void omb_http_worker_stop(struct omb_http_worker *hw)
{
    if (!hw) return;
    if (hw->sweeper_started) {
        hw->sweeper_stop = 1;
        pthread_join(hw->sweeper, NULL);
    }
    if (hw->api) MHD_stop_daemon(hw->api);
    if (hw->stats) MHD_stop_daemon(hw->stats);
    if (hw->worker) {
        char e[512];
        if (hw->initialized && do_stop_all(hw, false, e, sizeof e) != 0) omb_warn("worker: %s", e);
        hw->worker->ops->destroy(hw->worker);
    }
    omb_driver_conf_free(&hw->conf);
    omb_stats_view_free(&hw->view);
    free(hw->last_period);
    pthread_mutex_destroy(&hw->lock);
    pthread_mutex_destroy(&hw->conns_lock);
    free(hw);
}

/* ---- `omb worker` -------------------------------------------------------------------- */

/* Set by the signal handler, which may run on any thread (libmicrohttpd's too): a
 * lock-free atomic is both async-signal-safe and visible across threads. */
static _Atomic int worker_stop;
static void on_worker_signal(int sig) { worker_stop = 1; }

static void worker_usage(void)
{
    printf("usage: omb worker [-p 8080] [-sp 8081] [--bind ADDR] [--token T] [-v]\n"
           "  Serves OMB's worker HTTP API on -p and Prometheus /metrics on -sp.\n"
           "  Binds to 127.0.0.1 unless --bind (0.0.0.0 for every interface).\n"
           "  --token T (or OMB_WORKER_TOKEN): require 'Authorization: Bearer T'.\n"
           "  --coordinator-timeout S (30; 0: never): stop the load when no request\n"
           "  has come for S seconds while it runs (the coordinator died, froze or gave\n"
           "  up on this worker; an omb coordinator asks every 2 s, OMB's every 10 s).\n");
}

/* A port the option table read as a number in 0..65535: it must be whole. */
static int whole_port(const char *opt, double v, int *out)
{
    if (v != (double)(long)v) {
        fprintf(stderr, "omb worker: %s needs a port number 0..65535, got '%g'\n", opt, v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Returns -1 to go on, or the exit code (help printed: 0; a bad command line: 2). */
static int parse_worker_args(int argc, char **argv, struct omb_http_worker_options *opt)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            worker_usage();
            return 0;
        }
    double port = opt->port, stats_port = opt->stats_port;
    bool verbose = false;
    const struct omb_cli_opt opts[] = {
        {"-p|--port", OMB_CLI_NUMBER, &port, 0, 65535, "PORT", "API port (default 8080)"},
        {"-sp|--stats-port", OMB_CLI_NUMBER, &stats_port, 0, 65535, "PORT",
         "Prometheus /metrics port (default 8081)"},
        {"--bind", OMB_CLI_STRING, &opt->bind, 0, 0, "ADDR", "address (default 127.0.0.1)"},
        {"--token", OMB_CLI_STRING, &opt->token, 0, 0, "T",
         "require 'Authorization: Bearer T' (default: OMB_WORKER_TOKEN)"},
        {"--coordinator-timeout", OMB_CLI_NUMBER, &opt->coordinator_timeout_s, 0, 1e9, "S",
         "stop the load after S seconds without a request (default 30; 0: never)"},
        {"-v|--verbose", OMB_CLI_FLAG, &verbose, 0, 0, NULL, "debug logging"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    int rc = omb_cli_parse("omb worker", opts, argc, argv, NULL, NULL, NULL);
    if (rc != 0 || whole_port("-p", port, &opt->port) != 0 ||
        whole_port("-sp", stats_port, &opt->stats_port) != 0)
        return 2;
    if (verbose) omb_log_set_level(OMB_LOG_DEBUG);
    if (opt->port != 0 && opt->port == opt->stats_port) {
        fprintf(stderr, "omb worker: -p and -sp must differ\n");
        return 2;
    }
    return -1;
}

int omb_worker_command(int argc, char **argv)
{
    struct omb_http_worker_options opt = {.port = 8080,
                                          .stats_port = 8081,
                                          .coordinator_timeout_s =
                                              OMB_WORKER_COORDINATOR_TIMEOUT_S};
    opt.token = getenv("OMB_WORKER_TOKEN");
    int prc = parse_worker_args(argc, argv, &opt);
    if (prc >= 0) return prc;
    omb_on_stop_signals(on_worker_signal);
    signal(SIGPIPE, SIG_IGN);
    char err[512];
    struct omb_http_worker *hw = omb_http_worker_start(&opt, err, sizeof err);
    if (!hw) {
        fprintf(stderr, "omb worker: %s\n", err);
        return 1;
    }
    const char *bind = opt.bind && *opt.bind ? opt.bind : "127.0.0.1";
    omb_info("omb worker %s listening on http://%s:%d (stats: /metrics on port %d)%s", OMB_VERSION,
             bind, omb_http_worker_port(hw), omb_http_worker_stats_port(hw),
             opt.token && *opt.token ? ", token required" : "");
    while (!worker_stop) {
        omb_sleep_ns(200000000);
        omb_http_worker_watchdog(hw);
    }
    omb_info("omb worker: stopping");
    omb_http_worker_stop(hw);
    return 0;
}
