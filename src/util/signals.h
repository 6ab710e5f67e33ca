/* signals.h - the one way omb's long-running commands install their stop signals. */
#ifndef OMB_UTIL_SIGNALS_H
#define OMB_UTIL_SIGNALS_H

/** Calls @p handler on SIGINT and SIGTERM (sigaction, no SA_RESTART: blocking calls wake
 *  with EINTR). The handler must be async-signal-safe: set a flag, write(2). */
void omb_on_stop_signals(void (*handler)(int));

#endif
