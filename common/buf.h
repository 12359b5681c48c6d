/*
 * buf.h -- growable byte buffer and string builder.
 *
 * The data is always NUL-terminated (one byte past len), so a buffer holding
 * text can be passed where a C string is expected.
 */
#ifndef TAMIS_BUF_H
#define TAMIS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);		/* len = 0, keeps the memory */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Takes the data out of the buffer (caller frees); the buffer is empty. */
char *buf_steal(struct buf *b, size_t *len);
/* Reads a whole file; 0 on success, -1 with errno set. max_size 0 = no cap
 * (errno EFBIG when over the cap). */
int buf_read_file(struct buf *b, const char *path, size_t max_size);
/* Reads a whole fd to EOF; same conventions as buf_read_file. */
int buf_read_fd(struct buf *b, int fd, size_t max_size);

#endif
