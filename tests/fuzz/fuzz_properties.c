/* fuzz_properties.c - libFuzzer target: the Java-properties parser (Kafka's commonConfig
 * etc.) on arbitrary text. Each pair must have a non-empty key, key and value must be
 * NUL-terminated strings (the input has no NUL, so none inside), line numbers are >= 1,
 * never decrease, never pass the text's line count, and strictly increase from pair to
 * pair (one pair per logical line). An error is a "line N: ..." sentence; a non-zero
 * callback result stops the parse and is returned as is. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/driver_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    int last_line;
    int max_line;
    int pairs;
    int stop_at; /* stop (return 42) at this pair, 0: never */
};

static int on_pair(void *p, const char *key, const char *value, int line)
{
    struct ctx *c = p;
    if (!key || !value) abort();
    if (key[0] == '\0') abort();
    (void)strlen(value);
    if (line < 1 || line > c->max_line) abort();
    if (line <= c->last_line) abort();
    c->last_line = line;
    if (++c->pairs == c->stop_at) return 42;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    /* First byte picks when the callback stops the parse; the rest is the text. */
    int stop_at = data[0] % 8;
    data++;
    size--;
    char *text = malloc(size + 1);
    if (!text) abort();
    size_t n = 0;
    for (size_t i = 0; i < size; i++)
        if (data[i]) text[n++] = (char)data[i]; /* the API takes a C string */
    text[n] = '\0';
    int lines = 1;
    for (size_t i = 0; i < n; i++)
        if (text[i] == '\n' || (text[i] == '\r' && text[i + 1] != '\n')) lines++;

    struct ctx c = {.max_line = lines, .stop_at = stop_at};
    char err[128];
    memset(err, 'x', sizeof err);
    int rc = omb_properties_parse(text, on_pair, &c, err, sizeof err);
    if (rc == 42) {
        if (stop_at == 0 || c.pairs != stop_at) abort();
    } else if (rc == -1) {
        if (!memchr(err, '\0', sizeof err)) abort();
        if (strncmp(err, "line ", 5) != 0) abort();
        int eline = atoi(err + 5);
        if (eline < 1 || eline > lines || eline < c.last_line) abort();
    } else if (rc != 0) {
        abort();
    } else if (stop_at && c.pairs >= stop_at) {
        abort(); /* the callback asked to stop */
    }
    free(text);
    return 0;
}
