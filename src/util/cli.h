/* cli.h - one option-table parser for every `omb` subcommand: the table is the parser and
 * the help text, numbers are finite and in range (NaN and infinity are refused), and a
 * mistyped option gets "did you mean". */
#ifndef OMB_UTIL_CLI_H
#define OMB_UTIL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum omb_cli_kind {
    OMB_CLI_FLAG,   /* bool *dst = true */
    OMB_CLI_NUMBER, /* double *dst, finite, in [min, max] */
    OMB_CLI_STRING, /* const char **dst (points into argv); given twice: the last one */
    OMB_CLI_LIST,   /* struct omb_cli_list *dst: repeats accumulate, commas split (OMB's habit) */
};

/* Strings gathered by a list option, or the positional arguments; malloc'ed. */
struct omb_cli_list {
    char **v;
    size_t n;
};

struct omb_cli_opt {
    const char *names; /* "-d|--drivers": every spelling, '|'-separated */
    enum omb_cli_kind kind;
    void *dst;
    double min, max; /* numbers */
    const char *arg; /* value placeholder in the help ("FILE"), NULL for flags */
    const char *help;
};

/* An option not in the table: return 1 if taken (it is a flag of something else), 0 if
 * unknown. */
typedef int (*omb_cli_other_fn)(void *ctx, const char *arg);

/**
 * Parses @p argv (the arguments after the subcommand) against @p opts (ending with a NULL
 * `names`); other arguments go to @p positional (NULL: the command takes none, and one is
 * an error). Errors are one sentence on stderr,
 * prefixed "@p cmd: ". Returns 0, 1 when -h/--help was given (the caller prints its usage,
 * omb_cli_help for the options), or -1.
 */
int omb_cli_parse(const char *cmd, const struct omb_cli_opt *opts, int argc, char **argv,
                  struct omb_cli_list *positional, omb_cli_other_fn other, void *ctx);

/** Prints one line per option of @p opts. */
void omb_cli_help(FILE *f, const struct omb_cli_opt *opts);

/** Appends @p s (split at commas when @p split) to @p l. Returns 0 or -1 (no memory). */
int omb_cli_list_add(struct omb_cli_list *l, const char *s, bool split);
void omb_cli_list_free(struct omb_cli_list *l);

/** The word of @p words (NULL-terminated) nearest to @p s within two edits, or NULL. */
const char *omb_cli_nearest(const char *s, const char *const *words);

#endif
