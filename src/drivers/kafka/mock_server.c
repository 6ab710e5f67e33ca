/* mock_server.c - `omb kafka-mock` and its topic-creation endpoint; see mock_server.h. */
#include "drivers/kafka/mock_server.h"
#include "util/signals.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "util/cli.h"
#include "util/log.h"

#define MAX_BODY 4096

/* ---- client (the Kafka driver in a worker) ------------------------------------------- */

struct resp {
    char buf[1024];
    size_t len;
};

static size_t on_resp(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct resp *r = ctx;
    size_t n = size * nmemb, room = sizeof r->buf - 1 - r->len;
    memcpy(r->buf + r->len, p, n < room ? n : room);
    r->len += n < room ? n : room;
    r->buf[r->len] = '\0';
    return n;
}

int omb_kafka_mock_create_topic(const char *admin_url, const char *topic, int partitions,
                                int replication_factor, char *err, size_t errlen)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    char url[1024];
    snprintf(url, sizeof url, "%s/topics", admin_url);
    json_t *j = json_pack("{s:s,s:i,s:i}", "topic", topic, "partitions", partitions,
                          "replicationFactor", replication_factor);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    struct resp r = {.len = 0};
    char cerr[CURL_ERROR_SIZE] = "";
    int rc = -1;
    if (!body || !h || !hdrs) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_resp);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "cannot create topic '%s': kafka-mock admin %s: %s", topic, url,
                 cerr[0] ? cerr : curl_easy_strerror(cc));
    } else if (status != 200) {
        json_error_t je;
        json_t *e = json_loads(r.buf, 0, &je);
        const char *msg = json_string_value(json_object_get(e, "error"));
        snprintf(err, errlen, "cannot create topic '%s' on the kafka-mock at %s: %s", topic,
                 admin_url, msg ? msg : "unexpected answer");
        json_decref(e);
    } else {
        rc = 0;
    }
out:
    curl_slist_free_all(hdrs);
    if (h) curl_easy_cleanup(h);
    free(body);
    return rc;
}

/* ---- server -------------------------------------------------------------------------- */

struct mock_server {
    rd_kafka_mock_cluster_t *mc;
};

struct upload {
    char buf[MAX_BODY + 1];
    size_t len;
    bool too_big;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *fmt,
                             const char *arg)
{
    json_t *j = fmt ? json_pack("{s:s}", "error", arg) : json_object();
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!body) return MHD_NO;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_admin(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **con_cls)
{
    struct mock_server *ms = cls;
    struct upload *u = *con_cls;
    if (!u) {
        if (!(u = calloc(1, sizeof *u))) return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*upload_size) {
        if (*upload_size > MAX_BODY - u->len)
            u->too_big = true;
        else {
            memcpy(u->buf + u->len, upload, *upload_size);
            u->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/topics") != 0) return reply(c, MHD_HTTP_NOT_FOUND, "", "try POST /topics");
    if (strcmp(method, "POST") != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "", "/topics needs POST");
    if (u->too_big) return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "", "body too large");
    json_error_t je;
    json_t *j = json_loadb(u->buf, u->len, 0, &je);
    const char *topic = json_string_value(json_object_get(j, "topic"));
    json_t *p = json_object_get(j, "partitions"), *rf = json_object_get(j, "replicationFactor");
    json_int_t parts = json_integer_value(p), reps = rf ? json_integer_value(rf) : 1;
    if (!topic || !*topic || !json_is_integer(p) || parts < 1 || parts > 100000 ||
        (rf && !json_is_integer(rf)) || reps < 1) {
        json_decref(j);
        return reply(c, MHD_HTTP_BAD_REQUEST, "",
                     "expected {\"topic\":\"name\",\"partitions\":n,\"replicationFactor\":r}");
    }
    if (reps > 3) reps = 3; /* never more than the mock's brokers */
    rd_kafka_resp_err_t r = rd_kafka_mock_topic_create(ms->mc, topic, (int)parts, (int)reps);
    enum MHD_Result rc;
    if (r) {
        rc = reply(c, MHD_HTTP_CONFLICT, "", rd_kafka_err2str(r));
    } else {
        omb_info("kafka-mock: created topic '%s' with %lld partition(s)", topic, (long long)parts);
        rc = reply(c, MHD_HTTP_OK, NULL, NULL);
    }
    json_decref(j);
    return rc;
}

static void on_admin_done(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
    free(*con_cls);
    *con_cls = NULL;
}

/* Set by the signal handler, which may run on any thread (librdkafka's too). */
static _Atomic int mock_stop;
static void on_mock_signal(int sig) { mock_stop = 1; }

/* Returns -1 to go on, or the exit code (help printed: 0; a bad command line: 2). */
static int parse_mock_args(int argc, char **argv, long *brokers, long *port)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: omb kafka-mock [--brokers 3] [--admin-port 0]\n"
                   "  Hosts librdkafka's mock Kafka cluster on 127.0.0.1 for other processes.\n"
                   "  Prints bootstrap.servers=... and mockAdmin=...: put both in the Kafka\n"
                   "  driver file (commonConfig and a top-level mockAdmin key) so that\n"
                   "  workers create topics with the partitions asked for. Runs until\n"
                   "  SIGINT/SIGTERM.\n");
            return 0;
        }
    double b = (double)*brokers, p = (double)*port;
    const struct omb_cli_opt opts[] = {
        {"--brokers", OMB_CLI_NUMBER, &b, 1, 32, "N", "brokers (default 3)"},
        {"--admin-port", OMB_CLI_NUMBER, &p, 0, 65535, "PORT",
         "the mockAdmin HTTP port (default 0: any free port)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    if (omb_cli_parse("omb kafka-mock", opts, argc, argv, NULL, NULL, NULL) != 0) return 2;
    if (b != (double)(long)b || p != (double)(long)p) {
        fprintf(stderr, "omb kafka-mock: %s needs a whole number\n",
                b != (double)(long)b ? "--brokers" : "--admin-port");
        return 2;
    }
    *brokers = (long)b;
    *port = (long)p;
    return -1;
}

int omb_kafka_mock_command(int argc, char **argv)
{
    long brokers = 3, port = 0;
    int prc = parse_mock_args(argc, argv, &brokers, &port);
    if (prc >= 0) return prc;
    omb_on_stop_signals(on_mock_signal);

    char e[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", e, sizeof e);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    if (!rk) {
        fprintf(stderr, "omb kafka-mock: %s\n", e);
        return 1;
    }
    struct mock_server ms = {.mc = rd_kafka_mock_cluster_new(rk, (int)brokers)};
    if (!ms.mc) {
        fprintf(stderr, "omb kafka-mock: could not start librdkafka's mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, on_admin, &ms,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin, MHD_OPTION_NOTIFY_COMPLETED, on_admin_done,
        NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "omb kafka-mock: cannot listen on 127.0.0.1 port %ld\n", port);
        rd_kafka_mock_cluster_destroy(ms.mc);
        rd_kafka_destroy(rk);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    /* Machine-readable lines first (scripts read them), then a human one on stderr. */
    printf("bootstrap.servers=%s\nmockAdmin=http://127.0.0.1:%u\n",
           rd_kafka_mock_cluster_bootstraps(ms.mc), info ? info->port : 0);
    fflush(stdout);
    omb_warn("kafka-mock: %ld broker(s) at %s; librdkafka's mock cluster, for tests and demos "
             "(it keeps at most 100,000 messages or 5 MiB per partition); Ctrl-C to stop",
             brokers, rd_kafka_mock_cluster_bootstraps(ms.mc));
    while (!mock_stop) pause();
    MHD_stop_daemon(d);
    rd_kafka_mock_cluster_destroy(ms.mc);
    rd_kafka_destroy(rk);
    return 0;
}
