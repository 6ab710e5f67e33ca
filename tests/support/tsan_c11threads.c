/* tsan_c11threads.c - linked into executables of TSan builds only. glibc's C11 threads
 * (thrd_create, mtx_lock, cnd_wait, ...), which Debian's librdkafka uses, call glibc's
 * pthread internals directly, past ThreadSanitizer's pthread interceptors: TSan then knows
 * neither librdkafka's threads (it crashes in them) nor its locks (false races on data our
 * callbacks share through librdkafka's queues). These definitions, exported from the
 * executable (-rdynamic), take precedence over glibc's and forward to the intercepted
 * pthread functions. glibc's mtx_t/cnd_t have the size and layout of the pthread types. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>
#include <time.h>

_Static_assert(sizeof(mtx_t) >= sizeof(pthread_mutex_t), "mtx_t holds a pthread mutex");
_Static_assert(sizeof(cnd_t) >= sizeof(pthread_cond_t), "cnd_t holds a pthread cond");
_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t is a pthread_t");

#define M(m) ((pthread_mutex_t *)(m))
#define C(c) ((pthread_cond_t *)(c))

static int result(int rc)
{
    return rc == 0           ? thrd_success
           : rc == ETIMEDOUT ? thrd_timedout
           : rc == EBUSY     ? thrd_busy
           : rc == ENOMEM    ? thrd_nomem
                             : thrd_error;
}

struct start {
    thrd_start_t fn;
    void *arg;
};

static void *trampoline(void *p)
{
    struct start s = *(struct start *)p;
    free(p);
    return (void *)(intptr_t)s.fn(s.arg);
}

int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg)
{
    struct start *s = malloc(sizeof *s);
    if (!s) return thrd_nomem;
    s->fn = fn;
    s->arg = arg;
    pthread_t t;
    int rc = pthread_create(&t, NULL, trampoline, s);
    if (rc) {
        free(s);
        return result(rc);
    }
    *thr = (thrd_t)t;
    return thrd_success;
}

int thrd_join(thrd_t thr, int *res)
{
    void *r;
    int rc = pthread_join((pthread_t)thr, &r);
    if (!rc && res) *res = (int)(intptr_t)r;
    return result(rc);
}

int thrd_detach(thrd_t thr) { return result(pthread_detach((pthread_t)thr)); }

int mtx_init(mtx_t *m, int type)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    if (type & mtx_recursive) pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init(M(m), &a);
    pthread_mutexattr_destroy(&a);
    return result(rc);
}

int mtx_lock(mtx_t *m) { return result(pthread_mutex_lock(M(m))); }
int mtx_trylock(mtx_t *m) { return result(pthread_mutex_trylock(M(m))); }
int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict ts)
{
    return result(pthread_mutex_timedlock(M(m), ts));
}
int mtx_unlock(mtx_t *m) { return result(pthread_mutex_unlock(M(m))); }
void mtx_destroy(mtx_t *m) { pthread_mutex_destroy(M(m)); }

int cnd_init(cnd_t *c) { return result(pthread_cond_init(C(c), NULL)); }
int cnd_signal(cnd_t *c) { return result(pthread_cond_signal(C(c))); }
int cnd_broadcast(cnd_t *c) { return result(pthread_cond_broadcast(C(c))); }
int cnd_wait(cnd_t *c, mtx_t *m) { return result(pthread_cond_wait(C(c), M(m))); }
int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict ts)
{
    return result(pthread_cond_timedwait(C(c), M(m), ts));
}
void cnd_destroy(cnd_t *c) { pthread_cond_destroy(C(c)); }
