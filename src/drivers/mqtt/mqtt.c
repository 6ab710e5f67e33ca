/* mqtt.c - the MQTT 5 driver on libmosquitto (docs/drivers/mqtt.md): OMB's mqtt5 driver
 * file keys, one client with its own network thread per producer and per consumer, a
 * topic <topicPrefix>/<omb topic>, a subscription = the shared subscription
 * $share/<subscription>/<topic>, and the PUBACK (QoS 1) / PUBCOMP (QoS 2) as the ack.
 *
 * The harness's envelope travels in the payload's first bytes (drivers/envelope.h);
 * payloads shorter than that carry it in an MQTT 5 user property "omb-env" (hex). MQTT has
 * no offsets: deliveries report (producer, sequence) as their position. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "config/schema.h"
#include "drivers/driver.h"
#include "drivers/envelope.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/rand.h"

#define ENV_PROP           "omb-env"
#define DEFAULT_PORT       1883
#define KEEPALIVE_S        60
#define CONNECT_TIMEOUT_MS 10000
/* Sends accepted and not yet acknowledged, per producer. Below MQTT's 65535 message ids,
 * so an id is never reused while a message that had it is still in flight. */
#define MAX_PENDING  32768
#define LOGGED_DROPS 3
#define NSLOTS       65536

/* ---- the driver file ------------------------------------------------------------------ */

struct mq_conf {
    char *file;
    char *uri; /* as written */
    char *host;
    int port;
    int uri_line;
    char *username, *password; /* NULL: none */
    int qos;
    char *prefix; /* "" or "benchmark/" */
    bool clean_session;
    int64_t session_expiry; /* s */
    int64_t receive_max;
};

/* A producer's or consumer's connection, watched by the driver's monitor thread.
 * libmosquitto reconnects by itself after network errors, but its network thread gives up
 * after a "fatal" one (a protocol error, for instance: Mosquitto 2.0 can exceed a QoS 2
 * consumer's Receive Maximum under load, and libmosquitto then drops the connection). The
 * callback marks the client dead and the monitor connects it again. */
struct mq_client {
    struct mq_client *next; /* the driver's list, under its lock */
    _Atomic bool dead;      /* its network thread has exited on a fatal error */
    int64_t next_try_ns;    /* monitor only */
    bool warned;            /* monitor only: a failed attempt was logged */
    _Atomic int drops;      /* connection losses; the first LOGGED_DROPS are logged */
    int (*revive)(struct mq_client *cl, char *err, size_t errlen);
    char what[160]; /* "consumer of '...'", for the log */
};

struct omb_driver {
    struct mq_conf c;
    pthread_mutex_t lock; /* clients */
    struct mq_client *clients;
    pthread_t monitor;
    bool monitor_started;
    _Atomic bool stop;
};

struct mq_file {
    const void *name, *cls;
    const struct omb_yaml_node *client, *consumer;
};

struct mq_client_file {
    char *server_uri, *username, *password, *topic_prefix;
    int64_t qos;
};

struct mq_consumer_file {
    bool clean_session;
    int64_t session_expiry, receive_max;
    const struct omb_yaml_node *expiry_seconds;
};

static const struct omb_field top_fields[] = {
    {.key = "name", .type = OMB_FIELD_ANY, .offset = offsetof(struct mq_file, name)},
    {.key = "driverClass", .type = OMB_FIELD_ANY, .offset = offsetof(struct mq_file, cls)},
    {.key = "client", .type = OMB_FIELD_ANY, .offset = offsetof(struct mq_file, client)},
    {.key = "consumer", .type = OMB_FIELD_ANY, .offset = offsetof(struct mq_file, consumer)},
};

static const struct omb_field client_fields[] = {
    {.key = "serverUri",
     .type = OMB_FIELD_STRING,
     .offset = offsetof(struct mq_client_file, server_uri)},
    {.key = "username",
     .type = OMB_FIELD_STRING,
     .offset = offsetof(struct mq_client_file, username)},
    {.key = "password",
     .type = OMB_FIELD_STRING,
     .offset = offsetof(struct mq_client_file, password)},
    {.key = "qos",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct mq_client_file, qos),
     .min = 0,
     .max = 2},
    {.key = "topicPrefix",
     .type = OMB_FIELD_STRING,
     .offset = offsetof(struct mq_client_file, topic_prefix)},
};

static const struct omb_field consumer_fields[] = {
    {.key = "cleanSession",
     .type = OMB_FIELD_BOOL,
     .offset = offsetof(struct mq_consumer_file, clean_session)},
    {.key = "sessionExpiryInterval",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct mq_consumer_file, session_expiry),
     .min = 0,
     .max = 4294967295.0},
    {.key = "receiveMaximum",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct mq_consumer_file, receive_max),
     .min = 1,
     .max = 65535},
    /* In OMB's own mqtt5.yaml, but not a key of OMB's driver (which ignores it): loaded
     * with a warning, see mq_parse. */
    {.key = "sessionExpiryIntervalSeconds",
     .type = OMB_FIELD_ANY,
     .offset = offsetof(struct mq_consumer_file, expiry_seconds)},
};

static void conf_free(struct mq_conf *c)
{
    free(c->file);
    free(c->uri);
    free(c->host);
    free(c->username);
    free(c->password);
    free(c->prefix);
    memset(c, 0, sizeof *c);
}

/* Whether @p node, a section of the file, is a map (or empty: all defaults). */
static int section_ok(const struct omb_driver_conf *conf, const char *key,
                      const struct omb_yaml_node *node, const char *keys, char *err, size_t errlen)
{
    if (!node || omb_yaml_is_null(node) || node->kind == OMB_YAML_MAP) return 0;
    snprintf(err, errlen, "%s line %d: '%s' must be a map of keys (%s)", conf->path, node->line,
             key, keys);
    return -1;
}

/* "tcp://host:port", "mqtt://host:port", "host:port" or "host" (port 1883); IPv6 hosts
 * in brackets. */
static int parse_uri(const struct omb_driver_conf *conf, struct mq_conf *c, char *err,
                     size_t errlen)
{
    const char *u = c->uri;
    const char *sep = strstr(u, "://");
    if (sep) {
        size_t n = (size_t)(sep - u);
        if (!((n == 3 && !strncmp(u, "tcp", 3)) || (n == 4 && !strncmp(u, "mqtt", 4)))) {
            snprintf(err, errlen,
                     "%s line %d: client.serverUri '%s': scheme '%.*s' is not supported (only "
                     "tcp:// or mqtt://; TLS and WebSockets are not built in)",
                     conf->path, c->uri_line, u, (int)n, u);
            return -1;
        }
        u = sep + 3;
    }
    const char *host = u, *hend, *port = NULL;
    if (*u == '[') {
        host = u + 1;
        hend = strchr(host, ']');
        if (!hend) goto bad;
        if (hend[1] == ':')
            port = hend + 2;
        else if (hend[1] != '\0' && strcmp(hend + 1, "/") != 0)
            goto bad;
    } else {
        hend = u + strcspn(u, ":/");
        if (*hend == ':')
            port = hend + 1;
        else if (*hend == '/' && hend[1] != '\0')
            goto bad;
    }
    if (hend == host) goto bad;
    c->port = DEFAULT_PORT;
    if (port) {
        char *end;
        errno = 0;
        long p = strtol(port, &end, 10);
        if (end == port || (*end && strcmp(end, "/") != 0) || errno || p < 1 || p > 65535 ||
            *port == '+' || *port == '-')
            goto bad;
        c->port = (int)p;
    }
    c->host = strndup(host, (size_t)(hend - host));
    return c->host ? 0 : -1;
bad:
    snprintf(err, errlen,
             "%s line %d: client.serverUri '%s' is not a broker address (expected "
             "tcp://host:port, e.g. tcp://localhost:1883)",
             conf->path, c->uri_line, c->uri);
    return -1;
}

static int mq_parse(const struct omb_driver_conf *conf, bool quiet, struct mq_conf *c, char *err,
                    size_t errlen)
{
    memset(c, 0, sizeof *c);
    struct mq_file f = {0};
    const struct omb_yaml_node *root = conf->doc ? conf->doc->root : NULL;
    if (!root) {
        snprintf(err, errlen, "%s: empty driver file", conf->path);
        return -1;
    }
    if (omb_schema_apply(conf->doc, root, top_fields, sizeof top_fields / sizeof top_fields[0], 0,
                         &f, err, errlen) != 0)
        return -1;
    if (section_ok(conf, "client", f.client, "serverUri, username, password, qos, topicPrefix", err,
                   errlen) ||
        section_ok(conf, "consumer", f.consumer,
                   "cleanSession, sessionExpiryInterval, receiveMaximum", err, errlen))
        return -1;
    /* OMB's defaults (MqttClientConfig, MqttConsumerConfig). */
    struct mq_client_file cf = {.qos = 1};
    struct mq_consumer_file sf = {
        .clean_session = true, .session_expiry = 3 * 24 * 60 * 60, .receive_max = 256};
    int rc = 0;
    if (f.client && f.client->kind != OMB_YAML_MAP) f.client = NULL;
    if (f.consumer && f.consumer->kind != OMB_YAML_MAP) f.consumer = NULL;
    if (f.client)
        rc = omb_schema_apply(conf->doc, f.client, client_fields,
                              sizeof client_fields / sizeof client_fields[0], 0, &cf, err, errlen);
    if (rc == 0 && f.consumer)
        rc = omb_schema_apply(conf->doc, f.consumer, consumer_fields,
                              sizeof consumer_fields / sizeof consumer_fields[0], 0, &sf, err,
                              errlen);
    c->file = strdup(conf->path);
    c->uri = cf.server_uri ? cf.server_uri : strdup("tcp://localhost:1883");
    c->username = cf.username;
    c->password = cf.password;
    c->qos = (int)cf.qos;
    c->clean_session = sf.clean_session;
    c->session_expiry = sf.session_expiry;
    c->receive_max = sf.receive_max;
    const char *pre = cf.topic_prefix ? cf.topic_prefix : "benchmark";
    size_t plen = strlen(pre);
    c->prefix = malloc(plen + 2);
    if (c->prefix) snprintf(c->prefix, plen + 2, "%s%s", pre, plen ? "/" : "");
    bool bad_prefix = strpbrk(pre, "+#") || (plen && pre[plen - 1] == '/');
    char prefix_q[80];
    omb_yaml_quote(prefix_q, sizeof prefix_q, pre);
    free(cf.topic_prefix);
    if (rc != 0) goto fail;
    const struct omb_yaml_node *un = f.client ? omb_yaml_get(f.client, "serverUri") : NULL;
    c->uri_line = un ? un->line : root->line;
    if (parse_uri(conf, c, err, errlen) != 0) goto fail;
    if (bad_prefix) {
        const struct omb_yaml_node *pn = f.client ? omb_yaml_get(f.client, "topicPrefix") : NULL;
        snprintf(err, errlen,
                 "%s line %d: client.topicPrefix %s must not contain the wildcards '+' or '#' "
                 "nor end with '/' (topics are <topicPrefix>/<topic>)",
                 conf->path, pn ? pn->line : root->line, prefix_q);
        goto fail;
    }
    if (sf.expiry_seconds && !quiet) {
        const struct omb_yaml_node *kn =
            omb_yaml_get_key(f.consumer, "sessionExpiryIntervalSeconds");
        omb_warn("MQTT: %s line %d: 'consumer.sessionExpiryIntervalSeconds' is not a key of "
                 "OMB's MQTT driver, which ignores it (the session expiry is "
                 "'consumer.sessionExpiryInterval', default 259200 s); ignored",
                 conf->path, kn ? kn->line : root->line);
    }
    /* OMB applies authentication only when both are set; so does omb. */
    if (!c->username || !*c->username || !c->password || !*c->password) {
        free(c->username);
        free(c->password);
        c->username = c->password = NULL;
    }
    if (!c->file || !c->uri || !c->prefix) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    return 0;
fail:
    conf_free(c);
    return -1;
}

static bool persistent(const struct mq_conf *c)
{
    return !c->clean_session && c->session_expiry > 0;
}

/* ---- clients -------------------------------------------------------------------------- */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static void lib_init(void) { mosquitto_lib_init(); }

/* Waiting for the network thread to report the CONNACK / SUBACK. */
struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool connacked, subacked;
    int connack_rc; /* MQTT 5 reason code */
    int suback_rc;  /* granted QoS or failure reason code */
    int sub_mid;
};

static void waiter_init(struct waiter *w)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &a);
    pthread_condattr_destroy(&a);
}

static void waiter_destroy(struct waiter *w)
{
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
}

/* Waits until *flag (a member of @p w) is true; false on timeout. */
static bool waiter_wait(struct waiter *w, bool *flag, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->lock);
    while (!*flag)
        if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) == ETIMEDOUT) break;
    bool ok = *flag;
    pthread_mutex_unlock(&w->lock);
    return ok;
}

static void waiter_set(struct waiter *w, bool *flag, int *code, int value)
{
    pthread_mutex_lock(&w->lock);
    *flag = true;
    if (code) *code = value;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void client_id(char *buf, size_t len, const char *role)
{
    char rnd[12];
    omb_random_name(rnd, 10);
    snprintf(buf, len, "omb_%s_%s", role, rnd);
}

/* A new MQTT 5 client of the driver's broker (not connected). */
static struct mosquitto *new_client(const struct mq_conf *c, const char *id, bool clean, void *obj,
                                    char *err, size_t errlen)
{
    pthread_once(&lib_once, lib_init);
    struct mosquitto *m = mosquitto_new(id, clean, obj);
    if (!m) {
        snprintf(err, errlen, "cannot create an MQTT client: %s", strerror(errno));
        return NULL;
    }
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, 65535); /* the broker's limit applies */
    mosquitto_int_option(m, MOSQ_OPT_RECEIVE_MAXIMUM, (int)c->receive_max);
    mosquitto_reconnect_delay_set(m, 1, 2, false);
    if (c->username) mosquitto_username_pw_set(m, c->username, c->password);
    return m;
}

static const char *mosq_err(int rc)
{
    return rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
}

/* Logs a lost connection (the first LOGGED_DROPS of a client); true when logged. */
static bool log_drop(struct mq_client *cl, const struct mq_conf *c, int rc, bool fatal,
                     const char *extra)
{
    int n = atomic_fetch_add(&cl->drops, 1) + 1;
    if (n > LOGGED_DROPS) return false;
    /* Mosquitto 2.0 sends a QoS 2 subscriber more messages than its Receive Maximum under
     * load; libmosquitto calls that a protocol error (mosquitto_sub does the same). */
    bool qos2_hint = n == 1 && rc == MOSQ_ERR_PROTOCOL && c->qos == 2 && c->receive_max < 65535;
    omb_warn("MQTT: %s lost its connection (%s); %s%s%s%s", cl->what, mosquitto_strerror(rc),
             fatal ? "libmosquitto gives up after this error: omb connects it again"
                   : "reconnecting",
             extra,
             qos2_hint ? " (with QoS 2 Mosquitto can exceed a consumer's Receive Maximum under "
                         "load, which libmosquitto takes for a protocol error: "
                         "consumer.receiveMaximum: 65535 avoids it)"
                       : "",
             n == LOGGED_DROPS ? "; further losses of this client are counted, not logged" : "");
    return true;
}

static void log_drops_total(const struct mq_client *cl)
{
    int n = atomic_load(&cl->drops);
    if (n > LOGGED_DROPS) omb_warn("MQTT: %s lost its connection %d times in all", cl->what, n);
}

/* Errors after which libmosquitto's network thread exits instead of reconnecting
 * (mosquitto_loop_forever). */
static bool fatal_error(int rc)
{
    switch (rc) {
    case MOSQ_ERR_NOMEM:
    case MOSQ_ERR_PROTOCOL:
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_NOT_FOUND:
    case MOSQ_ERR_TLS:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_NOT_SUPPORTED:
    case MOSQ_ERR_AUTH:
    case MOSQ_ERR_ACL_DENIED:
    case MOSQ_ERR_UNKNOWN:
    case MOSQ_ERR_EAI:
    case MOSQ_ERR_PROXY:
        return true;
    default:
        return rc != MOSQ_ERR_SUCCESS && errno == EPROTO;
    }
}

static void register_client(struct omb_driver *d, struct mq_client *cl)
{
    pthread_mutex_lock(&d->lock);
    cl->next = d->clients;
    d->clients = cl;
    pthread_mutex_unlock(&d->lock);
}

/* After return the monitor no longer touches @p cl. */
static void unregister_client(struct omb_driver *d, struct mq_client *cl)
{
    pthread_mutex_lock(&d->lock);
    for (struct mq_client **pp = &d->clients; *pp; pp = &(*pp)->next)
        if (*pp == cl) {
            *pp = cl->next;
            break;
        }
    pthread_mutex_unlock(&d->lock);
}

static void *monitor_main(void *arg)
{
    struct omb_driver *d = arg;
    while (!atomic_load(&d->stop)) {
        omb_sleep_ns(100000000);
        pthread_mutex_lock(&d->lock);
        for (struct mq_client *cl = d->clients; cl && !atomic_load(&d->stop); cl = cl->next) {
            if (!atomic_load(&cl->dead) || omb_now_ns() < cl->next_try_ns) continue;
            char e[512] = "";
            if (cl->revive(cl, e, sizeof e) == 0) {
                cl->warned = false; /* on_connect logged it */
            } else {
                if (!cl->warned) omb_warn("MQTT: cannot connect %s again yet: %s", cl->what, e);
                cl->warned = true;
                cl->next_try_ns = omb_now_ns() + 1000000000LL;
            }
        }
        pthread_mutex_unlock(&d->lock);
    }
    return NULL;
}

/* Connects @p m (blocking TCP connect, CONNECT queued for the network thread). */
static int start_connect(const struct mq_conf *c, struct mosquitto *m, uint32_t expiry, char *err,
                         size_t errlen)
{
    mosquitto_property *props = NULL;
    if (expiry) mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, expiry);
    int rc = mosquitto_connect_bind_v5(m, c->host, c->port, KEEPALIVE_S, NULL, props);
    mosquitto_property_free_all(&props);
    if (rc == MOSQ_ERR_EAI) {
        snprintf(err, errlen,
                 "cannot reach the MQTT broker at '%s' (client.serverUri in %s): cannot resolve "
                 "host '%s'",
                 c->uri, c->file, c->host);
        return -1;
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "cannot reach the MQTT broker at '%s' (client.serverUri in %s): %s",
                 c->uri, c->file, mosq_err(rc));
        return -1;
    }
    return 0;
}

static int connack_error(const struct mq_conf *c, bool answered, int rc, char *err, size_t errlen)
{
    if (!answered)
        snprintf(err, errlen,
                 "the MQTT broker at '%s' (client.serverUri in %s) did not answer "
                 "the connection within %d s",
                 c->uri, c->file, CONNECT_TIMEOUT_MS / 1000);
    else if (rc != 0)
        snprintf(err, errlen,
                 "the MQTT broker at '%s' (client.serverUri in %s) refused the "
                 "connection: %s",
                 c->uri, c->file, mosquitto_reason_string(rc));
    else
        return 0;
    return -1;
}

/* ---- init ----------------------------------------------------------------------------- */

static int mq_check(const struct omb_driver_conf *conf, char *err, size_t errlen)
{
    struct mq_conf c;
    if (mq_parse(conf, true, &c, err, errlen) != 0) return OMB_DRV_ERR;
    conf_free(&c);
    return OMB_DRV_OK;
}

static void probe_on_connect(struct mosquitto *m, void *obj, int rc, int flags,
                             const mosquitto_property *props)
{
    struct waiter *w = obj;
    w->connacked = true; /* same thread: mosquitto_loop below */
    w->connack_rc = rc;
}

static int mq_init(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                   size_t errlen)
{
    struct omb_driver *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    if (mq_parse(conf, false, &d->c, err, errlen) != 0) {
        free(d);
        return OMB_DRV_ERR;
    }
    /* Reachability, now rather than at the readiness probe. */
    struct waiter w = {0};
    char id[32];
    client_id(id, sizeof id, "check");
    struct mosquitto *m = new_client(&d->c, id, true, &w, err, errlen);
    int rc = m ? 0 : -1;
    if (m) {
        mosquitto_connect_v5_callback_set(m, probe_on_connect);
        rc = start_connect(&d->c, m, 0, err, errlen);
        int64_t deadline = omb_now_ns() + (int64_t)CONNECT_TIMEOUT_MS * 1000000;
        while (rc == 0 && !w.connacked && omb_now_ns() < deadline) {
            int lr = mosquitto_loop(m, 100, 1);
            if (lr != MOSQ_ERR_SUCCESS && !w.connacked) {
                snprintf(err, errlen,
                         "cannot connect to the MQTT broker at '%s' (client.serverUri in %s): %s",
                         d->c.uri, d->c.file, mosq_err(lr));
                rc = -1;
            }
        }
        if (rc == 0) rc = connack_error(&d->c, w.connacked, w.connack_rc, err, errlen);
        if (w.connacked) {
            mosquitto_disconnect_v5(m, 0, NULL);
            mosquitto_loop(m, 100, 1);
        }
        mosquitto_destroy(m);
    }
    if (rc != 0) {
        conf_free(&d->c);
        free(d);
        return OMB_DRV_ERR;
    }
    pthread_mutex_init(&d->lock, NULL);
    int prc = pthread_create(&d->monitor, NULL, monitor_main, d);
    if (prc != 0) {
        snprintf(err, errlen, "cannot start the MQTT driver's monitor thread: %s", strerror(prc));
        pthread_mutex_destroy(&d->lock);
        conf_free(&d->c);
        free(d);
        return OMB_DRV_ERR;
    }
    d->monitor_started = true;
    omb_info("MQTT: broker %s:%d, QoS %d, topics %s<topic>, %s sessions for consumers%s", d->c.host,
             d->c.port, d->c.qos, d->c.prefix, persistent(&d->c) ? "persistent" : "clean",
             d->c.qos == 0 ? " (QoS 0: no broker ack; publish latency = handed to the socket)"
                           : "");
    *out = d;
    return OMB_DRV_OK;
}

static void mq_destroy(struct omb_driver *d)
{
    if (!d) return;
    if (d->monitor_started) {
        atomic_store(&d->stop, true);
        pthread_join(d->monitor, NULL);
        pthread_mutex_destroy(&d->lock);
    }
    conf_free(&d->c);
    free(d);
}

static int mq_create_topics(struct omb_driver *d, const char *const *topics, size_t n,
                            int partitions, char *err, size_t errlen)
{
    if (partitions > 1) {
        snprintf(err, errlen,
                 "MQTT has no partitions: the mqtt driver runs partitionsPerTopic: 1 only (got "
                 "%d); consumers of one subscription share a topic through a shared "
                 "subscription instead",
                 partitions);
        return OMB_DRV_ERR;
    }
    return OMB_DRV_OK; /* MQTT topics exist as soon as someone publishes or subscribes */
}

/* <topicPrefix>/<topic>, malloc'ed. */
static char *mqtt_topic(const struct omb_driver *d, const char *topic)
{
    size_t n = strlen(d->c.prefix) + strlen(topic) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", d->c.prefix, topic);
    return s;
}

/* ---- producers ------------------------------------------------------------------------ */

enum { SLOT_FREE, SLOT_PENDING, SLOT_EARLY };

struct slot {
    int64_t intended_ns, sent_ns, seq, ack_ns;
    int32_t producer;
    uint32_t bytes;
    int16_t reason;
    uint8_t state;
};

struct omb_producer {
    struct omb_driver *d;
    struct mosquitto *m;
    char *topic;
    int qos;
    omb_send_done_fn done;
    void *ctx;
    /* Message id -> what send() was given. The ack (network thread) can come before
     * send() has recorded its message id: it then leaves its time in the slot (EARLY) and
     * send() completes the message. Completions are made under the lock, so those of one
     * producer never run concurrently. */
    pthread_mutex_t lock;
    struct slot *slots;
    _Atomic int pending;
    unsigned char *scratch;
    size_t scratch_len;
    struct waiter w;
    _Atomic bool closing;
    _Atomic bool lost; /* connection lost (logged once until it is back) */
    struct mq_client cl;
    bool registered;
};

static void complete(struct omb_producer *p, struct slot *s, int64_t ack, int reason)
{
    struct omb_msg_meta meta = {.intended_ns = s->intended_ns,
                                .sent_ns = s->sent_ns,
                                .producer = s->producer,
                                .seq = s->seq};
    s->state = SLOT_FREE;
    atomic_fetch_sub(&p->pending, 1);
    p->done(p->ctx, &meta, s->bytes, reason >= 0x80 ? reason : 0, ack);
}

static void prod_on_publish(struct mosquitto *m, void *obj, int mid, int reason,
                            const mosquitto_property *props)
{
    struct omb_producer *p = obj;
    int64_t now = omb_now_ns();
    if (mid <= 0 || mid >= NSLOTS || atomic_load(&p->closing)) return;
    pthread_mutex_lock(&p->lock);
    struct slot *s = &p->slots[mid];
    if (s->state == SLOT_PENDING) {
        complete(p, s, now, reason);
    } else if (s->state == SLOT_FREE) {
        s->state = SLOT_EARLY;
        s->ack_ns = now;
        s->reason = (int16_t)reason;
    }
    pthread_mutex_unlock(&p->lock);
}

static void prod_on_connect(struct mosquitto *m, void *obj, int rc, int flags,
                            const mosquitto_property *props)
{
    struct omb_producer *p = obj;
    if (rc == 0 && atomic_exchange(&p->lost, false) && atomic_load(&p->cl.drops) <= LOGGED_DROPS)
        omb_info("MQTT: %s reconnected", p->cl.what);
    waiter_set(&p->w, &p->w.connacked, &p->w.connack_rc, rc);
}

static void prod_on_disconnect(struct mosquitto *m, void *obj, int rc,
                               const mosquitto_property *props)
{
    struct omb_producer *p = obj;
    if (atomic_load(&p->closing)) return;
    bool fatal = fatal_error(rc);
    if (!atomic_exchange(&p->lost, true))
        log_drop(&p->cl, &p->d->c, rc, fatal,
                 p->qos == 0 ? "; QoS 0 messages not yet written are failed" : "");
    if (fatal) atomic_store(&p->cl.dead, true);
    if (p->qos > 0) return; /* libmosquitto sends QoS 1/2 messages again */
    /* QoS 0 messages still queued in the client are gone with the connection. */
    pthread_mutex_lock(&p->lock);
    int64_t now = omb_now_ns();
    for (int i = 1; i < NSLOTS && atomic_load(&p->pending) > 0; i++)
        if (p->slots[i].state == SLOT_PENDING) complete(p, &p->slots[i], now, 0x80);
    pthread_mutex_unlock(&p->lock);
}

static void close_client(struct mosquitto *m, const mosquitto_property *props)
{
    mosquitto_disconnect_v5(m, 0, props);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
}

static void mq_close_producer(struct omb_producer *p)
{
    if (!p) return;
    if (p->registered) unregister_client(p->d, &p->cl);
    if (p->registered) log_drops_total(&p->cl);
    atomic_store(&p->closing, true);
    if (p->m) close_client(p->m, NULL);
    pthread_mutex_destroy(&p->lock);
    waiter_destroy(&p->w);
    free(p->slots);
    free(p->scratch);
    free(p->topic);
    free(p);
}

/* The monitor, under the driver's lock: the network thread has exited. */
static int prod_revive(struct mq_client *cl, char *err, size_t errlen)
{
    struct omb_producer *p =
        (struct omb_producer *)(void *)((char *)cl - offsetof(struct omb_producer, cl));
    mosquitto_loop_stop(p->m, false); /* joins the exited thread */
    pthread_mutex_lock(&p->w.lock);
    p->w.connacked = false;
    pthread_mutex_unlock(&p->w.lock);
    if (start_connect(&p->d->c, p->m, 0, err, errlen) != 0) return -1;
    int lr = mosquitto_loop_start(p->m);
    if (lr != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "cannot start an MQTT client thread: %s", mosq_err(lr));
        return -1;
    }
    bool answered = waiter_wait(&p->w, &p->w.connacked, CONNECT_TIMEOUT_MS);
    if (connack_error(&p->d->c, answered, p->w.connack_rc, err, errlen) != 0) {
        mosquitto_disconnect_v5(p->m, 0, NULL);
        mosquitto_loop_stop(p->m, false);
        return -1;
    }
    atomic_store(&cl->dead, false);
    return 0;
}

static int mq_create_producer(struct omb_driver *d, const char *topic, omb_send_done_fn done,
                              void *ctx, struct omb_producer **out, char *err, size_t errlen)
{
    struct omb_producer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    p->d = d;
    p->qos = d->c.qos;
    p->done = done;
    p->ctx = ctx;
    pthread_mutex_init(&p->lock, NULL);
    waiter_init(&p->w);
    p->topic = mqtt_topic(d, topic);
    snprintf(p->cl.what, sizeof p->cl.what, "the producer on '%s'", p->topic ? p->topic : "?");
    p->slots = calloc(NSLOTS, sizeof *p->slots);
    if (!p->topic || !p->slots) {
        snprintf(err, errlen, "out of memory");
        mq_close_producer(p);
        return OMB_DRV_ERR;
    }
    char id[32];
    client_id(id, sizeof id, "pub");
    p->m = new_client(&d->c, id, true, p, err, errlen);
    if (!p->m) {
        mq_close_producer(p);
        return OMB_DRV_ERR;
    }
    mosquitto_connect_v5_callback_set(p->m, prod_on_connect);
    mosquitto_disconnect_v5_callback_set(p->m, prod_on_disconnect);
    mosquitto_publish_v5_callback_set(p->m, prod_on_publish);
    int lr = MOSQ_ERR_SUCCESS;
    if (start_connect(&d->c, p->m, 0, err, errlen) != 0 ||
        (lr = mosquitto_loop_start(p->m)) != MOSQ_ERR_SUCCESS) {
        if (lr != MOSQ_ERR_SUCCESS)
            snprintf(err, errlen, "cannot start an MQTT client thread: %s", mosq_err(lr));
        mosquitto_destroy(p->m);
        p->m = NULL;
        mq_close_producer(p);
        return OMB_DRV_ERR;
    }
    bool answered = waiter_wait(&p->w, &p->w.connacked, CONNECT_TIMEOUT_MS);
    if (connack_error(&d->c, answered, p->w.connack_rc, err, errlen) != 0) {
        mq_close_producer(p);
        return OMB_DRV_ERR;
    }
    p->cl.revive = prod_revive;
    register_client(d, &p->cl);
    p->registered = true;
    *out = p;
    return OMB_DRV_OK;
}

static void hex(char *out, const unsigned char *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int mq_send(struct omb_producer *p, const char *key, size_t keylen, const void *payload,
                   size_t len, const struct omb_msg_meta *meta)
{
    if (atomic_load_explicit(&p->pending, memory_order_relaxed) >= MAX_PENDING)
        return OMB_DRV_QUEUE_FULL;
    if (len > 268435455) return OMB_DRV_ERR; /* MQTT's largest packet */
    const void *msg = payload;
    mosquitto_property *props = NULL;
    if (len >= OMB_ENVELOPE_LEN) {
        msg = omb_envelope_wrap(&p->scratch, &p->scratch_len, payload, len, meta);
        if (!msg) return OMB_DRV_ERR;
    } else {
        unsigned char env[OMB_ENVELOPE_LEN];
        char text[2 * OMB_ENVELOPE_LEN + 1];
        omb_envelope_put(env, meta);
        hex(text, env, sizeof env);
        if (mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, ENV_PROP, text) !=
            MOSQ_ERR_SUCCESS)
            return OMB_DRV_ERR;
    }
    atomic_fetch_add(&p->pending, 1);
    int mid = 0;
    int rc = mosquitto_publish_v5(p->m, &mid, p->topic, (int)len, msg, p->qos, false, props);
    mosquitto_property_free_all(&props);
    if (rc != MOSQ_ERR_SUCCESS || mid <= 0 || mid >= NSLOTS) {
        atomic_fetch_sub(&p->pending, 1);
        return OMB_DRV_ERR;
    }
    pthread_mutex_lock(&p->lock);
    struct slot *s = &p->slots[mid];
    s->intended_ns = meta->intended_ns;
    s->sent_ns = meta->sent_ns;
    s->producer = meta->producer;
    s->seq = meta->seq;
    s->bytes = (uint32_t)len;
    /* An early ack comes after the worker's send time; an older one would be stale. */
    if (s->state == SLOT_EARLY && s->ack_ns >= meta->sent_ns)
        complete(p, s, s->ack_ns, s->reason);
    else
        s->state = SLOT_PENDING;
    pthread_mutex_unlock(&p->lock);
    return OMB_DRV_OK;
}

/* ---- consumers ------------------------------------------------------------------------ */

struct omb_consumer {
    struct omb_driver *d;
    struct mosquitto *m;
    char *filter; /* $share/<subscription>/<topic> */
    omb_recv_fn fn;
    void *ctx;
    struct waiter w;
    _Atomic bool closing, paused;
    _Atomic bool lost;
    _Atomic bool subscribed_once;
    pthread_mutex_t conn_lock; /* connecting: pause, resume, close, the monitor */
    struct mq_client cl;
    bool registered;
};

static int unhex(unsigned char *out, const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char ch = in[2 * i + k];
            int x = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (x < 0) return -1;
            v = v * 16 + x;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* The envelope of a delivered message: payload prefix, else the user property. */
static void read_envelope(const struct mosquitto_message *msg, const mosquitto_property *props,
                          struct omb_msg_meta *meta)
{
    if (msg->payloadlen >= OMB_ENVELOPE_LEN &&
        omb_envelope_get(msg->payload, (size_t)msg->payloadlen, meta))
        return;
    memset(meta, 0, sizeof *meta);
    bool skip = false;
    for (const mosquitto_property *pr = props; pr;) {
        char *name = NULL, *value = NULL;
        pr = mosquitto_property_read_string_pair(pr, MQTT_PROP_USER_PROPERTY, &name, &value, skip);
        skip = true;
        if (!pr) break;
        bool found =
            name && value && !strcmp(name, ENV_PROP) && strlen(value) == 2 * OMB_ENVELOPE_LEN;
        if (found) {
            unsigned char env[OMB_ENVELOPE_LEN];
            if (unhex(env, value, sizeof env) == 0) omb_envelope_get(env, sizeof env, meta);
        }
        free(name);
        free(value);
        if (found) break;
    }
}

static void cons_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
                            const mosquitto_property *props)
{
    struct omb_consumer *c = obj;
    int64_t now = omb_now_ns();
    if (atomic_load_explicit(&c->closing, memory_order_relaxed)) return;
    struct omb_msg_meta env;
    read_envelope(msg, props, &env);
    struct omb_delivered d = {.bytes = (size_t)msg->payloadlen, .now_ns = now};
    omb_envelope_position(&env, &d);
    c->fn(c->ctx, &d);
}

static void cons_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted,
                              const mosquitto_property *props)
{
    struct omb_consumer *c = obj;
    waiter_set(&c->w, &c->w.subacked, &c->w.suback_rc, n > 0 ? granted[0] : 0x80);
    if (n > 0 && granted[0] >= 0x80 && atomic_load(&c->subscribed_once))
        omb_error("MQTT: the broker refused the subscription '%s' again: %s", c->filter,
                  mosquitto_reason_string(granted[0]));
}

static void cons_on_connect(struct mosquitto *m, void *obj, int rc, int flags,
                            const mosquitto_property *props)
{
    struct omb_consumer *c = obj;
    bool session_present = flags & 1;
    if (rc == 0 && atomic_exchange(&c->lost, false) && atomic_load(&c->cl.drops) <= LOGGED_DROPS)
        omb_info("MQTT: %s reconnected%s", c->cl.what,
                 session_present ? " to its session" : "; subscribing again");
    if (rc != 0) {
        /* refused: cons_connect reports the CONNACK */
    } else if (!session_present && !atomic_load(&c->closing)) {
        /* A new session: subscribe (again, after a broker restart). */
        int mid;
        int sr = mosquitto_subscribe_v5(m, &mid, c->filter, c->d->c.qos, 0, NULL);
        if (sr != MOSQ_ERR_SUCCESS) {
            omb_error("MQTT: cannot subscribe to '%s': %s", c->filter, mosquitto_strerror(sr));
            waiter_set(&c->w, &c->w.subacked, &c->w.suback_rc, 0x80);
        }
    } else {
        waiter_set(&c->w, &c->w.subacked, &c->w.suback_rc, 0);
    }
    waiter_set(&c->w, &c->w.connacked, &c->w.connack_rc, rc);
}

static void cons_on_disconnect(struct mosquitto *m, void *obj, int rc,
                               const mosquitto_property *props)
{
    struct omb_consumer *c = obj;
    if (atomic_load(&c->closing) || atomic_load(&c->paused) || rc == 0) return;
    bool fatal = fatal_error(rc);
    if (!atomic_exchange(&c->lost, true)) log_drop(&c->cl, &c->d->c, rc, fatal, "");
    if (fatal) atomic_store(&c->cl.dead, true);
}

/* Connects (first time, or on resume) and waits for the CONNACK and, for a new session,
 * the SUBACK. */
static int cons_connect(struct omb_consumer *c, char *err, size_t errlen)
{
    const struct mq_conf *cf = &c->d->c;
    pthread_mutex_lock(&c->w.lock);
    c->w.connacked = c->w.subacked = false;
    pthread_mutex_unlock(&c->w.lock);
    if (start_connect(cf, c->m, persistent(cf) ? (uint32_t)cf->session_expiry : 0, err, errlen) !=
        0)
        return -1;
    if (mosquitto_loop_start(c->m) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "cannot start an MQTT client thread");
        return -1;
    }
    bool answered = waiter_wait(&c->w, &c->w.connacked, CONNECT_TIMEOUT_MS);
    if (connack_error(cf, answered, c->w.connack_rc, err, errlen) != 0) goto stop;
    if (!waiter_wait(&c->w, &c->w.subacked, CONNECT_TIMEOUT_MS)) {
        snprintf(err, errlen,
                 "the MQTT broker at '%s' did not answer the subscription '%s' "
                 "within %d s",
                 cf->uri, c->filter, CONNECT_TIMEOUT_MS / 1000);
        goto stop;
    }
    if (c->w.suback_rc >= 0x80) {
        snprintf(err, errlen, "the MQTT broker at '%s' refused the subscription '%s': %s", cf->uri,
                 c->filter, mosquitto_reason_string(c->w.suback_rc));
        goto stop;
    }
    atomic_store(&c->subscribed_once, true);
    atomic_store(&c->cl.dead, false);
    return 0;
stop: /* the network thread would go on (and a later loop_stop would wait for it) */
    mosquitto_disconnect_v5(c->m, 0, NULL);
    mosquitto_loop_stop(c->m, false);
    return -1;
}

/* The monitor, under the driver's lock: the network thread has exited. */
static int cons_revive(struct mq_client *cl, char *err, size_t errlen)
{
    struct omb_consumer *c =
        (struct omb_consumer *)(void *)((char *)cl - offsetof(struct omb_consumer, cl));
    int rc = 0;
    pthread_mutex_lock(&c->conn_lock);
    /* A paused consumer is connected again by resume; dead may have been cleared by it. */
    if (atomic_load(&cl->dead) && !atomic_load(&c->paused) && !atomic_load(&c->closing)) {
        mosquitto_loop_stop(c->m, false); /* joins the exited thread */
        rc = cons_connect(c, err, errlen);
    }
    pthread_mutex_unlock(&c->conn_lock);
    return rc;
}

static void mq_close_consumer(struct omb_consumer *c)
{
    if (!c) return;
    if (c->registered) unregister_client(c->d, &c->cl);
    log_drops_total(&c->cl);
    pthread_mutex_lock(&c->conn_lock);
    atomic_store(&c->closing, true);
    if (c->m) {
        mosquitto_property *props = NULL;
        if (persistent(&c->d->c)) {
            /* End the session on the broker, so nothing is left behind. A paused consumer
             * connects once more to do so. */
            if (atomic_load(&c->paused)) {
                char e[256];
                if (cons_connect(c, e, sizeof e) != 0)
                    omb_warn("MQTT: cannot end the session of a consumer of '%s': %s", c->filter,
                             e);
            }
            mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 0);
        }
        close_client(c->m, props);
        mosquitto_property_free_all(&props);
    }
    pthread_mutex_unlock(&c->conn_lock);
    pthread_mutex_destroy(&c->conn_lock);
    waiter_destroy(&c->w);
    free(c->filter);
    free(c);
}

static int mq_create_consumer(struct omb_driver *d, const char *topic, const char *subscription,
                              omb_recv_fn fn, void *ctx, struct omb_consumer **out, char *err,
                              size_t errlen)
{
    if (strpbrk(subscription, "/+#")) {
        snprintf(err, errlen,
                 "subscription name '%s' cannot name an MQTT shared subscription (no '/', '+', "
                 "'#')",
                 subscription);
        return OMB_DRV_ERR;
    }
    struct omb_consumer *c = calloc(1, sizeof *c);
    char *t = mqtt_topic(d, topic);
    if (!c || !t) {
        free(c);
        free(t);
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    c->d = d;
    c->fn = fn;
    c->ctx = ctx;
    waiter_init(&c->w);
    pthread_mutex_init(&c->conn_lock, NULL);
    size_t n = strlen(subscription) + strlen(t) + 16;
    c->filter = malloc(n);
    if (c->filter) snprintf(c->filter, n, "$share/%s/%s", subscription, t);
    snprintf(c->cl.what, sizeof c->cl.what, "a consumer of '%s'", c->filter ? c->filter : "?");
    free(t);
    char id[32];
    client_id(id, sizeof id, "sub");
    /* Clean start as OMB: cleanSession true, or no session to resume. */
    if (c->filter) c->m = new_client(&d->c, id, d->c.clean_session, c, err, errlen);
    if (!c->m) {
        if (!c->filter) snprintf(err, errlen, "out of memory");
        mq_close_consumer(c);
        return OMB_DRV_ERR;
    }
    mosquitto_connect_v5_callback_set(c->m, cons_on_connect);
    mosquitto_disconnect_v5_callback_set(c->m, cons_on_disconnect);
    mosquitto_subscribe_v5_callback_set(c->m, cons_on_subscribe);
    mosquitto_message_v5_callback_set(c->m, cons_on_message);
    if (cons_connect(c, err, errlen) != 0) {
        mq_close_consumer(c);
        return OMB_DRV_ERR;
    }
    c->cl.revive = cons_revive;
    register_client(d, &c->cl);
    c->registered = true;
    *out = c;
    return OMB_DRV_OK;
}

/* Before the run: partitions, and pausing (which needs a persistent session). The same
 * refusals stay in create_topics and pause for runs driven over HTTP. */
static int mq_check_workload(const struct omb_driver_conf *conf, int partitions, bool pause,
                             char *err, size_t errlen)
{
    struct mq_conf c;
    if (mq_parse(conf, true, &c, err, errlen) != 0) return OMB_DRV_ERR;
    int rc = OMB_DRV_OK;
    if (pause && (!persistent(&c) || c.qos == 0)) {
        snprintf(err, errlen,
                 "consumerBacklogSizeGB needs paused consumers: the mqtt driver pauses a "
                 "consumer by disconnecting it and letting the broker queue for its session, "
                 "which needs consumer.cleanSession: false, consumer.sessionExpiryInterval > 0 "
                 "and client.qos 1 or 2 in %s",
                 conf->path);
        rc = OMB_DRV_ERR;
    }
    conf_free(&c);
    return rc;
}

/* Pause = disconnect, keeping the session: the broker queues the subscription's messages
 * for it (QoS 1/2 only) until the consumer connects again. */
static int mq_pause(struct omb_consumer *c)
{
    const struct mq_conf *cf = &c->d->c;
    if (!persistent(cf) || cf->qos == 0) {
        omb_error("MQTT: the mqtt driver pauses a consumer (backlog test) by disconnecting it "
                  "and letting the broker queue for its session, which needs "
                  "consumer.cleanSession: false, consumer.sessionExpiryInterval > 0 and "
                  "client.qos 1 or 2 in %s (it has cleanSession: %s, sessionExpiryInterval: "
                  "%lld, qos: %d)",
                  cf->file, cf->clean_session ? "true" : "false", (long long)cf->session_expiry,
                  cf->qos);
        return OMB_DRV_ERR;
    }
    pthread_mutex_lock(&c->conn_lock);
    if (!atomic_exchange(&c->paused, true)) {
        mosquitto_disconnect_v5(c->m, 0, NULL);
        mosquitto_loop_stop(c->m, false); /* no delivery after this */
    }
    pthread_mutex_unlock(&c->conn_lock);
    return OMB_DRV_OK;
}

static int mq_resume(struct omb_consumer *c)
{
    pthread_mutex_lock(&c->conn_lock);
    int rc = OMB_DRV_OK;
    if (atomic_load(&c->paused)) {
        char e[512];
        if (cons_connect(c, e, sizeof e) != 0) {
            omb_error("MQTT: cannot resume a consumer of '%s': %s", c->filter, e);
            rc = OMB_DRV_ERR;
        } else {
            atomic_store(&c->paused, false);
        }
    }
    pthread_mutex_unlock(&c->conn_lock);
    return rc;
}

const struct omb_driver_ops omb_mqtt_driver = {
    .name = "mqtt",
    .topic_prefix = "test", /* as OMB: <topicPrefix>/test-<index>-<random> */
    .caps = 0,
    .limits = {.producers = 0,
               .consumers = 0,
               .why =
                   "each producer and each consumer is an MQTT client with its own network thread"},
    .check = mq_check,
    .check_workload = mq_check_workload,
    .init = mq_init,
    .create_topics = mq_create_topics,
    .create_producer = mq_create_producer,
    .send = mq_send,
    .close_producer = mq_close_producer,
    .create_consumer = mq_create_consumer,
    .pause_consumer = mq_pause,
    .resume_consumer = mq_resume,
    .close_consumer = mq_close_consumer,
    .destroy = mq_destroy,
};
