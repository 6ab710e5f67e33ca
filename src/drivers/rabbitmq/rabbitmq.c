/* rabbitmq.c - the RabbitMQ driver on rabbitmq-c (librabbitmq): OMB's driver file keys and
 * mapping (a durable fanout exchange per topic, a durable queue per subscription bound to it,
 * competing consumers, publisher confirms as the ack), one AMQP connection per producer and
 * per consumer. docs/drivers/rabbitmq.md says what was chosen and why. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

#include "config/schema.h"
#include "drivers/driver.h"
#include "drivers/envelope.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/redact.h"

/* Payloads shorter than the envelope carry it in this AMQP header (a byte array). */
#define ENV_HEADER          "omb-env"
#define CHANNEL             1
#define CONNECT_TIMEOUT_S   5
#define RPC_TIMEOUT_S       30
#define FRAME_MAX           131072
#define CONSUME_WAIT_MS     100
#define ACK_MAX_DELAY_NS    10000000LL /* a consumer acks what it has at least every 10 ms */
#define RECONNECT_EVERY_NS  1000000000LL
#define DEFAULT_PREFETCH    1000
#define DEFAULT_UNCONFIRMED 10000

enum rmq_queue_type { RMQ_CLASSIC, RMQ_QUORUM, RMQ_STREAM };
static const char *const queue_type_names[] = {"CLASSIC", "QUORUM", "STREAM", NULL};
static const int queue_type_values[] = {RMQ_CLASSIC, RMQ_QUORUM, RMQ_STREAM};
static const char *const queue_type_args[] = {"classic", "quorum", "stream"};

/* One entry of amqpUris: the text as written (for messages) and its parsed parts (pointing
 * into buf, which amqp_parse_url cuts up). */
struct rmq_uri {
    char *text, *buf;
    struct amqp_connection_info ci;
};

/* A queue this driver declared, deleted with its topic. */
struct rmq_queue {
    char *topic, *queue;
    bool deleted;
};

struct omb_driver {
    char *file;
    struct rmq_uri *uris;
    size_t nuris;
    bool persistent;
    int queue_type;
    int64_t prod_delay_ms, prod_batch, cons_delay_ms, cons_batch;
    int64_t prefetch, max_unconfirmed;
    pthread_mutex_t mu; /* the counters and the queue list below */
    size_t next_uri, producers_made, consumers_made;
    struct rmq_queue *queues;
    size_t nqueues;
    bool stream_shared_warned;
    char **created; /* topics this driver created (the others' queues: rmq_destroy) */
    size_t ncreated;
};

/* One message waiting for its publisher confirm, at ring[delivery tag & mask]. */
struct rmq_pending {
    struct omb_msg_meta meta;
    size_t bytes;
    bool pending;
};

struct omb_producer {
    struct omb_driver *d;
    const struct rmq_uri *uri;
    char *exchange;
    amqp_connection_state_t conn; /* NULL while the connection is down */
    omb_send_done_fn done;
    void *ctx;
    struct rmq_pending *ring;
    uint64_t mask;
    uint64_t next_tag, low_tag; /* tags [low_tag, next_tag) may be pending; tags start at 1 */
    unsigned char *scratch;
    size_t scratch_len;
    int64_t retry_at;
    bool down_logged;
};

struct omb_consumer {
    struct omb_driver *d;
    const struct rmq_uri *uri;
    char *topic, *queue;
    omb_recv_fn fn;
    void *ctx;
    amqp_connection_state_t conn; /* owned by the consumer thread once it runs */
    pthread_t thread;
    _Atomic int stop;
    _Atomic int want_paused;
    bool consuming;      /* basic.consume is in force */
    bool cancel_pending; /* basic.cancel sent, cancel-ok not seen yet */
    char tag[48];
    uint64_t unacked_tag; /* highest delivery tag not acked yet, 0: none */
    uint64_t unacked;
    int64_t first_unacked_ns;
    uint64_t ack_every;
    int64_t stream_next; /* stream queues: the offset to resume from, -1: from "first" */
    bool down_logged;
};

/* ---- the driver file -------------------------------------------------------------- */

struct rmq_file {
    const void *name, *cls;
    const struct omb_yaml_node *uris;
    bool persistent;
    int queue_type;
    int64_t prod_delay_ms, prod_batch, cons_delay_ms, cons_batch, prefetch, max_unconfirmed;
};

#define RMQ_INT(k, member, lo, hi)                                                                 \
    {                                                                                              \
        .key = k, .type = OMB_FIELD_INT, .offset = offsetof(struct rmq_file, member), .min = lo,   \
        .max = hi                                                                                  \
    }
static const struct omb_field rmq_fields[] = {
    {.key = "name", .type = OMB_FIELD_ANY, .offset = offsetof(struct rmq_file, name)},
    {.key = "driverClass", .type = OMB_FIELD_ANY, .offset = offsetof(struct rmq_file, cls)},
    {.key = "amqpUris", .type = OMB_FIELD_ANY, .offset = offsetof(struct rmq_file, uris)},
    {.key = "messagePersistence",
     .type = OMB_FIELD_BOOL,
     .offset = offsetof(struct rmq_file, persistent)},
    {.key = "queueType",
     .type = OMB_FIELD_ENUM,
     .offset = offsetof(struct rmq_file, queue_type),
     .enum_names = queue_type_names,
     .enum_values = queue_type_values},
    RMQ_INT("producerCreationDelay", prod_delay_ms, 0, 3600000),
    RMQ_INT("producerCreationBatchSize", prod_batch, 1, 1000000),
    RMQ_INT("consumerCreationDelay", cons_delay_ms, 0, 3600000),
    RMQ_INT("consumerCreationBatchSize", cons_batch, 1, 1000000),
    /* omb's own: basic.qos per consumer, and unconfirmed publishes per producer. */
    RMQ_INT("prefetch", prefetch, 1, 65535),
    RMQ_INT("maxUnconfirmed", max_unconfirmed, 1, 1000000),
};

static void driver_free(struct omb_driver *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->nuris; i++) {
        free(d->uris[i].text);
        free(d->uris[i].buf);
    }
    free(d->uris);
    for (size_t i = 0; i < d->nqueues; i++) {
        free(d->queues[i].topic);
        free(d->queues[i].queue);
    }
    free(d->queues);
    for (size_t i = 0; i < d->ncreated; i++) free(d->created[i]);
    free(d->created);
    pthread_mutex_destroy(&d->mu);
    free(d->file);
    free(d);
}

/* One amqpUris entry into @p u; an error names the file and line. */
static int parse_uri(const char *file, const struct omb_yaml_node *v, struct rmq_uri *u, char *err,
                     size_t errlen)
{
    char q[80];
    if (v->kind != OMB_YAML_SCALAR || omb_yaml_is_null(v) || !v->scalar[0]) {
        snprintf(err, errlen, "%s line %d: amqpUris: each entry must be an amqp:// URI", file,
                 v->line);
        return -1;
    }
    omb_yaml_quote(q, sizeof q, v->scalar);
    if (!strncmp(v->scalar, "amqps://", 8)) {
        snprintf(err, errlen,
                 "%s line %d: amqpUris: %s: amqps:// (TLS) is not supported by omb's RabbitMQ "
                 "driver yet; use amqp://",
                 file, v->line, q);
        return -1;
    }
    u->text = omb_hide_url_passwords(v->scalar, "***"); /* for messages */
    u->buf = strdup(v->scalar);
    if (!u->text || !u->buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    amqp_default_connection_info(&u->ci);
    if (strncmp(v->scalar, "amqp://", 7) != 0 || amqp_parse_url(u->buf, &u->ci) != AMQP_STATUS_OK ||
        !u->ci.host[0]) {
        snprintf(err, errlen,
                 "%s line %d: amqpUris: %s is not an AMQP URI "
                 "(amqp://[user[:password]@]host[:port][/vhost])",
                 file, v->line, q);
        return -1;
    }
    return 0;
}

/* Reads and checks the driver file. Connects nowhere. */
static int rmq_parse(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                     size_t errlen)
{
    struct rmq_file f = {.queue_type = RMQ_CLASSIC,
                         .prod_batch = 1,
                         .cons_batch = 1,
                         .prefetch = DEFAULT_PREFETCH,
                         .max_unconfirmed = DEFAULT_UNCONFIRMED};
    if (omb_schema_apply(conf->doc, conf->doc->root, rmq_fields,
                         sizeof rmq_fields / sizeof rmq_fields[0], 0, &f, err, errlen) != 0)
        return OMB_DRV_ERR;
    struct omb_driver *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    pthread_mutex_init(&d->mu, NULL);
    d->file = strdup(conf->path);
    d->persistent = f.persistent;
    d->queue_type = f.queue_type;
    d->prod_delay_ms = f.prod_delay_ms;
    d->prod_batch = f.prod_batch;
    d->cons_delay_ms = f.cons_delay_ms;
    d->cons_batch = f.cons_batch;
    d->prefetch = f.prefetch;
    d->max_unconfirmed = f.max_unconfirmed;
    const struct omb_yaml_node *list = f.uris;
    static const struct omb_yaml_node fallback = {
        .kind = OMB_YAML_SCALAR, .scalar = "amqp://localhost", .plain = true};
    static const struct omb_yaml_node *const fallback_items[] = {&fallback};
    static const struct omb_yaml_node fallback_list = {
        .kind = OMB_YAML_SEQ, .n = 1, .values = (struct omb_yaml_node **)fallback_items};
    if (!list || omb_yaml_is_null(list)) list = &fallback_list;
    const struct omb_yaml_node *key = omb_yaml_get_key(conf->doc->root, "amqpUris");
    if (list->kind != OMB_YAML_SEQ || list->n == 0) {
        snprintf(err, errlen,
                 "%s line %d: amqpUris must be a list of amqp:// URIs, e.g. "
                 "[amqp://localhost]",
                 conf->path, key ? key->line : list->line);
        goto fail;
    }
    d->uris = calloc(list->n, sizeof *d->uris);
    if (!d->uris) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < list->n; i++) {
        d->nuris = i + 1;
        if (parse_uri(conf->path, list->values[i], &d->uris[i], err, errlen) != 0) goto fail;
    }
    *out = d;
    return OMB_DRV_OK;
fail:
    driver_free(d);
    return OMB_DRV_ERR;
}

/* ---- connections ------------------------------------------------------------------ */

/* One sentence for an RPC reply that is not a success. */
static void reply_text(amqp_rpc_reply_t r, char *buf, size_t len)
{
    switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        snprintf(buf, len, "no error");
        return;
    case AMQP_RESPONSE_NONE:
        snprintf(buf, len, "no reply from the broker");
        return;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        snprintf(buf, len, "%s", amqp_error_string2(r.library_error));
        return;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const amqp_connection_close_t *m = r.reply.decoded;
            snprintf(buf, len, "the broker closed the connection: %u %.*s", m->reply_code,
                     (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const amqp_channel_close_t *m = r.reply.decoded;
            snprintf(buf, len, "%u %.*s", m->reply_code, (int)m->reply_text.len,
                     (const char *)m->reply_text.bytes);
        } else {
            snprintf(buf, len, "unexpected broker method 0x%08x", (unsigned)r.reply.id);
        }
        return;
    }
    snprintf(buf, len, "unknown reply");
}

/* Whether the last RPC failed; if so, @p what and the reason into @p err. */
static bool rpc_failed(amqp_connection_state_t conn, const char *what, char *err, size_t errlen)
{
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) return false;
    char why[256];
    reply_text(r, why, sizeof why);
    if (snprintf(err, errlen, "%s: %s", what, why) >= (int)errlen && errlen > 4)
        memcpy(err + errlen - 4, "...", 4); /* say that it was cut */
    return true;
}

static void conn_close(amqp_connection_state_t conn, bool graceful)
{
    if (!conn) return;
    if (graceful) {
        amqp_channel_close(conn, CHANNEL, AMQP_REPLY_SUCCESS);
        amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(conn);
}

/* Why a TCP connection to @p host:@p port fails (rabbitmq-c only says "a socket error
 * occurred"), into @p buf; -1 when it does not fail or the reason is unknown. */
static int tcp_reason(const char *host, int port, char *buf, size_t len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char svc[16];
    snprintf(svc, sizeof svc, "%d", port);
    int g = getaddrinfo(host, svc, &hints, &res);
    if (g != 0) {
        snprintf(buf, len, "cannot resolve '%s': %s", host, gai_strerror(g));
        return 0;
    }
    int e = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) continue;
        e = 0;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            e = errno;
            if (e == EINPROGRESS) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                socklen_t sl = sizeof e;
                if (poll(&pfd, 1, CONNECT_TIMEOUT_S * 1000) == 1)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl);
                else
                    e = ETIMEDOUT;
            }
        }
        close(fd);
        if (e == 0) break;
    }
    freeaddrinfo(res);
    if (!e) return -1;
    snprintf(buf, len, "%s", strerror(e));
    return 0;
}

/* A logged-in connection with channel CHANNEL open, or NULL with one sentence in @p err. */
static amqp_connection_state_t rmq_connect(const struct omb_driver *d, const struct rmq_uri *u,
                                           char *err, size_t errlen)
{
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *sock = conn ? amqp_tcp_socket_new(conn) : NULL;
    if (!sock) {
        snprintf(err, errlen, "out of memory creating an AMQP connection");
        if (conn) amqp_destroy_connection(conn);
        return NULL;
    }
    struct timeval tv = {CONNECT_TIMEOUT_S, 0}, rpc = {RPC_TIMEOUT_S, 0};
    int rc = amqp_socket_open_noblock(sock, u->ci.host, u->ci.port, &tv);
    if (rc != AMQP_STATUS_OK) {
        char why[128];
        if (rc != AMQP_STATUS_SOCKET_ERROR || tcp_reason(u->ci.host, u->ci.port, why, sizeof why))
            snprintf(why, sizeof why, "%s", amqp_error_string2(rc));
        snprintf(err, errlen, "cannot reach RabbitMQ at '%s' (amqpUris in %s): %s", u->text,
                 d->file, why);
        amqp_destroy_connection(conn);
        return NULL;
    }
    amqp_set_handshake_timeout(conn, &tv);
    amqp_set_rpc_timeout(conn, &rpc);
    /* No heartbeats: a producer the worker does not poll for a while (between phases)
     * must not be dropped by the broker; a lost connection shows up on the next read. */
    amqp_rpc_reply_t r = amqp_login(conn, u->ci.vhost, 0, FRAME_MAX, 0, AMQP_SASL_METHOD_PLAIN,
                                    u->ci.user, u->ci.password);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        char why[256];
        reply_text(r, why, sizeof why);
        snprintf(err, errlen,
                 "RabbitMQ at '%s' (amqpUris in %s) refused the login of user '%s' to vhost "
                 "'%s': %s",
                 u->text, d->file, u->ci.user, u->ci.vhost, why);
        amqp_destroy_connection(conn);
        return NULL;
    }
    amqp_channel_open(conn, CHANNEL);
    char what[128];
    snprintf(what, sizeof what, "cannot open a channel on RabbitMQ at '%s'", u->text);
    if (rpc_failed(conn, what, err, errlen)) {
        conn_close(conn, false);
        return NULL;
    }
    return conn;
}

static int declare_exchange(amqp_connection_state_t conn, const char *name, char *err,
                            size_t errlen)
{
    amqp_exchange_declare(conn, CHANNEL, amqp_cstring_bytes(name), amqp_cstring_bytes("fanout"), 0,
                          1, 0, 0, amqp_empty_table);
    char what[320];
    snprintf(what, sizeof what, "cannot declare exchange '%s'", name);
    return rpc_failed(conn, what, err, errlen) ? -1 : 0;
}

/* The round-robin URI for the next client, and the creation pacing of OMB's
 * {producer,consumer}Creation{Delay,BatchSize}: after every batch, a pause. */
static const struct rmq_uri *next_client(struct omb_driver *d, bool producer)
{
    pthread_mutex_lock(&d->mu);
    size_t *made = producer ? &d->producers_made : &d->consumers_made;
    int64_t batch = producer ? d->prod_batch : d->cons_batch;
    int64_t delay = producer ? d->prod_delay_ms : d->cons_delay_ms;
    bool pause = *made > 0 && delay > 0 && (int64_t)*made % batch == 0;
    (*made)++;
    const struct rmq_uri *u = &d->uris[d->next_uri++ % d->nuris];
    pthread_mutex_unlock(&d->mu);
    if (pause) omb_sleep_ns(delay * 1000000);
    return u;
}

/* ---- driver ------------------------------------------------------------------------ */

static int rmq_check(const struct omb_driver_conf *conf, char *err, size_t errlen)
{
    struct omb_driver *d;
    if (rmq_parse(conf, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    driver_free(d);
    return OMB_DRV_OK;
}

static int rmq_init(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                    size_t errlen)
{
    struct omb_driver *d;
    if (rmq_parse(conf, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    /* Fail now, naming the URI, rather than at the first topic. */
    for (size_t i = 0; i < d->nuris; i++) {
        amqp_connection_state_t c = rmq_connect(d, &d->uris[i], err, errlen);
        if (!c) {
            driver_free(d);
            return OMB_DRV_ERR;
        }
        conn_close(c, true);
    }
    omb_info("RabbitMQ: %zu URI(s), %s queues, %s messages, prefetch %lld, up to %lld "
             "unconfirmed per producer",
             d->nuris, queue_type_names[d->queue_type], d->persistent ? "persistent" : "transient",
             (long long)d->prefetch, (long long)d->max_unconfirmed);
    *out = d;
    return OMB_DRV_OK;
}

static int rmq_create_topics(struct omb_driver *d, const char *const *topics, size_t n,
                             int partitions, char *err, size_t errlen)
{
    if (partitions != 1) {
        snprintf(err, errlen,
                 "RabbitMQ has no partitions: partitionsPerTopic must be 1 with the rabbitmq "
                 "driver (got %d; use more topics instead)",
                 partitions);
        return OMB_DRV_ERR;
    }
    amqp_connection_state_t conn = rmq_connect(d, &d->uris[0], err, errlen);
    if (!conn) return OMB_DRV_ERR;
    int rc = OMB_DRV_OK;
    for (size_t i = 0; i < n && rc == OMB_DRV_OK; i++)
        if (declare_exchange(conn, topics[i], err, errlen) != 0) rc = OMB_DRV_ERR;
    conn_close(conn, rc == OMB_DRV_OK);
    pthread_mutex_lock(&d->mu);
    char **all = realloc(d->created, (d->ncreated + n) * sizeof *all);
    if (all) {
        d->created = all;
        for (size_t i = 0; i < n; i++)
            if ((all[d->ncreated] = strdup(topics[i]))) d->ncreated++;
    }
    pthread_mutex_unlock(&d->mu);
    return rc;
}

static int rmq_delete_topics(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                             size_t errlen)
{
    amqp_connection_state_t conn = rmq_connect(d, &d->uris[0], err, errlen);
    if (!conn) return OMB_DRV_ERR;
    int rc = OMB_DRV_OK;
    char e[512];
    pthread_mutex_lock(&d->mu);
    for (size_t i = 0; i < n && rc == OMB_DRV_OK; i++) {
        for (size_t k = 0; k < d->nqueues && rc == OMB_DRV_OK; k++) {
            if (strcmp(d->queues[k].topic, topics[i]) != 0) continue;
            amqp_queue_delete(conn, CHANNEL, amqp_cstring_bytes(d->queues[k].queue), 0, 0);
            char what[320];
            snprintf(what, sizeof what, "cannot delete queue '%s'", d->queues[k].queue);
            if (rpc_failed(conn, what, e, sizeof e)) {
                snprintf(err, errlen, "%s", e);
                rc = OMB_DRV_ERR;
            }
            d->queues[k].deleted = true;
        }
        if (rc != OMB_DRV_OK) break;
        amqp_exchange_delete(conn, CHANNEL, amqp_cstring_bytes(topics[i]), 0);
        char what[320];
        snprintf(what, sizeof what, "cannot delete exchange '%s'", topics[i]);
        if (rpc_failed(conn, what, e, sizeof e)) {
            snprintf(err, errlen, "%s", e);
            rc = OMB_DRV_ERR;
        }
    }
    pthread_mutex_unlock(&d->mu);
    conn_close(conn, rc == OMB_DRV_OK);
    return rc;
}

/* ---- producers --------------------------------------------------------------------- */

static void complete(struct omb_producer *p, struct rmq_pending *s, int err, int64_t now)
{
    s->pending = false;
    p->done(p->ctx, &s->meta, s->bytes, err, now);
}

/* Publisher confirm (or nack, @p err) for @p tag, or for every tag up to it (@p multiple). */
static int confirm(struct omb_producer *p, uint64_t tag, bool multiple, int err, int64_t now)
{
    int served = 0;
    if (tag < p->low_tag || tag >= p->next_tag) return 0; /* already served, or not ours */
    if (multiple) {
        for (uint64_t t = p->low_tag; t <= tag; t++) {
            struct rmq_pending *s = &p->ring[t & p->mask];
            if (s->pending) {
                complete(p, s, err, now);
                served++;
            }
        }
    } else {
        struct rmq_pending *s = &p->ring[tag & p->mask];
        if (s->pending) {
            complete(p, s, err, now);
            served++;
        }
    }
    while (p->low_tag < p->next_tag && !p->ring[p->low_tag & p->mask].pending) p->low_tag++;
    return served;
}

/* Fails every unconfirmed message (their confirms can no longer come). Called from poll(),
 * so completions stay on the thread and in the call that driver.h names. */
static int fail_pending(struct omb_producer *p)
{
    int64_t now = omb_now_ns();
    int lost = 0;
    for (uint64_t t = p->low_tag; t < p->next_tag; t++) {
        struct rmq_pending *s = &p->ring[t & p->mask];
        if (s->pending) {
            complete(p, s, 1, now);
            lost++;
        }
    }
    p->low_tag = p->next_tag;
    return lost;
}

/* The connection is gone (or its channel closed): its unconfirmed messages fail at the
 * next poll, and the next send after that tries to connect again (once a second). */
static void producer_down(struct omb_producer *p, const char *why)
{
    uint64_t unconfirmed = 0;
    for (uint64_t t = p->low_tag; t < p->next_tag; t++) unconfirmed += p->ring[t & p->mask].pending;
    if (!p->down_logged)
        omb_warn("RabbitMQ producer on '%s' (%s): %s; %llu unconfirmed message(s) failed, "
                 "reconnecting every second",
                 p->exchange, p->uri->text, why, (unsigned long long)unconfirmed);
    p->down_logged = true;
    conn_close(p->conn, false);
    p->conn = NULL;
    p->retry_at = omb_now_ns() + RECONNECT_EVERY_NS;
}

/* Connects, declares the exchange (as OMB's producer does) and selects confirms. */
static int producer_open(struct omb_producer *p, char *err, size_t errlen)
{
    amqp_connection_state_t conn = rmq_connect(p->d, p->uri, err, errlen);
    if (!conn) return -1;
    if (declare_exchange(conn, p->exchange, err, errlen) != 0) {
        conn_close(conn, false);
        return -1;
    }
    amqp_confirm_select(conn, CHANNEL);
    if (rpc_failed(conn, "cannot select publisher confirms", err, errlen)) {
        conn_close(conn, false);
        return -1;
    }
    p->conn = conn;
    p->next_tag = p->low_tag = 1; /* confirm.select numbers this channel's messages from 1 */
    return 0;
}

static void rmq_close_producer(struct omb_producer *p)
{
    if (!p) return;
    /* Unconfirmed sends get no completion: the worker has flushed already. */
    conn_close(p->conn, true);
    free(p->ring);
    free(p->scratch);
    free(p->exchange);
    free(p);
}

static int rmq_create_producer(struct omb_driver *d, const char *topic, omb_send_done_fn done,
                               void *ctx, struct omb_producer **out, char *err, size_t errlen)
{
    struct omb_producer *p = calloc(1, sizeof *p);
    uint64_t cap = 1;
    while (cap < (uint64_t)d->max_unconfirmed) cap <<= 1;
    if (p) {
        p->ring = calloc(cap, sizeof *p->ring);
        p->exchange = strdup(topic);
    }
    if (!p || !p->ring || !p->exchange) {
        rmq_close_producer(p);
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    p->d = d;
    p->mask = cap - 1;
    p->done = done;
    p->ctx = ctx;
    p->uri = next_client(d, true);
    if (producer_open(p, err, errlen) != 0) {
        rmq_close_producer(p);
        return OMB_DRV_ERR;
    }
    *out = p;
    return OMB_DRV_OK;
}

static int rmq_send(struct omb_producer *p, const char *key, size_t keylen, const void *payload,
                    size_t len, const struct omb_msg_meta *meta)
{
    (void)key;
    (void)keylen; /* a fanout exchange ignores routing keys */
    if (!p->conn) {
        int64_t now = omb_now_ns();
        /* Reconnect once poll() has failed what the lost connection left unconfirmed. */
        if (now < p->retry_at || p->low_tag != p->next_tag) return OMB_DRV_ERR;
        char e[512];
        if (producer_open(p, e, sizeof e) != 0) {
            p->retry_at = now + RECONNECT_EVERY_NS;
            return OMB_DRV_ERR;
        }
        omb_info("RabbitMQ producer on '%s': reconnected to %s", p->exchange, p->uri->text);
        p->down_logged = false;
    }
    if (p->next_tag - p->low_tag >= (uint64_t)p->d->max_unconfirmed) return OMB_DRV_QUEUE_FULL;
    amqp_basic_properties_t props = {0};
    amqp_table_entry_t hdr;
    unsigned char env[OMB_ENVELOPE_LEN];
    amqp_bytes_t body;
    if (len >= OMB_ENVELOPE_LEN) {
        const void *msg = omb_envelope_wrap(&p->scratch, &p->scratch_len, payload, len, meta);
        if (!msg) return OMB_DRV_ERR;
        body.bytes = (void *)msg;
    } else {
        omb_envelope_put(env, meta);
        hdr.key = amqp_cstring_bytes(ENV_HEADER);
        hdr.value.kind = AMQP_FIELD_KIND_BYTES;
        hdr.value.value.bytes.bytes = env;
        hdr.value.value.bytes.len = sizeof env;
        props._flags |= AMQP_BASIC_HEADERS_FLAG;
        props.headers.num_entries = 1;
        props.headers.entries = &hdr;
        body.bytes = (void *)payload;
    }
    body.len = len;
    if (p->d->persistent) {
        props._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
        props.delivery_mode = 2;
    }
    int rc = amqp_basic_publish(p->conn, CHANNEL, amqp_cstring_bytes(p->exchange), amqp_empty_bytes,
                                0, 0, props._flags ? &props : NULL, body);
    if (rc != AMQP_STATUS_OK) {
        producer_down(p, amqp_error_string2(rc));
        return OMB_DRV_ERR;
    }
    struct rmq_pending *s = &p->ring[p->next_tag & p->mask];
    s->meta = *meta;
    s->bytes = len;
    s->pending = true;
    p->next_tag++;
    return OMB_DRV_OK;
}

/* One frame from the producer's connection: confirms, nacks, returns, channel or
 * connection closes. Returns completions served, or -1 when the connection is down. */
static int producer_frame(struct omb_producer *p, const amqp_frame_t *f, int64_t now)
{
    if (f->frame_type != AMQP_FRAME_METHOD) return 0; /* a basic.return's header and body */
    char why[320];
    switch (f->payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
        const amqp_basic_ack_t *m = f->payload.method.decoded;
        return confirm(p, m->delivery_tag, m->multiple, 0, now);
    }
    case AMQP_BASIC_NACK_METHOD: {
        const amqp_basic_nack_t *m = f->payload.method.decoded;
        return confirm(p, m->delivery_tag, m->multiple, 1, now);
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
        const amqp_channel_close_t *m = f->payload.method.decoded;
        snprintf(why, sizeof why, "the broker closed the channel: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        amqp_channel_close_ok_t ok = {0};
        amqp_send_method(p->conn, CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        producer_down(p, why);
        return -1;
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
        const amqp_connection_close_t *m = f->payload.method.decoded;
        snprintf(why, sizeof why, "the broker closed the connection: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        amqp_connection_close_ok_t ok = {0};
        amqp_send_method(p->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        producer_down(p, why);
        return -1;
    }
    default:
        return 0; /* basic.return (we publish without mandatory), connection.blocked, ... */
    }
}

static int rmq_poll(struct omb_producer *p, int timeout_ms)
{
    if (!p->conn) {
        int lost = fail_pending(p);
        if (!lost && timeout_ms > 0) omb_sleep_ns((int64_t)timeout_ms * 1000000);
        return lost;
    }
    int served = 0;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    for (;;) {
        amqp_frame_t f;
        int rc = amqp_simple_wait_frame_noblock(p->conn, &f, &tv);
        if (rc == AMQP_STATUS_TIMEOUT) break;
        if (rc != AMQP_STATUS_OK) {
            producer_down(p, amqp_error_string2(rc));
            break;
        }
        int n = producer_frame(p, &f, omb_now_ns());
        if (n < 0) break;
        served += n;
        tv.tv_sec = tv.tv_usec = 0; /* what has arrived, without waiting again */
        if (served >= 65536) break;
    }
    if (p->conn)
        amqp_maybe_release_buffers(p->conn);
    else
        served += fail_pending(p);
    return served;
}

/* ---- consumers --------------------------------------------------------------------- */

static void remember_queue(struct omb_driver *d, const char *topic, const char *queue)
{
    pthread_mutex_lock(&d->mu);
    size_t i = 0;
    while (i < d->nqueues && strcmp(d->queues[i].queue, queue) != 0) i++;
    if (i == d->nqueues) {
        struct rmq_queue *q = realloc(d->queues, (d->nqueues + 1) * sizeof *q);
        if (q) {
            d->queues = q;
            q[d->nqueues].topic = strdup(topic);
            q[d->nqueues].queue = strdup(queue);
            q[d->nqueues].deleted = false;
            d->nqueues++;
        }
    } else if (d->queue_type == RMQ_STREAM && !d->stream_shared_warned) {
        d->stream_shared_warned = true;
        omb_warn("RabbitMQ: stream queues have no competing consumers: every consumer of "
                 "subscription queue '%s' reads the whole stream (consumerPerSubscription > 1 "
                 "multiplies deliveries)",
                 queue);
    }
    pthread_mutex_unlock(&d->mu);
}

static int start_consume(struct omb_consumer *c, char *err, size_t errlen)
{
    amqp_table_entry_t arg;
    amqp_table_t args = amqp_empty_table;
    if (c->d->queue_type == RMQ_STREAM) {
        /* A stream is read from an offset: from the start the first time (the queue was
         * just created, and the readiness probe must be seen), then where we stopped. */
        arg.key = amqp_cstring_bytes("x-stream-offset");
        if (c->stream_next < 0) {
            arg.value.kind = AMQP_FIELD_KIND_UTF8;
            arg.value.value.bytes = amqp_cstring_bytes("first");
        } else {
            arg.value.kind = AMQP_FIELD_KIND_I64;
            arg.value.value.i64 = c->stream_next;
        }
        args.num_entries = 1;
        args.entries = &arg;
    }
    amqp_basic_consume(c->conn, CHANNEL, amqp_cstring_bytes(c->queue), amqp_cstring_bytes(c->tag),
                       0, 0, 0, args);
    char what[320];
    snprintf(what, sizeof what, "cannot consume from queue '%s'", c->queue);
    if (rpc_failed(c->conn, what, err, errlen)) return -1;
    c->consuming = true;
    return 0;
}

/* Connects, declares the subscription's queue and binds it to the topic's exchange (as OMB
 * does), sets the prefetch, and consumes unless paused. */
static int consumer_open(struct omb_consumer *c, char *err, size_t errlen)
{
    struct omb_driver *d = c->d;
    amqp_connection_state_t conn = rmq_connect(d, c->uri, err, errlen);
    if (!conn) return -1;
    c->conn = conn;
    char what[600];
    if (declare_exchange(conn, c->topic, err, errlen) != 0) goto fail;
    amqp_table_entry_t qt = {
        .key = amqp_cstring_bytes("x-queue-type"),
        .value = {.kind = AMQP_FIELD_KIND_UTF8,
                  .value.bytes = amqp_cstring_bytes(queue_type_args[d->queue_type])}};
    amqp_table_t qargs = {.num_entries = 1, .entries = &qt};
    amqp_queue_declare(conn, CHANNEL, amqp_cstring_bytes(c->queue), 0, 1, 0, 0, qargs);
    snprintf(what, sizeof what, "cannot declare queue '%s'", c->queue);
    if (rpc_failed(conn, what, err, errlen)) goto fail;
    amqp_queue_bind(conn, CHANNEL, amqp_cstring_bytes(c->queue), amqp_cstring_bytes(c->topic),
                    amqp_empty_bytes, amqp_empty_table);
    snprintf(what, sizeof what, "cannot bind queue '%s' to exchange '%s'", c->queue, c->topic);
    if (rpc_failed(conn, what, err, errlen)) goto fail;
    amqp_basic_qos(conn, CHANNEL, 0, (uint16_t)d->prefetch, 0);
    if (rpc_failed(conn, "cannot set the consumer prefetch (basic.qos)", err, errlen)) goto fail;
    c->consuming = c->cancel_pending = false;
    c->unacked = c->unacked_tag = 0;
    if (!atomic_load(&c->want_paused) && start_consume(c, err, errlen) != 0) goto fail;
    return 0;
fail:
    conn_close(conn, false);
    c->conn = NULL;
    return -1;
}

static void consumer_down(struct omb_consumer *c, const char *why)
{
    if (!c->down_logged)
        omb_warn("RabbitMQ consumer of queue '%s' (%s): %s; reconnecting every second", c->queue,
                 c->uri->text, why);
    c->down_logged = true;
    conn_close(c->conn, false);
    c->conn = NULL;
}

static void ack_now(struct omb_consumer *c)
{
    if (!c->unacked || !c->conn) return;
    int rc = amqp_basic_ack(c->conn, CHANNEL, c->unacked_tag, 1);
    c->unacked = 0;
    if (rc != AMQP_STATUS_OK) consumer_down(c, amqp_error_string2(rc));
}

/* The harness's envelope of a delivery: payload prefix, else the omb-env header. A stream
 * queue's x-stream-offset header moves the resume point. */
static void read_delivery(struct omb_consumer *c, const amqp_message_t *m, struct omb_msg_meta *env)
{
    bool found = omb_envelope_get(m->body.bytes, m->body.len, env);
    if (!(m->properties._flags & AMQP_BASIC_HEADERS_FLAG)) return;
    const amqp_table_t *h = &m->properties.headers;
    for (int i = 0; i < h->num_entries; i++) {
        const amqp_table_entry_t *e = &h->entries[i];
        if (!found && e->key.len == sizeof ENV_HEADER - 1 &&
            !memcmp(e->key.bytes, ENV_HEADER, e->key.len) &&
            (e->value.kind == AMQP_FIELD_KIND_BYTES || e->value.kind == AMQP_FIELD_KIND_UTF8))
            found = omb_envelope_get(e->value.value.bytes.bytes, e->value.value.bytes.len, env);
        else if (c->d->queue_type == RMQ_STREAM && e->key.len == 15 &&
                 !memcmp(e->key.bytes, "x-stream-offset", 15)) {
            int64_t off = -1;
            if (e->value.kind == AMQP_FIELD_KIND_I64)
                off = e->value.value.i64;
            else if (e->value.kind == AMQP_FIELD_KIND_U64)
                off = (int64_t)e->value.value.u64;
            else if (e->value.kind == AMQP_FIELD_KIND_I32)
                off = e->value.value.i32;
            if (off >= c->stream_next) c->stream_next = off + 1;
        }
    }
}

static void deliver(struct omb_consumer *c, const amqp_envelope_t *e, int64_t now)
{
    struct omb_msg_meta env;
    read_delivery(c, &e->message, &env);
    struct omb_delivered dl = {.bytes = e->message.body.len, .now_ns = now};
    omb_envelope_position(&env, &dl);
    if (!dl.publish_ns && (e->message.properties._flags & AMQP_BASIC_TIMESTAMP_FLAG))
        dl.publish_ns = (int64_t)e->message.properties.timestamp * 1000000000LL; /* seconds */
    c->fn(c->ctx, &dl);
    if (!c->unacked) c->first_unacked_ns = now;
    c->unacked++;
    c->unacked_tag = e->delivery_tag;
}

/* A frame other than a delivery: the answer to our basic.cancel, a cancel by the broker
 * (queue deleted), or a channel / connection close. */
static void consumer_frame(struct omb_consumer *c, const amqp_frame_t *f)
{
    if (f->frame_type != AMQP_FRAME_METHOD) return;
    char why[320];
    switch (f->payload.method.id) {
    case AMQP_BASIC_CANCEL_OK_METHOD:
        c->cancel_pending = false;
        return;
    case AMQP_BASIC_CANCEL_METHOD:
        c->consuming = false;
        omb_warn("RabbitMQ: the broker cancelled the consumer of queue '%s' (queue deleted?)",
                 c->queue);
        return;
    case AMQP_CHANNEL_CLOSE_METHOD: {
        const amqp_channel_close_t *m = f->payload.method.decoded;
        snprintf(why, sizeof why, "the broker closed the channel: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        amqp_channel_close_ok_t ok = {0};
        amqp_send_method(c->conn, CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        consumer_down(c, why);
        return;
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
        const amqp_connection_close_t *m = f->payload.method.decoded;
        snprintf(why, sizeof why, "the broker closed the connection: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        amqp_connection_close_ok_t ok = {0};
        amqp_send_method(c->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        consumer_down(c, why);
        return;
    }
    default:
        return;
    }
}

/* Pause: ack what was delivered, then basic.cancel (answered asynchronously; deliveries
 * already on the wire are still handed over). Resume: basic.consume again, on the same
 * connection and queue. */
static void apply_pause(struct omb_consumer *c, bool want_paused)
{
    char e[512];
    if (want_paused && c->consuming) {
        ack_now(c);
        if (!c->conn) return;
        amqp_basic_cancel_t m = {.consumer_tag = amqp_cstring_bytes(c->tag), .nowait = 0};
        int rc = amqp_send_method(c->conn, CHANNEL, AMQP_BASIC_CANCEL_METHOD, &m);
        if (rc != AMQP_STATUS_OK) {
            consumer_down(c, amqp_error_string2(rc));
            return;
        }
        c->consuming = false;
        c->cancel_pending = true;
    } else if (!want_paused && !c->consuming && !c->cancel_pending) {
        if (start_consume(c, e, sizeof e) != 0) consumer_down(c, e);
    }
}

static void *consumer_main(void *arg)
{
    struct omb_consumer *c = arg;
    while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
        if (!c->conn) {
            char e[512];
            for (int i = 0; i < 10 && !atomic_load(&c->stop); i++) omb_sleep_ns(100000000);
            if (atomic_load(&c->stop)) break;
            if (consumer_open(c, e, sizeof e) == 0) {
                omb_info("RabbitMQ consumer of queue '%s': reconnected to %s", c->queue,
                         c->uri->text);
                c->down_logged = false;
            }
            continue;
        }
        apply_pause(c, atomic_load_explicit(&c->want_paused, memory_order_relaxed));
        if (!c->conn) continue;
        amqp_maybe_release_buffers(c->conn);
        amqp_envelope_t env;
        struct timeval tv = {0, CONSUME_WAIT_MS * 1000};
        amqp_rpc_reply_t r = amqp_consume_message(c->conn, &env, &tv, 0);
        int64_t now = omb_now_ns();
        if (r.reply_type == AMQP_RESPONSE_NORMAL) {
            deliver(c, &env, now);
            amqp_destroy_envelope(&env);
        } else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                   r.library_error == AMQP_STATUS_TIMEOUT) {
            ack_now(c); /* idle: ack what we have */
        } else if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                   r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            amqp_frame_t f;
            int rc = amqp_simple_wait_frame(c->conn, &f);
            if (rc == AMQP_STATUS_OK)
                consumer_frame(c, &f);
            else
                consumer_down(c, amqp_error_string2(rc));
        } else {
            char why[256];
            reply_text(r, why, sizeof why);
            consumer_down(c, why);
        }
        if (c->unacked &&
            (c->unacked >= c->ack_every || now - c->first_unacked_ns >= ACK_MAX_DELAY_NS))
            ack_now(c);
    }
    ack_now(c); /* nothing delivered is handed to another consumer again */
    return NULL;
}

static void consumer_free(struct omb_consumer *c)
{
    free(c->topic);
    free(c->queue);
    free(c);
}

static int rmq_create_consumer(struct omb_driver *d, const char *topic, const char *subscription,
                               omb_recv_fn fn, void *ctx, struct omb_consumer **out, char *err,
                               size_t errlen)
{
    struct omb_consumer *c = calloc(1, sizeof *c);
    size_t qlen = strlen(topic) + strlen(subscription) + 2;
    if (c) {
        c->topic = strdup(topic);
        c->queue = malloc(qlen);
    }
    if (!c || !c->topic || !c->queue) {
        if (c) consumer_free(c);
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    snprintf(c->queue, qlen, "%s-%s", topic, subscription); /* OMB's queue name */
    c->d = d;
    c->fn = fn;
    c->ctx = ctx;
    c->stream_next = -1;
    c->ack_every = (uint64_t)(d->prefetch / 4 > 0 ? d->prefetch / 4 : 1);
    if (c->ack_every > 256) c->ack_every = 256;
    static _Atomic unsigned long consumer_seq;
    snprintf(c->tag, sizeof c->tag, "omb-%d-%lu", (int)getpid(),
             atomic_fetch_add(&consumer_seq, 1) + 1);
    c->uri = next_client(d, false);
    if (consumer_open(c, err, errlen) != 0) {
        consumer_free(c);
        return OMB_DRV_ERR;
    }
    remember_queue(d, topic, c->queue);
    int rc = pthread_create(&c->thread, NULL, consumer_main, c);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start a consumer thread: %s", strerror(rc));
        conn_close(c->conn, true);
        consumer_free(c);
        return OMB_DRV_ERR;
    }
    *out = c;
    return OMB_DRV_OK;
}

static int rmq_pause(struct omb_consumer *c)
{
    atomic_store(&c->want_paused, 1);
    return OMB_DRV_OK;
}

static int rmq_resume(struct omb_consumer *c)
{
    atomic_store(&c->want_paused, 0);
    return OMB_DRV_OK;
}

static void rmq_close_consumer(struct omb_consumer *c)
{
    if (!c) return;
    atomic_store(&c->stop, 1);
    pthread_join(c->thread, NULL);
    conn_close(c->conn, true);
    consumer_free(c);
}

/* Whether exchange @p name exists (passive declare on a fresh channel *@p ch): 1, 0, or -1
 * when the connection failed. */
static int exchange_exists(amqp_connection_state_t conn, amqp_channel_t *ch, const char *name)
{
    amqp_exchange_declare(conn, *ch, amqp_cstring_bytes(name), amqp_cstring_bytes("fanout"), 1, 0,
                          0, 0, amqp_empty_table);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) return 1;
    if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION || r.reply.id != AMQP_CHANNEL_CLOSE_METHOD)
        return -1;
    amqp_channel_close_ok_t ok = {0};
    amqp_send_method(conn, *ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    (*ch)++;
    amqp_channel_open(conn, *ch);
    return amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL ? 0 : -1;
}

/*
 * A worker of a distributed run that has consumers but did not create their topics never
 * sees delete_topics: the first worker deletes the topics and knows nothing of the queues
 * declared here. So these queues are deleted here, once their topic's exchange is gone
 * (the first worker deleted it: the run did not keep its topics), waiting up to
 * ORPHAN_WAIT_NS for that; when the exchange stays (--keep-topics), the queues stay too.
 */
#define ORPHAN_WAIT_NS 5000000000LL
static void delete_orphan_queues(struct omb_driver *d)
{
    size_t todo = 0;
    for (size_t i = 0; i < d->nqueues; i++) {
        bool created = false;
        for (size_t k = 0; k < d->ncreated && !created; k++)
            created = !strcmp(d->created[k], d->queues[i].topic);
        if (created) d->queues[i].deleted = true; /* delete_topics' business (or kept) */
        todo += !d->queues[i].deleted;
    }
    if (!todo) return;
    char err[512];
    amqp_connection_state_t conn = rmq_connect(d, &d->uris[0], err, sizeof err);
    if (!conn) {
        omb_warn("RabbitMQ: cannot delete this worker's %zu subscription queue(s): %s", todo, err);
        return;
    }
    amqp_channel_t ch = CHANNEL;
    int64_t deadline = omb_now_ns() + ORPHAN_WAIT_NS;
    bool broken = false;
    while (todo && !broken) {
        for (size_t i = 0; i < d->nqueues && !broken; i++) {
            struct rmq_queue *q = &d->queues[i];
            if (q->deleted) continue;
            int ex = exchange_exists(conn, &ch, q->topic);
            if (ex < 0) broken = true;
            if (ex != 0) continue;
            amqp_queue_delete(conn, ch, amqp_cstring_bytes(q->queue), 0, 0);
            if (rpc_failed(conn, "queue.delete", err, sizeof err)) {
                omb_warn("RabbitMQ: cannot delete queue '%s': %s", q->queue, err);
                broken = true; /* the broker closed the channel */
            }
            q->deleted = true;
            todo--;
        }
        if (!todo || broken || omb_now_ns() > deadline) break;
        omb_sleep_ns(100000000);
    }
    if (todo) omb_info("RabbitMQ: %zu subscription queue(s) kept: their topics still exist", todo);
    if (!broken) {
        amqp_channel_close(conn, ch, AMQP_REPLY_SUCCESS);
        amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(conn);
}

static void rmq_destroy(struct omb_driver *d)
{
    if (!d) return;
    delete_orphan_queues(d);
    driver_free(d);
}

const struct omb_driver_ops omb_rabbitmq_driver = {
    .name = "rabbitmq",
    .topic_prefix = "test-exchange",
    .caps = 0, /* no partitions; positions are (producer, sequence) from the envelope */
    .limits = {.producers = 0,
               .consumers = 0,
               .why = "each producer and each consumer is an AMQP connection of its own"},
    .check = rmq_check,
    .init = rmq_init,
    .create_topics = rmq_create_topics,
    .create_producer = rmq_create_producer,
    .send = rmq_send,
    .poll = rmq_poll,
    .close_producer = rmq_close_producer,
    .create_consumer = rmq_create_consumer,
    .pause_consumer = rmq_pause,
    .resume_consumer = rmq_resume,
    .close_consumer = rmq_close_consumer,
    .delete_topics = rmq_delete_topics,
    .destroy = rmq_destroy,
};
