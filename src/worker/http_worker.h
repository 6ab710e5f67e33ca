/* http_worker.h - `omb worker`: OMB's worker HTTP API (SPEC section 8) in front of a local
 * worker, plus a Prometheus /metrics port. */
#ifndef OMB_WORKER_HTTP_WORKER_H
#define OMB_WORKER_HTTP_WORKER_H

#include <stddef.h>

/* omb extensions to OMB's protocol (a Java coordinator sends none and sees OMB's API):
 *  - request header X-Omb-Seq: N on /period-stats: the worker answers a repeated N with
 *    the same body instead of draining again, so a retried read loses nothing;
 *  - with X-Omb-Seq present, stats bodies carry omb's extra members (wire.h);
 *  - request header X-Omb-Keep-Topics: 1 on /stop-all keeps the topics;
 *  - every response carries X-Omb-Worker: <version>. */
#define OMB_HDR_SEQ         "X-Omb-Seq"
#define OMB_HDR_KEEP_TOPICS "X-Omb-Keep-Topics"
#define OMB_HDR_WORKER      "X-Omb-Worker"

struct omb_http_worker_options {
    const char *bind;     /* address to bind; NULL: 127.0.0.1 */
    int port;             /* API port; 0: any free port */
    int stats_port;       /* /metrics port; 0: any free port; < 0: none */
    const char *token;    /* when set, every request needs Authorization: Bearer <token> */
    size_t max_body;      /* request body limit, except /start-load; 0: 4 MiB */
    size_t max_load_body; /* /start-load body limit; 0: 64 MiB */
    int sender_threads;   /* local worker option; 0: default */
    /* While the load runs, no API request for this long means the coordinator is gone:
     * the worker stops everything (omb_http_worker_watchdog). 0: never. `omb worker`'s
     * default is OMB_WORKER_COORDINATOR_TIMEOUT_S. */
    double coordinator_timeout_s;
};

/* An omb coordinator asks every worker something every 2 s while the load runs, OMB's
 * Java coordinator every 10 s (its stats period). */
#define OMB_WORKER_COORDINATOR_TIMEOUT_S 30

struct omb_http_worker;

/** Starts both servers (their own threads). Returns NULL with a sentence in @p err. */
struct omb_http_worker *omb_http_worker_start(const struct omb_http_worker_options *opt, char *err,
                                              size_t errlen);
int omb_http_worker_port(const struct omb_http_worker *hw);       /* bound API port */
int omb_http_worker_stats_port(const struct omb_http_worker *hw); /* bound stats port or -1 */
/** Call every second or so: stops the run when the coordinator has been silent for
 *  coordinator_timeout_s while the load runs. Returns 1 when it stopped a run. */
int omb_http_worker_watchdog(struct omb_http_worker *hw);
/** Stops the servers, then the local worker (stop-all). NULL-safe. */
void omb_http_worker_stop(struct omb_http_worker *hw);

/** `omb worker [-p 8080] [-sp 8081] [--bind ADDR] [--token T]`: runs until SIGINT/SIGTERM.
 *  Returns the process exit code. */
int omb_worker_command(int argc, char **argv);

#endif
