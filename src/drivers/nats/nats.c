/* nats.c - the NATS JetStream driver on nats.c (libnats): OMB's NATS driver file keys, one
 * stream per topic, one durable pull consumer per subscription shared by its consumers,
 * JetStream publish acks as the producer's ack. docs/drivers/nats.md says what and why.
 *
 * One natsConnection (and JetStream context) per producer and per consumer, as OMB's Java
 * driver has one per producer and consumer, plus one for the driver's own stream requests.
 * Publish completions run on the thread nats.c gives each connection's publish-ack
 * subscription, so completions of one producer are never concurrent (driver.h). Each
 * consumer has a thread of its own that fetches from the durable consumer, delivers and
 * acks each message; pause stops its fetching, nothing more. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nats/nats.h>

#include "config/schema.h"
#include "drivers/driver.h"
#include "drivers/envelope.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/redact.h"

/* Payloads shorter than the envelope carry it, hex-encoded, in this NATS header. */
#define NATS_ACK_WAIT_NS   (5 * 1000000000LL)
#define ENV_HEADER         "omb-env"
#define CONNECT_TIMEOUT_MS 3000
#define API_WAIT_MS        10000 /* JetStream API requests (stream and consumer create) */
#define PUB_ACK_WAIT_MS    10000 /* a publish not acked by then completes with an error */
#define FETCH_WAIT_MS      100   /* one long-poll fetch; also how soon a consumer stops */
#define CLOSE_WAIT_MS      5000  /* close_producer: for acks still in flight */

struct nats_file {
    const void *name, *cls;
    char *url;
    int64_t replication_factor;
    int storage;
    int64_t max_bytes;
    int64_t max_ack_pending, fetch_batch, publish_max_pending;
};

static const char *const storage_names[] = {"file", "memory", "File", "Memory", NULL};
static const int storage_values[] = {js_FileStorage, js_MemoryStorage, js_FileStorage,
                                     js_MemoryStorage};

static const struct omb_field nats_fields[] = {
    {.key = "name", .type = OMB_FIELD_ANY, .offset = offsetof(struct nats_file, name)},
    {.key = "driverClass", .type = OMB_FIELD_ANY, .offset = offsetof(struct nats_file, cls)},
    {.key = "natsHostUrl", .type = OMB_FIELD_STRING, .offset = offsetof(struct nats_file, url)},
    /* JetStream streams have at most 5 replicas. */
    {.key = "replicationFactor",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct nats_file, replication_factor),
     .min = 1,
     .max = 5},
    {.key = "storageType",
     .type = OMB_FIELD_ENUM,
     .offset = offsetof(struct nats_file, storage),
     .enum_names = storage_names,
     .enum_values = storage_values},
    {.key = "maxBytes",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct nats_file, max_bytes),
     .min = -1,
     .max = 9.2e18},
    /* omb's own: how many unacknowledged messages one subscription may have out. */
    {.key = "maxAckPending",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct nats_file, max_ack_pending),
     .min = 1,
     .max = 10000000},
    /* omb's own: messages one fetch asks for. */
    {.key = "fetchBatch",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct nats_file, fetch_batch),
     .min = 1,
     .max = 10000},
    /* omb's own: publishes one producer may have waiting for their ack. */
    {.key = "publishMaxPending",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct nats_file, publish_max_pending),
     .min = 1,
     .max = 1000000},
};

struct omb_driver {
    char *file;
    char *url;      /* natsHostUrl as written */
    char *shown;    /* the same with passwords hidden, for messages */
    char **servers; /* nats://host:port each */
    int nservers;
    int64_t replication_factor, max_bytes, max_ack_pending, fetch_batch, publish_max_pending;
    jsStorageType storage;
    natsConnection *nc; /* stream create / delete, consumer create */
    jsCtx *js;
    pthread_mutex_t admin_lock; /* nc/js requests from several threads */
};

struct omb_producer {
    natsConnection *nc;
    jsCtx *js;
    char *subject;
    jsPubOptions po;
    unsigned char *scratch; /* payload with its envelope; nats.c copies it */
    size_t scratch_len;
    omb_send_done_fn done;
    void *ctx;
    int64_t max_pending;
    /* Publishes sent and not yet through on_ack. The ack handler's last touch of the
     * producer is its decrement, so at 0 nothing in nats.c holds on to us any more. */
    _Atomic int64_t inflight;
    pthread_mutex_t mu; /* done() vs close; poll's wait */
    pthread_cond_t cond;
    int waiters;
    int64_t served; /* completions, for poll's return */
    bool closed;
    _Atomic int errors_logged;
};

struct omb_consumer {
    natsConnection *nc;
    jsCtx *js;
    natsSubscription *sub; /* on <inbox>.*: the answers to our pull requests */
    char *topic, *subscription;
    char inbox[128], next_subject[512];
    int batch;
    /* The pull request out (the consumer's thread only). */
    uint64_t req_id;
    int req_left; /* messages still to come on the latest */
    int64_t req_sent;
    bool req_live;
    omb_recv_fn fn;
    void *ctx;
    pthread_t thread;
    _Atomic int stop;
    _Atomic int paused;
};

/* ---- small helpers --------------------------------------------------------------------- */

static const char *last_error(natsStatus s)
{
    const char *t = nats_GetLastError(NULL);
    if (!t || !*t) return natsStatus_GetText(s);
    /* nats.c puts where it noticed first: "(conn.c:2088): No server available ..." */
    const char *e = t[0] == '(' ? strstr(t, "): ") : NULL;
    return e ? e + 3 : t;
}

static void hex_put(char *out, const unsigned char *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The envelope of a message: its payload's first bytes, else the omb-env header. */
static void read_envelope(natsMsg *m, struct omb_msg_meta *meta)
{
    const char *data = natsMsg_GetData(m);
    int len = natsMsg_GetDataLength(m);
    if (data && omb_envelope_get(data, (size_t)len, meta)) return;
    const char *v = NULL;
    if (natsMsgHeader_Get(m, ENV_HEADER, &v) != NATS_OK || !v || strlen(v) != 2 * OMB_ENVELOPE_LEN)
        return;
    unsigned char env[OMB_ENVELOPE_LEN];
    for (size_t i = 0; i < OMB_ENVELOPE_LEN; i++) {
        int hi = hex_val(v[2 * i]), lo = hex_val(v[2 * i + 1]);
        if (hi < 0 || lo < 0) return;
        env[i] = (unsigned char)(hi << 4 | lo);
    }
    omb_envelope_get(env, sizeof env, meta);
}

static void free_servers(char **s, int n)
{
    for (int i = 0; i < n; i++) free(s[i]);
    free(s);
}

/* natsHostUrl: "host:port", "nats://host:port", or a comma list of those. */
static int parse_servers(const char *file, const char *url, char ***out, int *nout, char *err,
                         size_t errlen)
{
    char **v = NULL;
    int n = 0;
    const char *p = url;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t')) t--;
        size_t len = (size_t)(t - p);
        char **nv = realloc(v, (size_t)(n + 1) * sizeof *v);
        char *s = malloc(len + 8);
        if (!nv || !s) {
            free(s);
            free_servers(nv ? nv : v, n);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        v = nv;
        bool scheme = false;
        for (size_t i = 0; i + 2 < len; i++)
            if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/') scheme = true;
        snprintf(s, len + 8, "%s%.*s", scheme ? "" : "nats://", (int)len, p);
        v[n++] = s;
        p = e;
    }
    if (n == 0) {
        char *shown = omb_hide_url_passwords(url, "***");
        snprintf(err, errlen, "%s: natsHostUrl '%s' names no server", file, shown ? shown : "");
        free(shown);
        free(v);
        return -1;
    }
    *out = v;
    *nout = n;
    return 0;
}

static void driver_free(struct omb_driver *d)
{
    if (!d) return;
    if (d->js) jsCtx_Destroy(d->js);
    if (d->nc) natsConnection_Destroy(d->nc);
    pthread_mutex_destroy(&d->admin_lock);
    free_servers(d->servers, d->nservers);
    free(d->url);
    free(d->shown);
    free(d->file);
    free(d);
}

/* Reads and checks the driver file's keys. Connects nowhere. */
static int nats_parse(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                      size_t errlen)
{
    struct nats_file f = {.replication_factor = 1,
                          .storage = js_FileStorage,
                          .max_bytes = -1,
                          .max_ack_pending = 20000,
                          .fetch_batch = 500,
                          .publish_max_pending = 1000};
    if (omb_schema_apply(conf->doc, conf->doc->root, nats_fields,
                         sizeof nats_fields / sizeof nats_fields[0], 0, &f, err, errlen) != 0) {
        free(f.url);
        return OMB_DRV_ERR;
    }
    struct omb_driver *d = calloc(1, sizeof *d);
    if (!d) {
        free(f.url);
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    pthread_mutex_init(&d->admin_lock, NULL);
    d->file = strdup(conf->path);
    d->url = f.url ? f.url : strdup("localhost:4222");
    d->shown = d->url ? omb_hide_url_passwords(d->url, "***") : NULL;
    if (!d->url || !d->shown) {
        snprintf(err, errlen, "out of memory");
        driver_free(d);
        return OMB_DRV_ERR;
    }
    d->replication_factor = f.replication_factor;
    d->storage = (jsStorageType)f.storage;
    d->max_bytes = f.max_bytes;
    d->max_ack_pending = f.max_ack_pending;
    d->fetch_batch = f.fetch_batch;
    d->publish_max_pending = f.publish_max_pending;
    if (f.max_bytes == 0) {
        snprintf(err, errlen, "%s: maxBytes 0 would hold no message; use -1 for no limit",
                 conf->path);
        driver_free(d);
        return OMB_DRV_ERR;
    }
    if (parse_servers(conf->path, d->url, &d->servers, &d->nservers, err, errlen) != 0) {
        driver_free(d);
        return OMB_DRV_ERR;
    }
    *out = d;
    return OMB_DRV_OK;
}

static int nats_check(const struct omb_driver_conf *conf, char *err, size_t errlen)
{
    struct omb_driver *d;
    if (nats_parse(conf, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    driver_free(d);
    return OMB_DRV_OK;
}

/* ---- connections ----------------------------------------------------------------------- */

static void on_async_error(natsConnection *nc, natsSubscription *sub, natsStatus s, void *closure)
{
    static _Atomic int64_t last_ns;
    int64_t now = omb_now_ns(), last = atomic_load(&last_ns);
    /* At most one line a second: a slow consumer would otherwise flood the log. */
    if (now - last > 1000000000LL && atomic_compare_exchange_strong(&last_ns, &last, now))
        omb_warn("NATS: asynchronous error on a connection: %s", natsStatus_GetText(s));
}

static void on_disconnected(natsConnection *nc, void *closure)
{
    if (natsConnection_IsClosed(nc)) return; /* closed by omb, not lost */
    omb_warn("NATS: connection to %s lost; reconnecting", (const char *)closure);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    char url[256] = "";
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    char *shown = omb_hide_url_passwords(url, "***");
    omb_info("NATS: reconnected (to %s)", shown ? shown : "a server");
    free(shown);
}

/* A connection and its JetStream context; @p ack: the publish-ack handler (producers). */
static natsStatus connect_to(struct omb_driver *d, const char *name, jsPubAckHandler ack,
                             void *ack_closure, natsConnection **nc, jsCtx **js)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = natsOptions_SetServers(o, (const char **)d->servers, d->nservers);
    if (s == NATS_OK) s = natsOptions_SetName(o, name);
    if (s == NATS_OK) s = natsOptions_SetTimeout(o, CONNECT_TIMEOUT_MS);
    /* A node that goes away mid-run: keep trying the others for about a minute. */
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, 120);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, 500);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(o, on_async_error, NULL);
    if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, on_disconnected, d->shown);
    if (s == NATS_OK) s = natsOptions_SetReconnectedCB(o, on_reconnected, NULL);
    if (s == NATS_OK) s = natsConnection_Connect(nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) return s;
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = API_WAIT_MS;
    jo.PublishAsync.AckHandler = ack;
    jo.PublishAsync.AckHandlerClosure = ack_closure;
    s = natsConnection_JetStream(js, *nc, &jo);
    if (s != NATS_OK) {
        natsConnection_Destroy(*nc);
        *nc = NULL;
    }
    return s;
}

static int nats_init(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                     size_t errlen)
{
    struct omb_driver *d;
    if (nats_parse(conf, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    natsStatus s = connect_to(d, "omb-admin", NULL, NULL, &d->nc, &d->js);
    if (s != NATS_OK) {
        snprintf(err, errlen, "cannot reach NATS at '%s' (natsHostUrl in %s): %s", d->shown,
                 conf->path, last_error(s));
        driver_free(d);
        return OMB_DRV_ERR;
    }
    /* JetStream must be on: a plain NATS server answers no stream request. */
    jsAccountInfo *ai = NULL;
    jsErrCode jerr = 0;
    s = js_GetAccountInfo(&ai, d->js, NULL, &jerr);
    if (s != NATS_OK) {
        snprintf(err, errlen,
                 "the NATS server at '%s' (natsHostUrl in %s) has no JetStream (%s); start "
                 "nats-server with -js",
                 d->shown, conf->path, last_error(s));
        driver_free(d);
        return OMB_DRV_ERR;
    }
    jsAccountInfo_Destroy(ai);
    *out = d;
    return OMB_DRV_OK;
}

/* "host:port" of a nats:// URL with the host resolved to its address, so the same server
 * named two ways ("localhost:4222", "127.0.0.1:4222") counts once. */
static void canonical_server(const char *url, char *out, size_t outlen)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *at = strrchr(h, '@');
    if (at) h = at + 1;
    const char *colon = strrchr(h, ':');
    char host[256];
    snprintf(host, sizeof host, "%.*s", (int)(colon ? colon - h : (long)strlen(h)), h);
    const char *port = colon ? colon + 1 : "4222";
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    char addr[INET_ADDRSTRLEN] = "";
    if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, addr, sizeof addr);
        freeaddrinfo(ai);
    }
    snprintf(out, outlen, "%s:%s", *addr ? addr : host, port);
}

/* Servers in the cluster the admin connection is on: the one it is connected to and those
 * the server told it of (a cluster's members; none for a server on its own). */
static int cluster_size(struct omb_driver *d)
{
    char **found = NULL;
    int n = 0;
    if (natsConnection_GetDiscoveredServers(d->nc, &found, &n) != NATS_OK) n = 0;
    char(*seen)[300] = calloc((size_t)n + 1, sizeof *seen);
    int count = 0;
    char url[256] = "";
    natsConnection_GetConnectedUrl(d->nc, url, sizeof url);
    for (int i = -1; i < n && seen; i++) {
        char key[300];
        canonical_server(i < 0 ? url : found[i], key, sizeof key);
        bool dup = false;
        for (int k = 0; k < count; k++) dup = dup || !strcmp(seen[k], key);
        if (!dup) snprintf(seen[count++], sizeof seen[0], "%s", key);
    }
    for (int i = 0; i < n; i++) free(found[i]);
    free(found);
    free(seen);
    return count > 0 ? count : 1;
}

/* ---- topics = streams ------------------------------------------------------------------ */

static int delete_streams(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                          size_t errlen)
{
    int rc = OMB_DRV_OK;
    pthread_mutex_lock(&d->admin_lock);
    for (size_t i = 0; i < n; i++) {
        jsErrCode jerr = 0;
        natsStatus s = js_DeleteStream(d->js, topics[i], NULL, &jerr);
        if (s != NATS_OK && jerr != JSStreamNotFoundErr && rc == OMB_DRV_OK) {
            snprintf(err, errlen, "cannot delete NATS stream '%s': %s", topics[i], last_error(s));
            rc = OMB_DRV_ERR;
        }
    }
    pthread_mutex_unlock(&d->admin_lock);
    return rc;
}

static int nats_create_topics(struct omb_driver *d, const char *const *topics, size_t n,
                              int partitions, char *err, size_t errlen)
{
    if (partitions > 1) { /* the coordinator refuses it first; a worker may be asked directly */
        snprintf(err, errlen,
                 "NATS JetStream streams have no partitions: partitionsPerTopic must be 1, "
                 "not %d",
                 partitions);
        return OMB_DRV_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        jsStreamConfig sc;
        jsStreamConfig_Init(&sc);
        const char *subjects[] = {topics[i]};
        sc.Name = topics[i];
        sc.Subjects = subjects;
        sc.SubjectsLen = 1;
        sc.Storage = d->storage;
        sc.Replicas = d->replication_factor;
        sc.MaxBytes = d->max_bytes;
        sc.Retention = js_LimitsPolicy;
        sc.Discard = js_DiscardOld;
        jsStreamInfo *si = NULL;
        jsErrCode jerr = 0;
        pthread_mutex_lock(&d->admin_lock);
        natsStatus s = js_AddStream(&si, d->js, &sc, NULL, &jerr);
        pthread_mutex_unlock(&d->admin_lock);
        if (s == NATS_OK) {
            jsStreamInfo_Destroy(si);
            continue;
        }
        if (d->replication_factor > 1 &&
            (jerr == JSInsufficientResourcesErr || jerr == JSStreamReplicasNotSupportedErr ||
             jerr == JSClusterNoPeersErr)) {
            int nodes = cluster_size(d);
            snprintf(err, errlen,
                     "%s: replicationFactor %" PRId64 " needs a JetStream cluster of at least "
                     "%" PRId64 " nodes, but the NATS %s at '%s' has %d node%s (NATS says: %s); "
                     "lower replicationFactor or start more nodes",
                     d->file, d->replication_factor, d->replication_factor,
                     nodes == 1 ? "server" : "cluster", d->shown, nodes, nodes == 1 ? "" : "s",
                     last_error(s));
        } else {
            snprintf(err, errlen, "cannot create NATS stream '%s': %s", topics[i], last_error(s));
        }
        char e2[64];
        delete_streams(d, topics, i, e2, sizeof e2); /* leave nothing half made */
        return OMB_DRV_ERR;
    }
    return OMB_DRV_OK;
}

static int nats_delete_topics(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                              size_t errlen)
{
    return delete_streams(d, topics, n, err, errlen);
}

/* ---- producers ------------------------------------------------------------------------- */

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    struct omb_producer *p = closure;
    int64_t now = omb_now_ns();
    struct omb_msg_meta meta;
    read_envelope(msg, &meta);
    size_t bytes = (size_t)natsMsg_GetDataLength(msg);
    int err = 0;
    if (!pa) {
        err = pae && pae->ErrCode ? (int)pae->ErrCode : pae && pae->Err ? (int)pae->Err : -1;
        if (atomic_fetch_add(&p->errors_logged, 1) < 3)
            omb_warn("NATS: a publish to '%s' failed: %s", p->subject,
                     pae && pae->ErrText ? pae->ErrText
                                         : natsStatus_GetText(pae ? pae->Err : NATS_ERR));
    }
    pthread_mutex_lock(&p->mu);
    if (!p->closed) p->done(p->ctx, &meta, bytes, err, now);
    p->served++;
    if (p->waiters) pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    natsMsg_Destroy(msg);
    atomic_fetch_sub_explicit(&p->inflight, 1, memory_order_release); /* last touch */
}

static void producer_free(struct omb_producer *p)
{
    if (p->js) jsCtx_Destroy(p->js);
    if (p->nc) natsConnection_Destroy(p->nc);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
    free(p->subject);
    free(p->scratch);
    free(p);
}

static int nats_create_producer(struct omb_driver *d, const char *topic, omb_send_done_fn done,
                                void *ctx, struct omb_producer **out, char *err, size_t errlen)
{
    struct omb_producer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->done = done;
    p->ctx = ctx;
    p->subject = strdup(topic);
    p->max_pending = d->publish_max_pending;
    jsPubOptions_Init(&p->po);
    p->po.MaxWait = PUB_ACK_WAIT_MS;
    natsStatus s = connect_to(d, "omb-producer", on_ack, p, &p->nc, &p->js);
    if (s != NATS_OK) {
        snprintf(err, errlen, "cannot create a NATS producer on '%s' (%s): %s", topic, d->shown,
                 last_error(s));
        producer_free(p);
        return OMB_DRV_ERR;
    }
    *out = p;
    return OMB_DRV_OK;
}

static int nats_send(struct omb_producer *p, const char *key, size_t keylen, const void *payload,
                     size_t len, const struct omb_msg_meta *meta)
{
    (void)key; /* NATS messages have no key; the subject is the topic */
    (void)keylen;
    if (atomic_load_explicit(&p->inflight, memory_order_relaxed) >= p->max_pending)
        return OMB_DRV_QUEUE_FULL;
    atomic_fetch_add_explicit(&p->inflight, 1, memory_order_relaxed);
    natsStatus s;
    if (len >= OMB_ENVELOPE_LEN) {
        const void *msg = omb_envelope_wrap(&p->scratch, &p->scratch_len, payload, len, meta);
        s = msg ? js_PublishAsync(p->js, p->subject, msg, (int)len, &p->po) : NATS_NO_MEMORY;
    } else {
        unsigned char env[OMB_ENVELOPE_LEN];
        char hex[2 * OMB_ENVELOPE_LEN + 1];
        omb_envelope_put(env, meta);
        hex_put(hex, env, sizeof env);
        natsMsg *m = NULL;
        s = natsMsg_Create(&m, p->subject, NULL, payload, (int)len);
        if (s == NATS_OK) s = natsMsgHeader_Set(m, ENV_HEADER, hex);
        if (s == NATS_OK) s = js_PublishMsgAsync(p->js, &m, &p->po);
        natsMsg_Destroy(m); /* NULL when nats.c took it */
    }
    if (s == NATS_OK) return OMB_DRV_OK;
    atomic_fetch_sub_explicit(&p->inflight, 1, memory_order_relaxed);
    if (atomic_fetch_add(&p->errors_logged, 1) < 3)
        omb_warn("NATS: cannot publish to '%s': %s", p->subject, last_error(s));
    return OMB_DRV_ERR;
}

/* Waits up to @p timeout_ms for a completion (they run on nats.c's thread), as a client's
 * poll does: with nothing in flight it sleeps the whole time (the worker relies on that to
 * wait for its next due time). */
static int nats_poll(struct omb_producer *p, int timeout_ms)
{
    pthread_mutex_lock(&p->mu);
    int64_t before = p->served;
    if (timeout_ms > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (int64_t)timeout_ms * 1000000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        p->waiters++;
        while (p->served == before && pthread_cond_timedwait(&p->cond, &p->mu, &ts) == 0) {
        }
        p->waiters--;
    }
    int served = (int)(p->served - before);
    pthread_mutex_unlock(&p->mu);
    return served;
}

static void nats_close_producer(struct omb_producer *p)
{
    if (!p) return;
    /* The worker has flushed; give acks still in flight a moment, then stop completions. */
    int64_t deadline = omb_now_ns() + (int64_t)CLOSE_WAIT_MS * 1000000;
    while (atomic_load_explicit(&p->inflight, memory_order_acquire) > 0 && omb_now_ns() < deadline)
        omb_sleep_ns(1000000);
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_mutex_unlock(&p->mu);
    if (atomic_load_explicit(&p->inflight, memory_order_acquire) > 0) {
        /* nats.c may still call on_ack with this producer: keep it (a few hundred bytes)
         * rather than free it under that thread. Only after a broker stopped answering. */
        omb_debug("NATS: producer on '%s' closed with %" PRId64 " publishes unanswered", p->subject,
                  atomic_load(&p->inflight));
        natsConnection_Close(p->nc);
        return;
    }
    producer_free(p);
}

/* ---- consumers ------------------------------------------------------------------------- */

/* Sends a pull request: up to a batch, each message sent as soon as it is there, for at
 * most FETCH_WAIT_MS; its status answers (408 when it expires) come to our inbox's subject
 * ".<request id>" (the messages themselves come with their own subject). */
static void send_pull(struct omb_consumer *c, int64_t now, bool add)
{
    char reply[160], body[96];
    c->req_id++;
    snprintf(reply, sizeof reply, "%s.%" PRIu64, c->inbox, c->req_id);
    snprintf(body, sizeof body, "{\"batch\":%d,\"expires\":%" PRId64 "}", c->batch,
             (int64_t)FETCH_WAIT_MS * 1000000);
    c->req_sent = now;
    if (natsConnection_PublishRequestString(c->nc, c->next_subject, reply, body) != NATS_OK) {
        c->req_live = false; /* again on the next turn (reconnecting, say) */
        return;
    }
    /* What the server may still send: the new batch, plus what is left of the request
     * before when that one is still on (a batch half delivered). So at most 1.5 batches
     * are asked for and not yet delivered, 2 in the last 20 ms of a request's life. */
    c->req_left = add && c->req_live ? c->req_left + c->batch : c->batch;
    c->req_live = true;
}

static uint64_t request_of(natsMsg *m)
{
    const char *subj = natsMsg_GetSubject(m);
    const char *dot = subj ? strrchr(subj, '.') : NULL;
    return dot ? strtoull(dot + 1, NULL, 10) : 0;
}

/*
 * The consumer's thread, with pull requests of its own rather than nats.c's fetch, which
 * returns when its batch is full or it expires (holding the first messages of a batch back
 * for as long) and which, in nats.c 3.4.1, wrote past its message array under load. Each
 * message is delivered and acked as it arrives. The next request goes out before the
 * current one runs dry: when half its batch has come, or 80% of its time has passed (the
 * server's 408 at expiry is not always sent), so the server always has one to answer.
 * Paused: no new request; those out deliver at most what is left of them (2 batches).
 */
static void *consumer_main(void *arg)
{
    struct omb_consumer *c = arg;
    int64_t last_warn = 0;
    const int64_t renew_ns = (int64_t)FETCH_WAIT_MS * 800000;
    while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
        int64_t now = omb_now_ns();
        if (!atomic_load_explicit(&c->paused, memory_order_relaxed)) {
            if (!c->req_live || now - c->req_sent >= renew_ns)
                send_pull(c, now, false); /* none, or the one out is about to expire */
            else if (c->req_left <= c->batch / 2)
                send_pull(c, now, true);
        }
        natsMsg *m = NULL;
        natsStatus s = natsSubscription_NextMsg(&m, c->sub, 20);
        if (s == NATS_OK) {
            const char *status = NULL;
            if (natsMsg_GetDataLength(m) == 0 &&
                natsMsgHeader_Get(m, "Status", &status) == NATS_OK && status) {
                /* 408 expired, 409 limits or consumer deleted, 404 none: the end of it. */
                if (request_of(m) == c->req_id) c->req_live = false;
                natsMsg_Destroy(m);
                continue;
            }
            now = omb_now_ns();
            struct omb_msg_meta env;
            read_envelope(m, &env);
            struct omb_delivered d = {.bytes = (size_t)natsMsg_GetDataLength(m), .now_ns = now};
            omb_envelope_position(&env, &d);
            c->fn(c->ctx, &d);
            const char *ack = natsMsg_GetReply(m);
            if (ack) natsConnection_PublishString(c->nc, ack, "+ACK");
            natsMsg_Destroy(m);
            c->req_left--;
            continue;
        }
        if (s == NATS_TIMEOUT) continue;
        if (now - last_warn > 5000000000LL) {
            omb_warn("NATS: consumer '%s' of '%s': %s", c->subscription, c->topic, last_error(s));
            last_warn = now;
        }
        omb_sleep_ns(100000000);
    }
    return NULL;
}

static void consumer_free(struct omb_consumer *c)
{
    if (c->sub) natsSubscription_Destroy(c->sub);
    if (c->js) jsCtx_Destroy(c->js);
    if (c->nc) natsConnection_Destroy(c->nc);
    free(c->topic);
    free(c->subscription);
    free(c);
}

static int nats_create_consumer(struct omb_driver *d, const char *topic, const char *subscription,
                                omb_recv_fn fn, void *ctx, struct omb_consumer **out, char *err,
                                size_t errlen)
{
    struct omb_consumer *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    c->fn = fn;
    c->ctx = ctx;
    c->topic = strdup(topic);
    c->subscription = strdup(subscription);
    c->batch = (int)d->fetch_batch;
    natsStatus s = connect_to(d, "omb-consumer", NULL, NULL, &c->nc, &c->js);
    if (s != NATS_OK) {
        snprintf(err, errlen, "cannot create a NATS consumer on '%s' (%s): %s", topic, d->shown,
                 last_error(s));
        consumer_free(c);
        return OMB_DRV_ERR;
    }
    /* The subscription's durable consumer, made once and shared: the same request from
     * each of its consumers (and workers) is answered with the same consumer. */
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = subscription;
    cc.DeliverPolicy = js_DeliverAll;
    cc.AckPolicy = js_AckExplicit;
    cc.MaxAckPending = d->max_ack_pending;
    /* Messages in flight to a consumer whose connection dropped (a node killed) come again
     * after AckWait: 5 s, not JetStream's 30 s, so they arrive within the delivery check's
     * wait (it gives up after 10 s without progress) instead of being counted as lost. */
    cc.AckWait = NATS_ACK_WAIT_NS;
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    s = js_AddConsumer(&ci, c->js, topic, &cc, NULL, &jerr);
    if (s == NATS_OK) jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK && jerr != JSConsumerNameExistErr) {
        snprintf(err, errlen, "cannot create NATS consumer '%s' on stream '%s': %s", subscription,
                 topic, last_error(s));
        consumer_free(c);
        return OMB_DRV_ERR;
    }
    natsInbox *inbox = NULL;
    s = natsInbox_Create(&inbox);
    if (s == NATS_OK) {
        snprintf(c->inbox, sizeof c->inbox, "%s", (const char *)inbox);
        natsInbox_Destroy(inbox);
        snprintf(c->next_subject, sizeof c->next_subject, "$JS.API.CONSUMER.MSG.NEXT.%s.%s", topic,
                 subscription);
        char wild[160];
        snprintf(wild, sizeof wild, "%s.*", c->inbox);
        s = natsConnection_SubscribeSync(&c->sub, c->nc, wild);
        /* No client-side limit (past it nats.c drops messages as a slow consumer): what
         * is delivered and not yet acked is bounded by the pull requests and
         * maxAckPending already. */
        if (s == NATS_OK) s = natsSubscription_SetPendingLimits(c->sub, -1, -1);
    }
    int prc = s == NATS_OK ? pthread_create(&c->thread, NULL, consumer_main, c) : 0;
    if (s != NATS_OK || prc) {
        snprintf(err, errlen, "cannot subscribe to NATS consumer '%s' of '%s': %s", subscription,
                 topic, s != NATS_OK ? last_error(s) : strerror(prc));
        consumer_free(c);
        return OMB_DRV_ERR;
    }
    *out = c;
    return OMB_DRV_OK;
}

static int nats_pause(struct omb_consumer *c)
{
    atomic_store(&c->paused, 1);
    return OMB_DRV_OK;
}

static int nats_resume(struct omb_consumer *c)
{
    atomic_store(&c->paused, 0);
    return OMB_DRV_OK;
}

static void nats_close_consumer(struct omb_consumer *c)
{
    if (!c) return;
    atomic_store(&c->stop, 1);
    pthread_join(c->thread, NULL);
    /* The durable consumer stays until its stream is deleted: other consumers share it. */
    consumer_free(c);
}

const struct omb_driver_ops omb_nats_driver = {
    .name = "nats",
    .topic_prefix = "Nats-benchmark",
    .caps = 0,
    .limits = {.producers = 0,
               .consumers = 0,
               .why = "each producer and each consumer is a NATS connection with its own threads"},
    .check = nats_check,
    .init = nats_init,
    .create_topics = nats_create_topics,
    .create_producer = nats_create_producer,
    .send = nats_send,
    .poll = nats_poll,
    .close_producer = nats_close_producer,
    .create_consumer = nats_create_consumer,
    .pause_consumer = nats_pause,
    .resume_consumer = nats_resume,
    .close_consumer = nats_close_consumer,
    .delete_topics = nats_delete_topics,
    .destroy = driver_free,
};
