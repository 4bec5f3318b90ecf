#include "mgmt/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
buf_reserve(struct ls_buf *b, size_t more)
{
    size_t need = b->len + more + 1;
    char *p;

    if (need <= b->cap) {
        return 0;
    }
    if (need < b->cap * 2) {
        need = b->cap * 2;
    }
    if (need < 256) {
        need = 256;
    }
    p = realloc(b->data, need);
    if (!p) {
        return ENOMEM;
    }
    b->data = p;
    b->cap = need;
    return 0;
}

/* Appends 'n' bytes.  Returns 0 or ENOMEM.  The buffer stays
 * NUL-terminated. */
int
ls_buf_append(struct ls_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n)) {
        return ENOMEM;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

/* Appends formatted text.  Returns 0 or ENOMEM. */
int
ls_buf_vprintf(struct ls_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || buf_reserve(b, (size_t) n)) {
        return ENOMEM;
    }
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    b->len += (size_t) n;
    return 0;
}

/* Appends formatted text.  Returns 0 or ENOMEM. */
int
ls_buf_printf(struct ls_buf *b, const char *fmt, ...)
{
    va_list ap;
    int error;

    va_start(ap, fmt);
    error = ls_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return error;
}

/* Removes the first 'n' bytes. */
void
ls_buf_consume(struct ls_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data) {
        b->data[b->len] = '\0';
    }
}

/* Empties the buffer, keeping its memory. */
void
ls_buf_clear(struct ls_buf *b)
{
    ls_buf_consume(b, b->len);
}

/* Frees the buffer's memory. */
void
ls_buf_free(struct ls_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
