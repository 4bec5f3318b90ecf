#ifndef LS_BUF_H
#define LS_BUF_H 1

#include <stdarg.h>
#include <stddef.h>

/* A growable text/byte buffer. */
struct ls_buf {
    char *data;
    size_t len;
    size_t cap;
};

#define LS_BUF_INIT \
    {               \
        NULL, 0, 0  \
    }

int ls_buf_append(struct ls_buf *, const void *, size_t);
int ls_buf_printf(struct ls_buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ls_buf_vprintf(struct ls_buf *, const char *fmt, va_list);
void ls_buf_consume(struct ls_buf *, size_t);
void ls_buf_clear(struct ls_buf *);
void ls_buf_free(struct ls_buf *);

#endif
