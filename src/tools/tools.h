/* tools.h - the result and workload tools behind `omb csv`, `omb charts` and
 * `omb generate` (SPEC section 9). */
#ifndef OMB_TOOLS_TOOLS_H
#define OMB_TOOLS_TOOLS_H

#include <stddef.h>

/* Each takes the arguments after the subcommand name (argv[0] is the first of them) and
 * returns the process exit code: 0 done, 2 bad command line or bad input (nothing is
 * written), 1 cannot write the output. Messages go to stderr, one sentence naming the file
 * (and key or line). Output files are written atomically: a temporary file, then rename. */

/** `omb csv [-o FILE] DIR`: one CSV row per result file (*.json) in DIR. */
int omb_tool_csv_main(int argc, char **argv);

/**
 * The CSV of the result files @p paths (@p n of them; each with its sidecar when it has
 * one), one row each in OMB's order, into @p output (written atomically; NULL: stdout).
 * The columns are the ones `omb csv` writes (docs/tools.md). Messages go to stderr
 * prefixed "@p prog: ". Returns 0, 2 (a result file cannot be read: nothing written) or 1
 * (the output cannot be written).
 */
int omb_csv_write(const char *prog, char *const *paths, size_t n, const char *output);

/** OMB's CSV file name in @p dir (NULL: "."): `dir/results-<epoch seconds>.csv`, numbered
 *  `results-<epoch>-1.csv` ... when that file exists already. */
void omb_csv_default_path(const char *dir, char *buf, size_t n);

/** `omb charts [-o report.html] RESULT.json...`: one self-contained HTML report. */
int omb_tool_charts_main(int argc, char **argv);

/** `omb generate -t TEMPLATE.yaml -o DIR`: one workload file per combination. */
int omb_tool_generate_main(int argc, char **argv);

#endif
