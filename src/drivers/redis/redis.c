/* redis.c - the Redis Streams driver on hiredis, with OMB's Redis mapping: one stream per
 * topic (the key is the topic's name), one consumer group per subscription, consumers
 * named uniquely inside their group. Unlike OMB's Java driver, delivered messages are
 * acknowledged (XACK) and streams are trimmed (XADD MAXLEN ~ N) by default, so a long run
 * does not grow without bound. docs/drivers/redis.md has the keys and what they mean.
 *
 * Producers: one connection each (hiredis connects and logs in), non-blocking after the
 * handshake. send() appends `XADD topic NOMKSTREAM [MAXLEN ~ N] * d <payload> [e <env>]` (RESP,
 * formatted by the driver) to the producer's output buffer and returns; poll() writes what
 * is buffered and reads the replies that have arrived. Replies come back in command order,
 * so the metadata of each send in flight waits in a FIFO ring; a reply is the ack (an
 * error reply is a failed send). A full ring (`pipeline` sends in flight) is
 * OMB_DRV_QUEUE_FULL.
 *
 * Consumers: one connection and one thread each, a loop of XREADGROUP ... BLOCK; the XACK
 * of one batch goes out in the same write as the next XREADGROUP. Paused: no XREADGROUP. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "config/schema.h"
#include "drivers/driver.h"
#include "drivers/envelope.h"
#include "util/clock.h"
#include "util/log.h"

#define CONNECT_TIMEOUT_MS 5000
#define RECONNECT_EVERY_NS 1000000000LL
#define WRITE_NOW_BYTES    (64 * 1024) /* send() writes at once past this much buffered */

struct omb_driver {
    char *file, *host, *user, *pass;
    int port;
    bool ack, trim;
    long long max_len;
    int read_batch, block_ms, pipeline;
    char max_len_str[24];
    char id[80]; /* host name and process id: consumer names are unique across workers */
    _Atomic unsigned next_consumer;
    pthread_mutex_t lock; /* admin, trimmed */
    redisContext *admin;
    struct trimmed *trimmed; /* subscriptions reported to have lost messages to trimming */
};

struct trimmed {
    char *what; /* "topic\ngroup" */
    struct trimmed *next;
};

struct inflight {
    struct omb_msg_meta meta;
    size_t bytes;
};

struct omb_consumer {
    struct omb_driver *d;
    redisContext *c;
    char *topic, *group;
    char name[128];
    omb_recv_fn fn;
    void *ctx;
    pthread_t thread;
    _Atomic bool stop, paused;
    int acks_pending; /* XACK replies still to read */
    int64_t next_reconnect_ns, next_trim_check_ns;
    bool connected_once;
    bool gone;                   /* the stream or the group went away: nothing more to read */
    _Atomic long long client_id; /* CLIENT ID of the connection (close unblocks it), or 0 */
};

/* ---- the driver file ----------------------------------------------------------------- */

struct redis_file {
    const void *name, *cls;
    char *host, *user, *pass;
    int64_t port;
    const struct omb_yaml_node *max_total, *max_idle;
    bool ack, trim;
    int64_t max_len, read_batch, block_ms, pipeline;
};

#define F(k, t, m) .key = k, .type = t, .offset = offsetof(struct redis_file, m)
static const struct omb_field redis_fields[] = {
    {F("name", OMB_FIELD_ANY, name)},
    {F("driverClass", OMB_FIELD_ANY, cls)},
    {F("redisHost", OMB_FIELD_STRING, host)},
    {F("redisPort", OMB_FIELD_INT, port), .min = 1, .max = 65535},
    {F("redisUser", OMB_FIELD_STRING, user)},
    {F("redisPass", OMB_FIELD_STRING, pass)},
    /* Jedis's pool sizes in OMB's Java driver; checked as integers by pool_size(). */
    {F("jedisPoolMaxTotal", OMB_FIELD_ANY, max_total)},
    {F("jedisPoolMaxIdle", OMB_FIELD_ANY, max_idle)},
    /* omb's own. */
    {F("ack", OMB_FIELD_BOOL, ack)},
    {F("trim", OMB_FIELD_BOOL, trim)},
    {F("maxLen", OMB_FIELD_INT, max_len), .min = 1, .max = 9.2e18},
    {F("readBatch", OMB_FIELD_INT, read_batch), .min = 1, .max = 100000},
    {F("blockMs", OMB_FIELD_INT, block_ms), .min = 1, .max = 10000},
    {F("pipeline", OMB_FIELD_INT, pipeline), .min = 1, .max = 1000000},
};
#undef F
#define NFIELDS (sizeof redis_fields / sizeof redis_fields[0])

/* A Jedis pool size: an integer >= 0. OMB's own redis.yaml has been seen ending in
 * `jedisPoolMaxIdle: 8#`, which YAML reads as the string "8#" (a comment needs a blank
 * before '#'): digits followed by '#' are read as the number, with a warning; anything
 * else that is not an integer is the usual error (file, line, key). */
static int pool_size(const struct omb_driver_conf *conf, const char *key,
                     const struct omb_yaml_node *v, bool quiet, char *err, size_t errlen)
{
    if (!v) return 0;
    if (v->kind == OMB_YAML_SCALAR && v->plain) {
        const char *s = v->scalar;
        size_t digits = strspn(s, "0123456789");
        if (digits > 0 && digits < 16 && s[digits] == '#') {
            if (!quiet)
                omb_warn("Redis: %s line %d: %s: '%s' read as %.*s (YAML takes it as a string: "
                         "a comment needs a blank before '#')",
                         conf->path, v->line, key, s, (int)digits, s);
            return 0;
        }
    }
    /* Everything else through the schema, for its messages. */
    static const struct omb_yaml_node dummy_key = {.kind = OMB_YAML_SCALAR};
    struct omb_yaml_node k = dummy_key;
    k.scalar = (char *)key;
    k.line = v->line;
    struct omb_yaml_node *keys[1] = {&k};
    struct omb_yaml_node *vals[1] = {(struct omb_yaml_node *)v};
    struct omb_yaml_node map = {
        .kind = OMB_YAML_MAP, .line = v->line, .n = 1, .keys = keys, .values = vals};
    struct omb_field f = {.key = key, .type = OMB_FIELD_INT, .offset = 0, .min = 0, .max = 1e9};
    int64_t out;
    return omb_schema_apply(conf->doc, &map, &f, 1, 0, &out, err, errlen) == 0 ? 0 : -1;
}

static void driver_free(struct omb_driver *d)
{
    if (!d) return;
    if (d->admin) redisFree(d->admin);
    while (d->trimmed) {
        struct trimmed *t = d->trimmed;
        d->trimmed = t->next;
        free(t->what);
        free(t);
    }
    pthread_mutex_destroy(&d->lock);
    free(d->file);
    free(d->host);
    free(d->user);
    free(d->pass);
    free(d);
}

static int redis_parse(const struct omb_driver_conf *conf, bool quiet, struct omb_driver **out,
                       char *err, size_t errlen)
{
    struct redis_file f = {.port = 6379,
                           .ack = true,
                           .trim = true,
                           .max_len = 1000000,
                           .read_batch = 100,
                           .block_ms = 100,
                           .pipeline = 1024};
    int rc =
        omb_schema_apply(conf->doc, conf->doc->root, redis_fields, NFIELDS, 0, &f, err, errlen);
    if (rc == 0 && (pool_size(conf, "jedisPoolMaxTotal", f.max_total, quiet, err, errlen) != 0 ||
                    pool_size(conf, "jedisPoolMaxIdle", f.max_idle, quiet, err, errlen) != 0))
        rc = -1;
    if (rc == 0 && f.user && !f.pass) {
        const struct omb_yaml_node *k = omb_yaml_get_key(conf->doc->root, "redisUser");
        snprintf(err, errlen, "%s line %d: 'redisUser' needs 'redisPass' (AUTH user password)",
                 conf->path, k ? k->line : 0);
        rc = -1;
    }
    struct omb_driver *d = rc == 0 ? calloc(1, sizeof *d) : NULL;
    if (rc == 0 && !d) snprintf(err, errlen, "out of memory");
    if (!d) {
        free(f.host);
        free(f.user);
        free(f.pass);
        return OMB_DRV_ERR;
    }
    pthread_mutex_init(&d->lock, NULL);
    d->file = strdup(conf->path);
    d->host = f.host ? f.host : strdup("127.0.0.1");
    d->user = f.user;
    d->pass = f.pass;
    d->port = (int)f.port;
    d->ack = f.ack;
    d->trim = f.trim;
    d->max_len = f.max_len;
    d->read_batch = (int)f.read_batch;
    d->block_ms = (int)f.block_ms;
    d->pipeline = (int)f.pipeline;
    snprintf(d->max_len_str, sizeof d->max_len_str, "%lld", d->max_len);
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(d->id, sizeof d->id, "%s-%ld", host[0] ? host : "omb", (long)getpid());
    if (!quiet && (f.max_total || f.max_idle))
        omb_info("Redis: %s: jedisPoolMaxTotal/jedisPoolMaxIdle size the Java client's "
                 "connection pool; omb has no pool (one connection per producer and per "
                 "consumer, one for topic admin) and does not use them",
                 conf->path);
    *out = d;
    return OMB_DRV_OK;
}

static int redis_check(const struct omb_driver_conf *conf, char *err, size_t errlen)
{
    struct omb_driver *d;
    if (redis_parse(conf, true, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    driver_free(d);
    return OMB_DRV_OK;
}

/* ---- connections --------------------------------------------------------------------- */

/* A connected, authenticated, PINGed blocking connection, or NULL with one sentence. */
static redisContext *rconnect(const struct omb_driver *d, char *err, size_t errlen)
{
    struct timeval tv = {CONNECT_TIMEOUT_MS / 1000, (CONNECT_TIMEOUT_MS % 1000) * 1000};
    redisContext *c = redisConnectWithTimeout(d->host, d->port, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "cannot reach Redis at '%s:%d' (redisHost/redisPort in %s): %s",
                 d->host, d->port, d->file, c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return NULL;
    }
    redisReply *r;
    if (d->pass) {
        r = d->user ? redisCommand(c, "AUTH %s %s", d->user, d->pass)
                    : redisCommand(c, "AUTH %s", d->pass);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(err, errlen,
                     "Redis at '%s:%d' refused the login (redisUser/redisPass in %s): %s", d->host,
                     d->port, d->file, r ? r->str : c->errstr);
            if (r) freeReplyObject(r);
            redisFree(c);
            return NULL;
        }
        freeReplyObject(r);
    }
    r = redisCommand(c, "PING");
    if (!r || r->type == REDIS_REPLY_ERROR) {
        bool noauth = r && !strncmp(r->str, "NOAUTH", 6);
        snprintf(err, errlen, "Redis at '%s:%d' %s (%s): %s", d->host, d->port,
                 noauth ? "wants a password" : "does not answer PING",
                 noauth ? "set redisPass in the driver file" : d->file, r ? r->str : c->errstr);
        if (r) freeReplyObject(r);
        redisFree(c);
        return NULL;
    }
    freeReplyObject(r);
    return c;
}

/* The admin connection, reconnected once if it was lost. Caller holds d->lock. */
static redisReply *admin_cmd_argv(struct omb_driver *d, int argc, const char **argv,
                                  const size_t *lens, char *err, size_t errlen)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!d->admin && !(d->admin = rconnect(d, err, errlen))) return NULL;
        redisReply *r = redisCommandArgv(d->admin, argc, argv, lens);
        if (r) return r;
        snprintf(err, errlen, "Redis at '%s:%d': %s", d->host, d->port, d->admin->errstr);
        redisFree(d->admin);
        d->admin = NULL;
    }
    return NULL;
}

static int redis_init(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                      size_t errlen)
{
    struct omb_driver *d;
    if (redis_parse(conf, false, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    d->admin = rconnect(d, err, errlen);
    if (!d->admin) {
        driver_free(d);
        return OMB_DRV_ERR;
    }
    char version[32] = "?";
    redisReply *r = redisCommand(d->admin, "INFO server");
    if (r && r->type == REDIS_REPLY_STRING) {
        const char *v = strstr(r->str, "redis_version:");
        if (v) sscanf(v + 14, "%31[0-9.]", version);
    }
    if (r) freeReplyObject(r);
    char trim[64] = "not trimmed";
    if (d->trim) snprintf(trim, sizeof trim, "trimmed to about %lld entries", d->max_len);
    omb_info("Redis: %s:%d (Redis %s): a stream per topic, a consumer group per "
             "subscription; messages %s, streams %s",
             d->host, d->port, version, d->ack ? "acknowledged (XACK)" : "not acknowledged", trim);
    *out = d;
    return OMB_DRV_OK;
}

static void redis_destroy(struct omb_driver *d) { driver_free(d); }

/* ---- topics -------------------------------------------------------------------------- */

static int redis_create_topics(struct omb_driver *d, const char *const *topics, size_t n,
                               int partitions, char *err, size_t errlen)
{
    if (partitions > 1) {
        snprintf(err, errlen,
                 "Redis Streams have no partitions (omb maps a topic to one stream): "
                 "partitionsPerTopic is %d; use 1, or more topics",
                 partitions);
        return OMB_DRV_ERR;
    }
    /* A name that is taken is refused. An empty stream is made with a throw-away group
     * (Redis has no "create stream"); producers XADD with NOMKSTREAM and consumers create
     * their groups without MKSTREAM, so nothing brings a deleted stream back (the end of a
     * run on another worker, or a broker that lost it) and nothing is left behind. */
    int rc = OMB_DRV_OK;
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; i < n && rc == OMB_DRV_OK; i++) {
        size_t tl = strlen(topics[i]);
        const char *ex[] = {"EXISTS", topics[i]};
        size_t exl[] = {6, tl};
        const char *mk[] = {"XGROUP", "CREATE", topics[i], "omb-create", "$", "MKSTREAM"};
        size_t mkl[] = {6, 6, tl, 10, 1, 8};
        const char *rm[] = {"XGROUP", "DESTROY", topics[i], "omb-create"};
        size_t rml[] = {6, 7, tl, 10};
        redisReply *r = admin_cmd_argv(d, 2, ex, exl, err, errlen);
        if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
            freeReplyObject(r);
            r = admin_cmd_argv(d, 6, mk, mkl, err, errlen);
            if (r && r->type != REDIS_REPLY_ERROR) {
                freeReplyObject(r);
                r = admin_cmd_argv(d, 4, rm, rml, err, errlen);
            }
            if (!r)
                rc = OMB_DRV_ERR;
            else if (r->type == REDIS_REPLY_ERROR) {
                snprintf(err, errlen, "cannot create stream '%s': %s", topics[i], r->str);
                rc = OMB_DRV_ERR;
            }
        } else if (!r) {
            rc = OMB_DRV_ERR;
        } else {
            snprintf(err, errlen, "cannot create topic '%s': %s", topics[i],
                     r->type == REDIS_REPLY_ERROR ? r->str : "a key of that name exists");
            rc = OMB_DRV_ERR;
        }
        if (r) freeReplyObject(r);
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

static int redis_delete_topics(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                               size_t errlen)
{
    /* DEL of a stream deletes its consumer groups with it. */
    int rc = OMB_DRV_OK;
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; i < n && rc == OMB_DRV_OK; i++) {
        const char *argv[] = {"DEL", topics[i]};
        size_t lens[] = {3, strlen(topics[i])};
        redisReply *r = admin_cmd_argv(d, 2, argv, lens, err, errlen);
        if (!r) {
            rc = OMB_DRV_ERR;
        } else if (r->type == REDIS_REPLY_ERROR) {
            snprintf(err, errlen, "cannot delete stream '%s': %s", topics[i], r->str);
            rc = OMB_DRV_ERR;
        }
        if (r) freeReplyObject(r);
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

/* ---- producers ----------------------------------------------------------------------- */

/*
 * A producer speaks RESP on its socket itself once hiredis has connected and logged in:
 * an XADD is a fixed prefix (built once: the command, the topic, the trim arguments and
 * the field name) and the payload, written straight into one output buffer (the envelope
 * in place, no copy of the message in between), and a reply to XADD is a bulk string (the
 * entry's id: the ack) or an error line, parsed in place. hiredis's general formatter and
 * reply objects cost more than the broker's work for a 100-byte XADD.
 */
struct buf {
    char *b;
    size_t off, len, cap; /* bytes [off, len) pending */
};

struct omb_producer {
    struct omb_driver *d;
    redisContext *c; /* connection and handshake; NULL: lost (send() reconnects) */
    int fd;
    char *topic;
    omb_send_done_fn done;
    void *ctx;
    struct inflight *ring;
    size_t cap, head, n; /* n: sends in flight (written or buffered, no reply yet) */
    size_t unwritten;    /* of which not yet written out in full */
    struct buf out, in;
    char prefix[2][512]; /* "*N\r\n$4\r\nXADD\r\n..." up to the payload: [0] d only, [1] d and e */
    size_t prefix_len[2];
    int64_t next_reconnect_ns;
    int64_t errors_logged;
};

/* Room for @p more bytes after the pending ones. */
static int buf_reserve(struct buf *b, size_t more)
{
    if (b->off > 0 && (b->off == b->len || b->len + more > b->cap)) {
        memmove(b->b, b->b + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64 * 1024;
    while (cap < b->len + more) cap *= 2;
    char *nb = realloc(b->b, cap);
    if (!nb) return -1;
    b->b = nb;
    b->cap = cap;
    return 0;
}

static size_t put_bulk_header(char *at, size_t len) { return (size_t)sprintf(at, "$%zu\r\n", len); }

/* The RESP text of an XADD up to its payload, with and without the envelope field. */
static void build_prefix(struct omb_producer *p)
{
    const struct omb_driver *d = p->d;
    for (int e = 0; e < 2; e++) {
        char *s = p->prefix[e];
        size_t n = 0;
        int argc = 3 + (d->trim ? 3 : 0) + 1 + 2 + (e ? 2 : 0);
        n += (size_t)sprintf(s + n, "*%d\r\n$4\r\nXADD\r\n", argc);
        n += put_bulk_header(s + n, strlen(p->topic));
        n += (size_t)sprintf(s + n, "%s\r\n$10\r\nNOMKSTREAM\r\n", p->topic);
        if (d->trim) {
            n += (size_t)sprintf(s + n, "$6\r\nMAXLEN\r\n$1\r\n~\r\n");
            n += put_bulk_header(s + n, strlen(d->max_len_str));
            n += (size_t)sprintf(s + n, "%s\r\n", d->max_len_str);
        }
        n += (size_t)sprintf(s + n, "$1\r\n*\r\n$1\r\nd\r\n");
        p->prefix_len[e] = n;
    }
}

/* Blocking for the handshake, then non-blocking: send() and poll() never wait on it. */
static redisContext *producer_connect(struct omb_driver *d, char *err, size_t errlen)
{
    redisContext *c = rconnect(d, err, errlen);
    if (!c) return NULL;
    int fl = fcntl(c->fd, F_GETFL);
    if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "Redis: cannot make the connection non-blocking: %s",
                 strerror(errno));
        redisFree(c);
        return NULL;
    }
    c->flags &= ~REDIS_BLOCK;
    int on = 1; /* receive timestamps for the ack time (arrival_ns); without, the read time */
    setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    return c;
}

static void producer_free(struct omb_producer *p)
{
    if (p->c) redisFree(p->c);
    free(p->ring);
    free(p->out.b);
    free(p->in.b);
    free(p->topic);
    free(p);
}

static int redis_create_producer(struct omb_driver *d, const char *topic, omb_send_done_fn done,
                                 void *ctx, struct omb_producer **out, char *err, size_t errlen)
{
    if (strlen(topic) > 256) {
        snprintf(err, errlen, "topic name '%.40s...' is too long", topic);
        return OMB_DRV_ERR;
    }
    struct omb_producer *p = calloc(1, sizeof *p);
    if (p) {
        p->cap = (size_t)d->pipeline;
        p->ring = malloc(p->cap * sizeof *p->ring);
        p->topic = strdup(topic);
    }
    if (!p || !p->ring || !p->topic) {
        snprintf(err, errlen, "out of memory");
        if (p) producer_free(p);
        return OMB_DRV_ERR;
    }
    p->d = d;
    p->done = done;
    p->ctx = ctx;
    build_prefix(p);
    p->c = producer_connect(d, err, errlen);
    if (!p->c) {
        producer_free(p);
        return OMB_DRV_ERR;
    }
    p->fd = p->c->fd;
    *out = p;
    return OMB_DRV_OK;
}

/* The connection is gone: the sends in flight fail (at the next poll: completions come
 * from poll(), never from inside send()), and send() tries to reconnect. */
static void producer_lost(struct omb_producer *p, const char *why)
{
    omb_warn("Redis: the producer on '%s' lost its connection to %s:%d (%s); %zu send(s) in "
             "flight fail",
             p->topic, p->d->host, p->d->port, why, p->n);
    redisFree(p->c);
    p->c = NULL;
    p->fd = -1;
    p->unwritten = 0;
    p->out.off = p->out.len = 0;
    p->in.off = p->in.len = 0;
    p->next_reconnect_ns = omb_now_ns() + RECONNECT_EVERY_NS;
}

/* After a lost connection: fails what was in flight. Returns how many. */
static int producer_fail_all(struct omb_producer *p)
{
    int served = 0;
    int64_t now = omb_now_ns();
    while (p->n > 0) {
        struct inflight f = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->n--;
        p->done(p->ctx, &f.meta, f.bytes, -1, now);
        served++;
    }
    return served;
}

static void producer_flush(struct omb_producer *p)
{
    while (p->c && p->out.len > p->out.off) {
        ssize_t w = write(p->fd, p->out.b + p->out.off, p->out.len - p->out.off);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) producer_lost(p, strerror(errno));
            return;
        }
        p->out.off += (size_t)w;
    }
    if (p->c) {
        p->out.off = p->out.len = 0;
        p->unwritten = 0;
    }
}

/*
 * When buffered commands go out. Not under pressure (fewer than half the ring in flight):
 * at once, one write per send, for the lowest latency. Under pressure: in batches, when
 * nothing else is on the wire or half a ring has gathered, so a producer at its maximum
 * rate makes one write (and about one read) per batch rather than per message, as
 * redis-benchmark -P does.
 */
static bool should_write(const struct omb_producer *p)
{
    size_t half = p->cap / 2 ? p->cap / 2 : 1;
    return p->c && p->unwritten > 0 &&
           (p->n < half || p->n == p->unwritten || p->unwritten >= half ||
            p->out.len - p->out.off >= WRITE_NOW_BYTES);
}

/* Completes the oldest send in flight with the reply that arrived at @p now. */
static void complete(struct omb_producer *p, const char *error, size_t errlen, int64_t now)
{
    struct inflight f = p->ring[p->head];
    if (now < f.meta.sent_ns) now = f.meta.sent_ns; /* clock conversion error: never negative */
    p->head = (p->head + 1) % p->cap;
    p->n--;
    if (error && p->errors_logged++ < 3)
        omb_warn("Redis: XADD to '%s' failed: %.*s", p->topic, (int)errlen, error);
    p->done(p->ctx, &f.meta, f.bytes, error ? -1 : 0, now);
}

/* Serves the whole replies in the input buffer; @p arrived: when their bytes came in (0:
 * now). Returns how many. */
static int producer_replies(struct omb_producer *p, int64_t arrived)
{
    int served = 0;
    int64_t now = arrived;
    while (p->c && p->in.len > p->in.off) {
        const char *s = p->in.b + p->in.off, *end = p->in.b + p->in.len;
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl) break;
        if (nl == s || nl[-1] != '\r' || p->n == 0) {
            producer_lost(p, "unexpected reply to XADD");
            break;
        }
        size_t used;
        const char *error = NULL;
        size_t elen = 0;
        if (s[0] == '$') { /* $<len>\r\n<id>\r\n */
            char *e;
            long long len = strtoll(s + 1, &e, 10);
            if (e != nl - 1 || len < -1) {
                producer_lost(p, "bad bulk reply to XADD");
                break;
            }
            size_t need = (size_t)(nl + 1 - s) + (len >= 0 ? (size_t)len + 2 : 0);
            if ((size_t)(end - s) < need) break;
            if (len < 0) { /* NOMKSTREAM: no such stream */
                error = "the stream does not exist (deleted, or lost by the broker)";
                elen = strlen(error);
            }
            used = need;
        } else if (s[0] == '-') { /* -ERR message\r\n */
            error = s + 1;
            elen = (size_t)(nl - 1 - error);
            used = (size_t)(nl + 1 - s);
        } else {
            producer_lost(p, "unexpected reply to XADD");
            break;
        }
        if (!now) now = omb_now_ns();
        complete(p, error, elen, now);
        p->in.off += used;
        served++;
    }
    if (p->c && p->in.off == p->in.len) p->in.off = p->in.len = 0;
    return served;
}

/* When the bytes of the last receive came in: the kernel's receive timestamp of the
 * segment (SO_TIMESTAMPNS, CLOCK_REALTIME) in omb's clock, so the ack time does not depend
 * on when the sender thread gets round to polling (with several producers per thread,
 * up to a millisecond later). 0 when there is none. */
static int64_t arrival_ns(struct msghdr *mh)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
        struct timespec ts, rt;
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        clock_gettime(CLOCK_REALTIME, &rt);
        int64_t now = omb_now_ns();
        int64_t at = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec -
                     ((int64_t)rt.tv_sec * 1000000000LL + rt.tv_nsec - now);
        return at > 0 && at <= now ? at : now;
    }
    return 0;
}

/* Reads what has arrived (non-blocking) and serves the replies. */
static int producer_read(struct omb_producer *p)
{
    int served = 0;
    for (int i = 0; i < 4 && p->c && p->n > 0; i++) {
        if (buf_reserve(&p->in, 64 * 1024) != 0) {
            producer_lost(p, "out of memory");
            break;
        }
        struct iovec iov = {.iov_base = p->in.b + p->in.len, .iov_len = p->in.cap - p->in.len};
        union {
            char buf[CMSG_SPACE(sizeof(struct timespec))];
            struct cmsghdr align;
        } cm;
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof cm};
        ssize_t r = recvmsg(p->fd, &mh, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            producer_lost(p, r == 0 ? "the server closed the connection" : strerror(errno));
            break;
        }
        p->in.len += (size_t)r;
        served += producer_replies(p, arrival_ns(&mh));
        if ((size_t)r < iov.iov_len) break; /* drained */
    }
    return served;
}

static int redis_send(struct omb_producer *p, const char *key, size_t keylen, const void *payload,
                      size_t len, const struct omb_msg_meta *meta)
{
    (void)key, (void)keylen; /* streams have no keys, and no partitions to pick */
    struct omb_driver *d = p->d;
    if (!p->c) {
        if (p->n > 0) return OMB_DRV_QUEUE_FULL; /* poll() fails those first */
        if (omb_now_ns() < p->next_reconnect_ns) return OMB_DRV_ERR;
        char err[256];
        p->c = producer_connect(d, err, sizeof err);
        p->next_reconnect_ns = omb_now_ns() + RECONNECT_EVERY_NS;
        if (!p->c) return OMB_DRV_ERR;
        p->fd = p->c->fd;
        omb_warn("Redis: the producer on '%s' reconnected to %s:%d", p->topic, d->host, d->port);
    }
    if (p->n == p->cap) return OMB_DRV_QUEUE_FULL;
    /* Too short for the envelope: it travels in a second field, e. */
    int e = len < OMB_ENVELOPE_LEN;
    if (buf_reserve(&p->out, p->prefix_len[e] + len + OMB_ENVELOPE_LEN + 64) != 0)
        return OMB_DRV_ERR;
    char *w = p->out.b + p->out.len;
    memcpy(w, p->prefix[e], p->prefix_len[e]);
    w += p->prefix_len[e];
    w += put_bulk_header(w, len);
    if (!e) {
        omb_envelope_put((unsigned char *)w, meta);
        memcpy(w + OMB_ENVELOPE_LEN, (const char *)payload + OMB_ENVELOPE_LEN,
               len - OMB_ENVELOPE_LEN);
    } else {
        memcpy(w, payload, len);
    }
    w += len;
    memcpy(w, "\r\n", 2);
    w += 2;
    if (e) {
        memcpy(w, "$1\r\ne\r\n", 7);
        w += 7;
        w += put_bulk_header(w, OMB_ENVELOPE_LEN);
        omb_envelope_put((unsigned char *)w, meta);
        w += OMB_ENVELOPE_LEN;
        memcpy(w, "\r\n", 2);
        w += 2;
    }
    p->out.len = (size_t)(w - p->out.b);
    size_t tail = (p->head + p->n) % p->cap;
    p->ring[tail].meta = *meta;
    p->ring[tail].bytes = len;
    p->n++;
    p->unwritten++;
    /* Otherwise the command goes out with the next write, made by poll() when replies
     * arrive (the worker polls whenever the ring is full and while it waits). */
    if (should_write(p)) producer_flush(p);
    return OMB_DRV_OK;
}

static int redis_poll(struct omb_producer *p, int timeout_ms)
{
    if (!p->c) { /* lost: fail what was in flight; nothing else will come */
        int served = producer_fail_all(p);
        if (served == 0 && timeout_ms > 0) omb_sleep_ns((int64_t)timeout_ms * 1000000);
        return served;
    }
    if (should_write(p)) producer_flush(p);
    int served = producer_read(p);
    if (served == 0 && timeout_ms > 0) {
        int64_t deadline = omb_now_ns() + (int64_t)timeout_ms * 1000000;
        for (;;) {
            int64_t left = (deadline - omb_now_ns() + 999999) / 1000000; /* ms, rounded up */
            if (left <= 0 || !p->c) break;
            struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
            if (should_write(p)) pfd.events |= POLLOUT;
            int k = poll(&pfd, 1, (int)left);
            if (k < 0 && errno != EINTR) break;
            if (k <= 0) continue;
            if (pfd.revents & POLLOUT) producer_flush(p);
            if (p->c && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
                if (p->n == 0) { /* nothing expected: the server closed, or spoke unasked */
                    char c;
                    ssize_t r = read(p->fd, &c, 1);
                    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
                        producer_lost(p, "the server closed the connection");
                    else if (r > 0)
                        producer_lost(p, "unexpected data from the server");
                } else {
                    served += producer_read(p);
                }
            }
            if (served > 0) break;
        }
    }
    /* What send() buffered while the replies were on their way goes out now. */
    if (should_write(p)) producer_flush(p);
    if (!p->c) served += producer_fail_all(p);
    return served;
}

static void redis_close_producer(struct omb_producer *p)
{
    if (!p) return;
    /* Sends still in flight get no completion (driver.h). */
    producer_free(p);
}

/* ---- consumers ----------------------------------------------------------------------- */

/* XGROUP CREATE topic group 0: from id 0, so messages sent before a consumer reads (the
 * readiness probes) are delivered. BUSYGROUP: another consumer of the same subscription
 * created it first. No MKSTREAM: the stream is made by create_topics. Returns 1 when this
 * call created the group, 0 when it existed, -2 when the stream does not exist, -1 on
 * another error. */
static int create_group(redisContext *c, const struct omb_consumer *k, char *err, size_t errlen)
{
    const char *argv[] = {"XGROUP", "CREATE", k->topic, k->group, "0"};
    size_t lens[] = {6, 6, strlen(k->topic), strlen(k->group), 1};
    redisReply *r = redisCommandArgv(c, 5, argv, lens);
    if (!r) {
        snprintf(err, errlen, "Redis: XGROUP CREATE '%s' '%s': %s", k->topic, k->group, c->errstr);
        return -1;
    }
    int rc = r->type == REDIS_REPLY_ERROR ? 0 : 1;
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
        rc = strstr(r->str, "requires the key to exist") ? -2 : -1;
        snprintf(err, errlen, "cannot create consumer group '%s' on stream '%s': %s", k->group,
                 k->topic, rc == -2 ? "the stream does not exist" : r->str);
    }
    freeReplyObject(r);
    return rc;
}

/* The consumer's connection: the read timeout must outlast XREADGROUP's BLOCK. */
static redisContext *consumer_connect(struct omb_consumer *k, char *err, size_t errlen)
{
    redisContext *c = rconnect(k->d, err, errlen);
    if (!c) return NULL;
    int64_t ms = k->d->block_ms + 30000;
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    redisSetTimeout(c, tv);
    int created = create_group(c, k, err, errlen);
    if (created == -1 || (created == -2 && !k->connected_once)) {
        redisFree(c);
        return NULL;
    }
    if (created == -2) {
        /* Reconnected to a broker without the stream: it lost it (a restart without
         * persistence). Nothing brings it back; what the subscription had not received is
         * lost, and the delivery check counts it. */
        omb_warn("Redis: stream '%s' is gone (consumer '%s' reconnected): the broker lost it "
                 "(a restart without persistence?); the subscription receives nothing more, "
                 "and the messages it had not received are lost",
                 k->topic, k->group);
        k->gone = true;
    } else if (created == 1 && k->connected_once) {
        omb_warn("Redis: consumer group '%s' of '%s' was gone when its consumer reconnected; "
                 "recreated, and messages it had not received are lost",
                 k->group, k->topic);
    }
    k->connected_once = true;
    redisReply *r = redisCommand(c, "CLIENT ID");
    atomic_store(&k->client_id, r && r->type == REDIS_REPLY_INTEGER ? r->integer : 0);
    if (r) freeReplyObject(r);
    return c;
}

static void consumer_lost(struct omb_consumer *k, const char *why)
{
    if (!atomic_load(&k->stop))
        omb_warn("Redis: consumer '%s' of '%s' lost its connection to %s:%d (%s); reconnecting",
                 k->group, k->topic, k->d->host, k->d->port, why);
    redisFree(k->c);
    k->c = NULL;
    k->acks_pending = 0;
    k->next_reconnect_ns = omb_now_ns() + RECONNECT_EVERY_NS;
}

/* Reads the replies of the XACKs sent. Returns -1 when the connection broke. */
static int read_acks(struct omb_consumer *k)
{
    while (k->acks_pending > 0) {
        void *rv = NULL;
        if (redisGetReply(k->c, &rv) != REDIS_OK) {
            consumer_lost(k, k->c->errstr);
            return -1;
        }
        redisReply *r = rv;
        k->acks_pending--;
        if (r->type == REDIS_REPLY_ERROR) omb_warn("Redis: XACK on '%s': %s", k->topic, r->str);
        freeReplyObject(r);
    }
    return 0;
}

/* Hands one stream entry [id, [field, value, ...]] to the harness. */
static void deliver(struct omb_consumer *k, const redisReply *e, int64_t now)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) return;
    const redisReply *fv = e->element[1];
    const char *data = NULL, *env = NULL;
    size_t dlen = 0, elen = 0, total = 0;
    if (fv->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i + 1 < fv->elements; i += 2) {
            const redisReply *f = fv->element[i], *v = fv->element[i + 1];
            if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
            total += v->len;
            if (f->len == 1 && f->str[0] == 'd') data = v->str, dlen = v->len;
            if (f->len == 1 && f->str[0] == 'e') env = v->str, elen = v->len;
        }
    struct omb_msg_meta m;
    if (!omb_envelope_get(data, dlen, &m)) omb_envelope_get(env, elen, &m);
    struct omb_delivered dv = {.bytes = data ? dlen : total, .now_ns = now};
    omb_envelope_position(&m, &dv);
    k->fn(k->ctx, &dv);
}

/* The integer after @p key in a flat [key, value, ...] reply; @p nil: it was a nil. */
static bool field_int(const redisReply *r, const char *key, long long *out, bool *nil)
{
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING && k->type != REDIS_REPLY_STATUS) continue;
        if (strcmp(k->str, key) != 0) continue;
        *nil = v->type == REDIS_REPLY_NIL;
        *out = v->type == REDIS_REPLY_INTEGER ? v->integer : 0;
        return v->type == REDIS_REPLY_INTEGER || v->type == REDIS_REPLY_NIL;
    }
    return false;
}

/*
 * Trimming (XADD MAXLEN ~) drops the oldest entries whether a group has read them or not.
 * Redis 7 keeps each group's lag (entries added and not yet read by the group): a lag
 * larger than the stream's length means at least lag - length entries went unread. Said
 * once per subscription; the delivery check then counts them as missing. Checked about
 * once a second by each consumer, paused or not.
 */
static void check_trimmed(struct omb_consumer *k)
{
    redisReply *g = redisCommand(k->c, "XINFO GROUPS %s", k->topic);
    redisReply *s = g ? redisCommand(k->c, "XINFO STREAM %s", k->topic) : NULL;
    if (!g || !s) {
        if (g) freeReplyObject(g);
        consumer_lost(k, k->c->errstr);
        return;
    }
    long long lag = 0, length = 0;
    bool lag_nil = true, len_nil = true, found = false;
    for (size_t i = 0; g->type == REDIS_REPLY_ARRAY && i < g->elements && !found; i++) {
        const redisReply *e = g->element[i];
        for (size_t j = 0; e->type == REDIS_REPLY_ARRAY && j + 1 < e->elements; j += 2)
            if (e->element[j]->type == REDIS_REPLY_STRING && !strcmp(e->element[j]->str, "name") &&
                e->element[j + 1]->type == REDIS_REPLY_STRING &&
                !strcmp(e->element[j + 1]->str, k->group))
                found = field_int(e, "lag", &lag, &lag_nil);
    }
    bool have_len = field_int(s, "length", &length, &len_nil);
    freeReplyObject(g);
    freeReplyObject(s);
    if (!found || lag_nil || !have_len || len_nil || lag <= length) return;
    struct omb_driver *d = k->d;
    size_t n = strlen(k->topic) + strlen(k->group) + 2;
    char *what = malloc(n);
    if (!what) return;
    snprintf(what, n, "%s\n%s", k->topic, k->group);
    pthread_mutex_lock(&d->lock);
    bool said = false;
    for (struct trimmed *t = d->trimmed; t && !said; t = t->next) said = !strcmp(t->what, what);
    struct trimmed *t = said ? NULL : malloc(sizeof *t);
    if (t) {
        t->what = what;
        t->next = d->trimmed;
        d->trimmed = t;
        what = NULL;
    }
    pthread_mutex_unlock(&d->lock);
    free(what);
    if (!said)
        omb_warn("Redis: stream '%s' was trimmed (trim: true, maxLen: %lld) past messages "
                 "subscription '%s' had not read: at least %lld lost; raise maxLen above the "
                 "backlog in messages, or set trim: false",
                 k->topic, d->max_len, k->group, lag - length);
}

static void *consumer_main(void *arg)
{
    struct omb_consumer *k = arg;
    struct omb_driver *d = k->d;
    char count[16], block[16];
    snprintf(count, sizeof count, "%d", d->read_batch);
    snprintf(block, sizeof block, "%d", d->block_ms);
    const char **ids = malloc(((size_t)d->read_batch + 3) * sizeof *ids);
    size_t *idlens = malloc(((size_t)d->read_batch + 3) * sizeof *idlens);
    while (!atomic_load_explicit(&k->stop, memory_order_relaxed)) {
        if (!k->c) {
            if (omb_now_ns() < k->next_reconnect_ns) {
                omb_sleep_ns(10000000);
                continue;
            }
            char err[256];
            k->c = consumer_connect(k, err, sizeof err);
            if (!k->c) {
                k->next_reconnect_ns = omb_now_ns() + RECONNECT_EVERY_NS;
                continue;
            }
            omb_warn("Redis: consumer '%s' of '%s' reconnected", k->group, k->topic);
        }
        if (d->trim && !k->gone && omb_now_ns() >= k->next_trim_check_ns) {
            k->next_trim_check_ns = omb_now_ns() + 1000000000LL;
            if (read_acks(k) != 0) continue;
            check_trimmed(k);
            if (!k->c) continue;
        }
        if (k->gone || atomic_load_explicit(&k->paused, memory_order_relaxed)) {
            if (read_acks(k) == 0) omb_sleep_ns(5000000);
            continue;
        }
        const char *argv[] = {"XREADGROUP", "GROUP", k->group,  k->name,  "COUNT", count,
                              "BLOCK",      block,   "STREAMS", k->topic, ">"};
        size_t lens[11];
        for (int i = 0; i < 11; i++) lens[i] = strlen(argv[i]);
        redisAppendCommandArgv(k->c, 11, argv, lens);
        if (read_acks(k) != 0) continue; /* writes the XACK and this XREADGROUP together */
        void *rv = NULL;
        if (redisGetReply(k->c, &rv) != REDIS_OK) {
            consumer_lost(k, k->c->errstr);
            continue;
        }
        redisReply *r = rv;
        int64_t now = omb_now_ns();
        if (r->type == REDIS_REPLY_ERROR) {
            if (!strncmp(r->str, "NOGROUP", 7) || strstr(r->str, "no longer exists")) {
                /* Deleted under a live connection (NOGROUP, or UNBLOCKED while blocked):
                 * the end of the run on another worker, or by hand. Nothing is recreated
                 * (nothing is left behind); missing messages show in the delivery check. */
                omb_debug("Redis: stream '%s' or its group '%s' was deleted; consumer '%s' "
                          "stops reading",
                          k->topic, k->group, k->name);
                k->gone = true;
            } else {
                omb_warn("Redis: XREADGROUP on '%s': %s", k->topic, r->str);
            }
            freeReplyObject(r);
            omb_sleep_ns(100000000);
            continue;
        }
        size_t nids = 0;
        if (r->type == REDIS_REPLY_ARRAY)
            for (size_t s = 0; s < r->elements; s++) {
                const redisReply *st = r->element[s]; /* [stream, [entries]] */
                if (st->type != REDIS_REPLY_ARRAY || st->elements < 2) continue;
                const redisReply *es = st->element[1];
                for (size_t i = 0; es->type == REDIS_REPLY_ARRAY && i < es->elements; i++) {
                    const redisReply *e = es->element[i];
                    deliver(k, e, now);
                    if (ids && nids < (size_t)d->read_batch && e->type == REDIS_REPLY_ARRAY &&
                        e->elements > 0 && e->element[0]->type == REDIS_REPLY_STRING) {
                        ids[3 + nids] = e->element[0]->str;
                        idlens[3 + nids] = e->element[0]->len;
                        nids++;
                    }
                }
            }
        if (d->ack && nids > 0 && ids) {
            ids[0] = "XACK", idlens[0] = 4;
            ids[1] = k->topic, idlens[1] = strlen(k->topic);
            ids[2] = k->group, idlens[2] = strlen(k->group);
            if (redisAppendCommandArgv(k->c, (int)nids + 3, ids, idlens) == REDIS_OK)
                k->acks_pending++;
        }
        freeReplyObject(r);
    }
    if (k->c) read_acks(k);
    free(ids);
    free(idlens);
    return NULL;
}

static void consumer_free(struct omb_consumer *k)
{
    if (k->c) redisFree(k->c);
    free(k->topic);
    free(k->group);
    free(k);
}

static int redis_create_consumer(struct omb_driver *d, const char *topic, const char *subscription,
                                 omb_recv_fn fn, void *ctx, struct omb_consumer **out, char *err,
                                 size_t errlen)
{
    struct omb_consumer *k = calloc(1, sizeof *k);
    if (k) {
        k->topic = strdup(topic);
        k->group = strdup(subscription);
    }
    if (!k || !k->topic || !k->group) {
        if (k) consumer_free(k);
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    k->d = d;
    k->fn = fn;
    k->ctx = ctx;
    snprintf(k->name, sizeof k->name, "%s-%u", d->id, atomic_fetch_add(&d->next_consumer, 1));
    k->c = consumer_connect(k, err, errlen);
    if (!k->c) {
        consumer_free(k);
        return OMB_DRV_ERR;
    }
    int prc = pthread_create(&k->thread, NULL, consumer_main, k);
    if (prc) {
        snprintf(err, errlen, "cannot start a consumer thread: %s", strerror(prc));
        consumer_free(k);
        return OMB_DRV_ERR;
    }
    *out = k;
    return OMB_DRV_OK;
}

static int redis_pause(struct omb_consumer *k)
{
    atomic_store(&k->paused, true);
    return OMB_DRV_OK;
}

static int redis_resume(struct omb_consumer *k)
{
    atomic_store(&k->paused, false);
    return OMB_DRV_OK;
}

static void redis_close_consumer(struct omb_consumer *k)
{
    if (!k) return;
    /* The thread ends after its current XREADGROUP, which CLIENT UNBLOCK ends at once (as
     * if its BLOCK had run out) rather than after up to blockMs. */
    atomic_store(&k->stop, true);
    long long id = atomic_load(&k->client_id);
    if (id > 0) {
        char err[256], ids[24];
        snprintf(ids, sizeof ids, "%lld", id);
        const char *argv[] = {"CLIENT", "UNBLOCK", ids};
        size_t lens[] = {6, 7, strlen(ids)};
        pthread_mutex_lock(&k->d->lock);
        redisReply *r = admin_cmd_argv(k->d, 3, argv, lens, err, sizeof err);
        pthread_mutex_unlock(&k->d->lock);
        if (r) freeReplyObject(r);
    }
    pthread_join(k->thread, NULL);
    consumer_free(k);
}

const struct omb_driver_ops omb_redis_driver = {
    .name = "redis",
    .topic_prefix = "redis-openmessaging-benchmark",
    .caps = 0,
    .limits = {.producers = 0,
               .consumers = 0,
               .why = "each producer and each consumer is a Redis connection of its own, each "
                      "consumer with a thread"},
    .check = redis_check,
    .init = redis_init,
    .create_topics = redis_create_topics,
    .create_producer = redis_create_producer,
    .send = redis_send,
    .poll = redis_poll,
    .close_producer = redis_close_producer,
    .create_consumer = redis_create_consumer,
    .pause_consumer = redis_pause,
    .resume_consumer = redis_resume,
    .close_consumer = redis_close_consumer,
    .delete_topics = redis_delete_topics,
    .destroy = redis_destroy,
};
