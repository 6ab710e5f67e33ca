/* redact.c - see redact.h. */
#include "util/redact.h"

#include <stdlib.h>
#include <string.h>

char *omb_hide_url_passwords(const char *s, const char *mark)
{
    size_t ml = strlen(mark), cap = 1, len = 0;
    /* Each password (at least one byte) becomes the mark: room for one per byte. */
    cap += strlen(s) * (ml + 1);
    char *out = malloc(cap);
    if (!out) return NULL;
    for (const char *p = s; *p;) {
        const char *scheme = strstr(p, "://");
        if (!scheme) {
            size_t n = strlen(p);
            memcpy(out + len, p, n);
            len += n;
            break;
        }
        /* The authority: up to the path, query, fragment or the next URL of a list. */
        const char *auth = scheme + 3, *end = auth + strcspn(auth, "/?#, \t\n");
        const char *at = memchr(auth, '@', (size_t)(end - auth));
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        const char *upto = colon && colon + 1 < at ? colon + 1 : end;
        memcpy(out + len, p, (size_t)(upto - p));
        len += (size_t)(upto - p);
        if (upto == end) {
            p = end;
        } else {
            memcpy(out + len, mark, ml);
            len += ml;
            p = at;
        }
    }
    out[len] = '\0';
    return out;
}
