/* loopback.c - an in-process "broker": a send is acknowledged and delivered to one consumer
 * of every subscription of its topic, synchronously, in the sender's thread. For tests, and
 * to measure the harness alone (no client library, no network).
 *
 * Driver file keys besides name/driverClass, to test against a known truth:
 *   publishCapacity: N   the broker accepts at most N msg/s in total (0: no limit)
 *   deliveryCapacity: N  each consumer receives at most N msg/s (0: no limit)
 *   publishCapacitySchedule: [[0, N0], [T1, N1], ...]
 *   deliveryCapacitySchedule: [[0, N0], [T1, N1], ...]
 *                        the same capacities changing during the run: N0 msg/s from the
 *                        start, N1 from T1 seconds on, ... (seconds since the first message
 *                        the broker accepted: the probe, a moment before the load starts).
 *                        Times start at 0 and increase; at most 64 steps; not together
 *                        with the fixed key of the same name.
 *   loseEvery: N         the N-th, 2N-th, ... message a consumer gets is dropped (0: never)
 *   redeliverEvery: N    the N-th, 2N-th, ... message a consumer gets is delivered twice,
 *                        as after a rebalance (0: never); a message both would hit is lost
 * Messages carry positions as a Kafka partition would: offsets count up per subscription
 * and partition, so the delivery check can tell a redelivered message from a new one.
 * A consumer with a delivery capacity, or once paused, is fed through a queue drained by a
 * thread of its own (paused: not drained), so a backlog builds as on a real broker. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"
#include "drivers/driver.h"
#include "util/clock.h"
#include "util/strmap.h"

struct lb_item {
    size_t bytes;
    int64_t sent_ns, intended_ns;
    int32_t partition;
    int64_t offset;
};

/* A capacity that changes during the run: cap[i] msg/s from at_s[i] seconds on. */
#define LB_MAX_STEPS 64
struct lb_schedule {
    size_t n; /* 0: no schedule, the fixed capacity holds */
    double at_s[LB_MAX_STEPS], cap[LB_MAX_STEPS];
};

/* The capacity at @p now: @p fixed without a schedule; the schedule's first step before the
 * first message (@p t0 == 0). */
static double capacity_at(const struct lb_schedule *s, double fixed, int64_t t0, int64_t now)
{
    if (s->n == 0) return fixed;
    double t = t0 ? (double)(now - t0) / 1e9 : 0;
    double cap = s->cap[0];
    for (size_t i = 1; i < s->n && s->at_s[i] <= t; i++) cap = s->cap[i];
    return cap;
}

struct lb_consumer {
    omb_recv_fn fn;
    void *ctx;
    /* Deliveries to one consumer are serialized (driver.h contract); sender threads that
     * hit the same consumer take turns, as a broker's per-consumer queue would. */
    atomic_flag busy;
    bool closed;
    /* Queued mode (a delivery capacity, or paused once): senders append under qlock and
     * the consumer's thread delivers. The switch is one-way. */
    _Atomic bool queued;
    pthread_mutex_t qlock;
    pthread_cond_t qcond;
    struct lb_item *q; /* ring */
    size_t qhead, qlen, qcap;
    bool paused, stop, thread_started;
    double capacity;                    /* msg/s, 0: none */
    const struct lb_schedule *schedule; /* the driver's delivery schedule */
    const _Atomic int64_t *t0;          /* the driver's first acceptance */
    pthread_t thread;
    int64_t lose_every, redeliver_every, delivered; /* faults; delivered: under busy */
};

/* Consumer and subscription lists are immutable snapshots, replaced whole when a consumer
 * comes or goes and published with release/acquire, so the send path takes no lock.
 * Replaced snapshots are kept until the driver is destroyed (a sender may still read one). */
struct lb_sub {
    char *name;
    _Atomic(struct lb_list *) consumers;
    _Atomic int64_t *next_offset; /* per partition */
};

struct lb_list {
    size_t n;
    void *items[];
};

struct lb_topic {
    char *name;
    int partitions;
    _Atomic(struct lb_list *) subs; /* of struct lb_sub */
};

struct lb_garbage {
    void *ptr;
    struct lb_garbage *next;
};

struct omb_driver {
    pthread_mutex_t lock; /* topics, list replacement, garbage */
    struct lb_topic **topics;
    size_t ntopics;
    struct omb_strmap by_name; /* topic name -> struct lb_topic: setup stays linear */
    struct lb_garbage *garbage;
    double publish_capacity, delivery_capacity; /* msg/s, 0: none */
    struct lb_schedule publish_schedule, delivery_schedule;
    _Atomic int64_t t0_ns; /* first message accepted (0: none yet): the schedules' origin */
    int64_t lose_every, redeliver_every;
    pthread_mutex_t pub_lock; /* the publish capacity's schedule */
    int64_t pub_next_ns;
};

struct omb_producer {
    struct omb_driver *d;
    struct lb_topic *topic;
    omb_send_done_fn done;
    void *ctx;
    uint32_t next_partition;
};

struct omb_consumer {
    struct omb_driver *d;
    struct lb_sub *sub;
    struct lb_consumer c;
};

static void keep_garbage(struct omb_driver *d, void *ptr)
{
    struct lb_garbage *g = malloc(sizeof *g);
    if (!g) return; /* leak rather than free under a reader */
    g->ptr = ptr;
    g->next = d->garbage;
    d->garbage = g;
}

/* Returns a copy of @p old with @p add appended (add != NULL) or @p del removed. */
static struct lb_list *list_edit(const struct lb_list *old, void *add, void *del)
{
    size_t n = old ? old->n : 0;
    struct lb_list *l = calloc(1, sizeof *l + (n + 1) * sizeof(void *));
    if (!l) return NULL;
    for (size_t i = 0; i < n; i++)
        if (old->items[i] != del) l->items[l->n++] = old->items[i];
    if (add) l->items[l->n++] = add;
    return l;
}

struct lb_file {
    const void *name, *cls;
    double publish_capacity, delivery_capacity;
    const struct omb_yaml_node *publish_schedule, *delivery_schedule;
    int64_t lose_every, redeliver_every;
};

static const struct omb_field lb_fields[] = {
    {.key = "name", .type = OMB_FIELD_ANY, .offset = offsetof(struct lb_file, name)},
    {.key = "driverClass", .type = OMB_FIELD_ANY, .offset = offsetof(struct lb_file, cls)},
    {.key = "publishCapacity",
     .type = OMB_FIELD_DOUBLE,
     .offset = offsetof(struct lb_file, publish_capacity),
     .min = 0,
     .max = 1e10},
    {.key = "deliveryCapacity",
     .type = OMB_FIELD_DOUBLE,
     .offset = offsetof(struct lb_file, delivery_capacity),
     .min = 0,
     .max = 1e10},
    {.key = "publishCapacitySchedule",
     .type = OMB_FIELD_ANY,
     .offset = offsetof(struct lb_file, publish_schedule)},
    {.key = "deliveryCapacitySchedule",
     .type = OMB_FIELD_ANY,
     .offset = offsetof(struct lb_file, delivery_schedule)},
    {.key = "loseEvery",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct lb_file, lose_every),
     .min = 0,
     .max = 1e15},
    {.key = "redeliverEvery",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct lb_file, redeliver_every),
     .min = 0,
     .max = 1e15},
};

/* A plain YAML number into @p v; 0 when it is not one. */
static int plain_number(const struct omb_yaml_node *n, double *v)
{
    if (!n || n->kind != OMB_YAML_SCALAR || !n->plain || !n->scalar[0]) return 0;
    char *end;
    *v = strtod(n->scalar, &end);
    return *end == '\0' && *v == *v && *v < 1e300 && *v > -1e300;
}

/* `key: [[0, N0], [T1, N1], ...]` into @p out, strictly: a list of [seconds, msg/s] pairs,
 * the first at 0 s, times increasing, capacities 0 (no limit) to 1e10. */
static int parse_schedule(const struct omb_driver_conf *conf, const struct omb_yaml_node *list,
                          const char *key, struct lb_schedule *out, char *err, size_t errlen)
{
    const char *file = conf->doc && conf->doc->source ? conf->doc->source : "driver file";
    memset(out, 0, sizeof *out);
    if (!list) return OMB_DRV_OK;
    if (list->kind != OMB_YAML_SEQ || list->n == 0 || list->n > LB_MAX_STEPS) {
        snprintf(err, errlen,
                 "%s line %d: '%s' must be a list of 1 to %d [seconds, msg/s] pairs, such as "
                 "[[0, 60000], [30, 30000]]",
                 file, list->line, key, LB_MAX_STEPS);
        return OMB_DRV_ERR;
    }
    for (size_t i = 0; i < list->n; i++) {
        const struct omb_yaml_node *e = list->values[i];
        double at, cap;
        if (e->kind != OMB_YAML_SEQ || e->n != 2 || !plain_number(e->values[0], &at) ||
            !plain_number(e->values[1], &cap)) {
            snprintf(err, errlen,
                     "%s line %d: '%s' step %zu must be a pair of numbers [seconds, msg/s]", file,
                     e->line, key, i + 1);
            return OMB_DRV_ERR;
        }
        if (i == 0 && at != 0) {
            snprintf(err, errlen, "%s line %d: '%s' must start at 0 seconds, not %g", file, e->line,
                     key, at);
            return OMB_DRV_ERR;
        }
        if (i > 0 && at <= out->at_s[i - 1]) {
            snprintf(err, errlen,
                     "%s line %d: '%s' step %zu at %g s: times must increase (the step before "
                     "is at %g s)",
                     file, e->line, key, i + 1, at, out->at_s[i - 1]);
            return OMB_DRV_ERR;
        }
        if (cap < 0 || cap > 1e10) {
            snprintf(err, errlen,
                     "%s line %d: '%s' step %zu: capacity %g msg/s is out of range (0 to 1e10; "
                     "0: no limit)",
                     file, e->line, key, i + 1, cap);
            return OMB_DRV_ERR;
        }
        out->at_s[i] = at;
        out->cap[i] = cap;
        out->n++;
    }
    return OMB_DRV_OK;
}

static int lb_parse(const struct omb_driver_conf *conf, struct lb_file *f, struct lb_schedule *pub,
                    struct lb_schedule *del, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    if (conf->doc && conf->doc->root &&
        omb_schema_apply(conf->doc, conf->doc->root, lb_fields,
                         sizeof lb_fields / sizeof lb_fields[0], 0, f, err, errlen) != 0)
        return OMB_DRV_ERR;
    if (parse_schedule(conf, f->publish_schedule, "publishCapacitySchedule", pub, err, errlen) ||
        parse_schedule(conf, f->delivery_schedule, "deliveryCapacitySchedule", del, err, errlen))
        return OMB_DRV_ERR;
    const char *both = pub->n && f->publish_capacity > 0    ? "publishCapacity"
                       : del->n && f->delivery_capacity > 0 ? "deliveryCapacity"
                                                            : NULL;
    if (both) {
        snprintf(err, errlen, "%s: give '%s' or '%sSchedule', not both",
                 conf->doc && conf->doc->source ? conf->doc->source : "driver file", both, both);
        return OMB_DRV_ERR;
    }
    return OMB_DRV_OK;
}

static int lb_check(const struct omb_driver_conf *conf, char *err, size_t errlen)
{
    struct lb_file f;
    struct lb_schedule pub, del;
    return lb_parse(conf, &f, &pub, &del, err, errlen);
}

static int lb_init(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                   size_t errlen)
{
    struct lb_file f;
    struct lb_schedule pub, del;
    if (lb_parse(conf, &f, &pub, &del, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    struct omb_driver *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_mutex_init(&d->pub_lock, NULL);
    d->publish_capacity = f.publish_capacity;
    d->delivery_capacity = f.delivery_capacity;
    d->publish_schedule = pub;
    d->delivery_schedule = del;
    d->lose_every = f.lose_every;
    d->redeliver_every = f.redeliver_every;
    *out = d;
    return OMB_DRV_OK;
}

static struct lb_topic *find_topic(struct omb_driver *d, const char *name)
{
    return omb_strmap_get(&d->by_name, name);
}

static int lb_create_topics(struct omb_driver *d, const char *const *topics, size_t n,
                            int partitions, char *err, size_t errlen)
{
    pthread_mutex_lock(&d->lock);
    struct lb_topic **all = realloc(d->topics, (d->ntopics + n) * sizeof *all);
    if (!all) goto oom;
    d->topics = all;
    for (size_t i = 0; i < n; i++) {
        if (find_topic(d, topics[i])) {
            snprintf(err, errlen, "topic '%s' already exists", topics[i]);
            pthread_mutex_unlock(&d->lock);
            return OMB_DRV_ERR;
        }
        struct lb_topic *t = calloc(1, sizeof *t);
        if (!t) goto oom;
        t->name = strdup(topics[i]);
        t->partitions = partitions > 0 ? partitions : 1;
        if (!t->name || omb_strmap_put(&d->by_name, t->name, t) != 0) {
            free(t->name);
            free(t);
            goto oom;
        }
        d->topics[d->ntopics++] = t;
    }
    pthread_mutex_unlock(&d->lock);
    return OMB_DRV_OK;
oom:
    pthread_mutex_unlock(&d->lock);
    snprintf(err, errlen, "out of memory creating topics");
    return OMB_DRV_ERR;
}

static int lb_create_producer(struct omb_driver *d, const char *topic, omb_send_done_fn done,
                              void *ctx, struct omb_producer **out, char *err, size_t errlen)
{
    pthread_mutex_lock(&d->lock);
    struct lb_topic *t = find_topic(d, topic);
    pthread_mutex_unlock(&d->lock);
    if (!t) {
        snprintf(err, errlen, "topic '%s' does not exist", topic);
        return OMB_DRV_ERR;
    }
    struct omb_producer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    p->d = d;
    p->topic = t;
    p->done = done;
    p->ctx = ctx;
    *out = p;
    return OMB_DRV_OK;
}

static uint32_t key_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h;
}

/* The publish capacity: a schedule of acceptance times shared by all producers (a lock, but
 * only when a capacity is configured). Returns 0 when the message may be accepted now. */
static int take_publish_slot(struct omb_driver *d, double capacity, int64_t now)
{
    int64_t interval = (int64_t)(1e9 / capacity);
    pthread_mutex_lock(&d->pub_lock);
    int ok = now >= d->pub_next_ns;
    if (ok) {
        /* No credit for idle time beyond 10 ms, as a broker has no such reserve. */
        int64_t base = d->pub_next_ns > now - 10000000 ? d->pub_next_ns : now - 10000000;
        d->pub_next_ns = base + interval;
    }
    pthread_mutex_unlock(&d->pub_lock);
    return ok ? 0 : -1;
}

/* The next position in partition @p part of @p sub's copy of the topic. */
static int64_t next_offset(struct lb_sub *sub, uint32_t part)
{
    return atomic_fetch_add_explicit(&sub->next_offset[part], 1, memory_order_relaxed);
}

/* Hands one message to the consumer, with the configured faults. Caller holds c->busy. */
static void deliver(struct lb_consumer *c, const struct lb_item *it, int64_t now)
{
    if (c->closed) return;
    int64_t n = ++c->delivered;
    if (c->lose_every > 0 && n % c->lose_every == 0) return;
    struct omb_delivered m = {.bytes = it->bytes,
                              .publish_ns = it->sent_ns,
                              .intended_ns = it->intended_ns,
                              .now_ns = now,
                              .partition = it->partition,
                              .offset = it->offset,
                              .producer = -1}; /* in-process: one clock, nothing to correct */
    c->fn(c->ctx, &m);
    if (c->redeliver_every > 0 && n % c->redeliver_every == 0) c->fn(c->ctx, &m);
}

static void enqueue(struct lb_consumer *c, struct lb_sub *sub, uint32_t part, size_t bytes,
                    const struct omb_msg_meta *meta)
{
    pthread_mutex_lock(&c->qlock);
    if (c->stop) { /* closed while a sender still held the old consumer list */
        pthread_mutex_unlock(&c->qlock);
        return;
    }
    if (c->qlen == c->qcap) {
        size_t ncap = c->qcap ? c->qcap * 2 : 1024;
        struct lb_item *nq = malloc(ncap * sizeof *nq);
        if (!nq) {
            pthread_mutex_unlock(&c->qlock);
            return; /* dropped: the consumer will come up short and the run says so */
        }
        for (size_t i = 0; i < c->qlen; i++) nq[i] = c->q[(c->qhead + i) % c->qcap];
        free(c->q);
        c->q = nq;
        c->qhead = 0;
        c->qcap = ncap;
    }
    /* The position is taken under qlock, so the queue holds each partition in order. */
    c->q[(c->qhead + c->qlen) % c->qcap] = (struct lb_item){.bytes = bytes,
                                                            .sent_ns = meta->sent_ns,
                                                            .intended_ns = meta->intended_ns,
                                                            .partition = (int32_t)part,
                                                            .offset = next_offset(sub, part)};
    c->qlen++;
    pthread_cond_signal(&c->qcond);
    pthread_mutex_unlock(&c->qlock);
}

static int lb_send(struct omb_producer *p, const char *key, size_t keylen, const void *payload,
                   size_t len, const struct omb_msg_meta *meta)
{
    /* One clock read stands for the broker's receipt, its ack and its delivery: in memory
     * they are the same instant. */
    int64_t now = omb_now_ns();
    struct omb_driver *d = p->d;
    if ((d->publish_schedule.n || d->delivery_schedule.n) &&
        atomic_load_explicit(&d->t0_ns, memory_order_relaxed) == 0) {
        int64_t zero = 0; /* the schedules' origin: the first message (one wins) */
        atomic_compare_exchange_strong(&d->t0_ns, &zero, now);
    }
    double capacity = d->publish_schedule.n
                          ? capacity_at(&d->publish_schedule, 0, atomic_load(&d->t0_ns), now)
                          : d->publish_capacity;
    if (capacity > 0 && take_publish_slot(d, capacity, now) != 0) return OMB_DRV_QUEUE_FULL;
    uint32_t partition = key ? key_hash(key, keylen) : p->next_partition++;
    const struct lb_list *subs = atomic_load_explicit(&p->topic->subs, memory_order_acquire);
    for (size_t s = 0; subs && s < subs->n; s++) {
        struct lb_sub *sub = subs->items[s];
        const struct lb_list *cons = atomic_load_explicit(&sub->consumers, memory_order_acquire);
        if (!cons || cons->n == 0) continue;
        /* Partitions are spread over the subscription's consumers, as a consumer group
         * assigns them. */
        uint32_t part = partition % (uint32_t)p->topic->partitions;
        struct lb_consumer *c = cons->items[part % cons->n];
        if (atomic_load_explicit(&c->queued, memory_order_acquire)) {
            enqueue(c, sub, part, len, meta);
            continue;
        }
        while (atomic_flag_test_and_set_explicit(&c->busy, memory_order_acquire))
            sched_yield(); /* another sender is delivering to it: with 2 cores, let it run */
        /* The position is taken while delivering, so each partition arrives in order. */
        struct lb_item it = {.bytes = len,
                             .sent_ns = meta->sent_ns,
                             .intended_ns = meta->intended_ns,
                             .partition = (int32_t)part,
                             .offset = next_offset(sub, part)};
        deliver(c, &it, now);
        atomic_flag_clear_explicit(&c->busy, memory_order_release);
    }
    p->done(p->ctx, meta, len, 0, now);
    return OMB_DRV_OK;
}

static void lb_close_producer(struct omb_producer *p) { free(p); }

/* Delivers a queued consumer's messages, at most at its capacity, while not paused. */
static void *consumer_main(void *arg)
{
    struct lb_consumer *c = arg;
    int64_t next_due = omb_now_ns();
    pthread_mutex_lock(&c->qlock);
    while (!c->stop) {
        if (c->paused || c->qlen == 0) {
            pthread_cond_wait(&c->qcond, &c->qlock);
            next_due = omb_now_ns(); /* no credit for time spent paused or idle */
            continue;
        }
        struct lb_item it = c->q[c->qhead];
        c->qhead = (c->qhead + 1) % c->qcap;
        c->qlen--;
        pthread_mutex_unlock(&c->qlock);
        int64_t now = omb_now_ns();
        double capacity = capacity_at(c->schedule, c->capacity, atomic_load(c->t0), now);
        if (capacity > 0) {
            /* Sleep only when well ahead: a sleep per message would cap the rate at what
             * the timer can do, not at the configured capacity. No credit for more than
             * 10 ms of lag (a capacity that just rose does not burst). */
            if (next_due < now - 10000000) next_due = now - 10000000;
            if (next_due - now > 200000) omb_sleep_until_ns(next_due);
            next_due += (int64_t)(1e9 / capacity);
        }
        while (atomic_flag_test_and_set_explicit(&c->busy, memory_order_acquire)) sched_yield();
        deliver(c, &it, omb_now_ns());
        atomic_flag_clear_explicit(&c->busy, memory_order_release);
        pthread_mutex_lock(&c->qlock);
    }
    pthread_mutex_unlock(&c->qlock);
    return NULL;
}

/* Switches @p c to queued delivery (once). Caller holds nothing. */
static int start_queue(struct lb_consumer *c)
{
    pthread_mutex_lock(&c->qlock);
    int rc = 0;
    if (!c->thread_started) {
        rc = pthread_create(&c->thread, NULL, consumer_main, c);
        c->thread_started = rc == 0;
    }
    pthread_mutex_unlock(&c->qlock);
    if (rc == 0) atomic_store_explicit(&c->queued, true, memory_order_release);
    return rc;
}

static int lb_pause(struct omb_consumer *oc)
{
    struct lb_consumer *c = &oc->c;
    pthread_mutex_lock(&c->qlock);
    c->paused = true;
    pthread_mutex_unlock(&c->qlock);
    return start_queue(c) == 0 ? OMB_DRV_OK : OMB_DRV_ERR;
}

static int lb_resume(struct omb_consumer *oc)
{
    struct lb_consumer *c = &oc->c;
    pthread_mutex_lock(&c->qlock);
    c->paused = false;
    pthread_cond_signal(&c->qcond);
    pthread_mutex_unlock(&c->qlock);
    return OMB_DRV_OK;
}

static int lb_create_consumer(struct omb_driver *d, const char *topic, const char *subscription,
                              omb_recv_fn fn, void *ctx, struct omb_consumer **out, char *err,
                              size_t errlen)
{
    pthread_mutex_lock(&d->lock);
    struct lb_topic *t = find_topic(d, topic);
    if (!t) {
        pthread_mutex_unlock(&d->lock);
        snprintf(err, errlen, "topic '%s' does not exist", topic);
        return OMB_DRV_ERR;
    }
    struct omb_consumer *c = calloc(1, sizeof *c);
    if (!c) goto oom;
    c->d = d;
    c->c.fn = fn;
    c->c.ctx = ctx;
    atomic_flag_clear(&c->c.busy);
    pthread_mutex_init(&c->c.qlock, NULL);
    pthread_cond_init(&c->c.qcond, NULL);
    c->c.capacity = d->delivery_capacity;
    c->c.schedule = &d->delivery_schedule;
    c->c.t0 = &d->t0_ns;
    c->c.lose_every = d->lose_every;
    c->c.redeliver_every = d->redeliver_every;
    if ((c->c.capacity > 0 || d->delivery_schedule.n) && start_queue(&c->c) != 0) {
        free(c);
        goto oom;
    }
    struct lb_list *subs = atomic_load(&t->subs);
    struct lb_sub *sub = NULL;
    for (size_t i = 0; subs && i < subs->n; i++)
        if (!strcmp(((struct lb_sub *)subs->items[i])->name, subscription)) sub = subs->items[i];
    if (!sub) {
        sub = calloc(1, sizeof *sub);
        if (sub) sub->next_offset = calloc((size_t)t->partitions, sizeof *sub->next_offset);
        struct lb_list *grown = sub && sub->next_offset ? list_edit(subs, sub, NULL) : NULL;
        if (!grown) {
            if (sub) free((void *)sub->next_offset);
            free(sub);
            free(c);
            goto oom;
        }
        sub->name = strdup(subscription);
        atomic_store_explicit(&t->subs, grown, memory_order_release);
        if (subs) keep_garbage(d, subs);
    }
    struct lb_list *old = atomic_load(&sub->consumers);
    struct lb_list *grown = list_edit(old, &c->c, NULL);
    if (!grown) {
        free(c);
        goto oom;
    }
    c->sub = sub;
    atomic_store_explicit(&sub->consumers, grown, memory_order_release);
    if (old) keep_garbage(d, old);
    pthread_mutex_unlock(&d->lock);
    *out = c;
    return OMB_DRV_OK;
oom:
    pthread_mutex_unlock(&d->lock);
    snprintf(err, errlen, "out of memory creating a consumer");
    return OMB_DRV_ERR;
}

static void lb_close_consumer(struct omb_consumer *c)
{
    if (!c) return;
    struct omb_driver *d = c->d;
    pthread_mutex_lock(&c->c.qlock);
    bool started = c->c.thread_started;
    c->c.stop = true;
    pthread_cond_signal(&c->c.qcond);
    pthread_mutex_unlock(&c->c.qlock);
    if (started) pthread_join(c->c.thread, NULL);
    free(c->c.q);
    c->c.q = NULL;
    pthread_mutex_lock(&d->lock);
    struct lb_list *old = atomic_load(&c->sub->consumers);
    struct lb_list *shrunk = list_edit(old, NULL, &c->c);
    if (shrunk) {
        atomic_store_explicit(&c->sub->consumers, shrunk, memory_order_release);
        keep_garbage(d, old);
    }
    /* A sender may still hold the old list: wait out a delivery in progress, then refuse
     * further ones. The consumer's memory is kept until the driver goes. */
    while (atomic_flag_test_and_set_explicit(&c->c.busy, memory_order_acquire)) sched_yield();
    c->c.closed = true;
    atomic_flag_clear_explicit(&c->c.busy, memory_order_release);
    keep_garbage(d, c);
    pthread_mutex_unlock(&d->lock);
}

static int lb_delete_topics(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                            size_t errlen)
{
    /* Topics live only in this process: they go with the driver. */
    return OMB_DRV_OK;
}

static void lb_destroy(struct omb_driver *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->ntopics; i++) {
        struct lb_topic *t = d->topics[i];
        struct lb_list *subs = atomic_load(&t->subs);
        for (size_t s = 0; subs && s < subs->n; s++) {
            struct lb_sub *sub = subs->items[s];
            free(atomic_load(&sub->consumers));
            free((void *)sub->next_offset);
            free(sub->name);
            free(sub);
        }
        free(subs);
        free(t->name);
        free(t);
    }
    free(d->topics);
    omb_strmap_free(&d->by_name);
    while (d->garbage) {
        struct lb_garbage *g = d->garbage;
        d->garbage = g->next;
        free(g->ptr);
        free(g);
    }
    pthread_mutex_destroy(&d->lock);
    pthread_mutex_destroy(&d->pub_lock);
    free(d);
}

const struct omb_driver_ops omb_loopback_driver = {
    .name = "loopback",
    .topic_prefix = "loopback",
    .caps = OMB_CAP_IN_PROCESS | OMB_CAP_PARTITIONS | OMB_CAP_OFFSETS,
    .limits =
        {.producers = 1000000,
         .consumers = 1000000,
         .why = "beyond that, the in-memory clients alone outgrow a benchmarking machine's memory"},
    .check = lb_check,
    .init = lb_init,
    .create_topics = lb_create_topics,
    .create_producer = lb_create_producer,
    .send = lb_send,
    .close_producer = lb_close_producer,
    .create_consumer = lb_create_consumer,
    .pause_consumer = lb_pause,
    .resume_consumer = lb_resume,
    .close_consumer = lb_close_consumer,
    .delete_topics = lb_delete_topics,
    .destroy = lb_destroy,
};
