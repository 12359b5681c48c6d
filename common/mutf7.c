/*
 * mutf7.c -- IMAP modified UTF-7 (RFC 3501 5.1.3), see mutf7.h.
 *
 * Encoder from UTF-8 and strict decoder back; both append to a struct buf.
 */
#include "mutf7.h"
#include "buf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Decodes one UTF-8 sequence; the code point, or -1 when invalid. */
static long
utf8_next(const unsigned char *s, size_t len, size_t *used)
{
	unsigned char c = s[0];
	size_t n, i;
	long cp, min;

	if (c < 0x80) {
		*used = 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, cp = c & 0x07, min = 0x10000;
	} else
		return -1;
	if (len < n)
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*used = n;
	return cp;
}

static void
utf8_put(struct buf *out, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, u, 4);
	}
}

/* The last, zero-padded sextet of a shifted run. */
static char
b64_last(uint32_t bits, unsigned nbits)
{
	return b64chars[bits << (6 - nbits) & 0x3f];
}

/*
 * Printable US-ASCII stands for itself ('&' is "&-"); every run of other
 * characters becomes "&" + modified base64 of its UTF-16 + "-".
 */
int
mutf7_from_utf8(struct buf *out, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	uint32_t bits = 0;
	unsigned nbits = 0;
	bool shifted = false;
	size_t i = 0, used;
	long cp;

	while (i < len) {
		if ((cp = utf8_next(s + i, len - i, &used)) < 0) {
			errno = EINVAL;
			return -1;
		}
		i += used;
		if (cp >= 0x20 && cp <= 0x7e) {
			if (shifted) {
				if (nbits > 0)
					buf_putc(out, b64_last(bits, nbits));
				buf_putc(out, '-');
				shifted = false;
				bits = nbits = 0;
			}
			if (cp == '&')
				buf_puts(out, "&-");
			else
				buf_putc(out, (char)cp);
			continue;
		}
		if (!shifted) {
			buf_putc(out, '&');
			shifted = true;
		}
		unsigned units[2], nu = 0;

		if (cp >= 0x10000) {
			unsigned long v = (unsigned long)cp - 0x10000;

			units[nu++] = (unsigned)(0xd800 + (v >> 10));
			units[nu++] = (unsigned)(0xdc00 + (v & 0x3ff));
		} else
			units[nu++] = (unsigned)cp;
		for (unsigned k = 0; k < nu; k++) {
			bits = bits << 16 | units[k];
			nbits += 16;
			while (nbits >= 6) {
				nbits -= 6;
				buf_putc(out, b64chars[bits >> nbits & 0x3f]);
			}
			bits &= (1u << nbits) - 1;
		}
	}
	if (shifted) {
		if (nbits > 0)
			buf_putc(out, b64_last(bits, nbits));
		buf_putc(out, '-');
	}
	return 0;
}

static int
b64val(unsigned char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64chars, c)) == NULL)
		return -1;
	return (int)(p - b64chars);
}

/* Decodes one shifted run s[0..n) (between '&' and '-'). */
static int
mutf7_run(struct buf *out, const unsigned char *s, size_t n)
{
	uint32_t bits = 0;
	unsigned nbits = 0, hi = 0, u;
	size_t i;
	int v;

	for (i = 0; i < n; i++) {
		if ((v = b64val(s[i])) < 0)
			return -1;
		bits = bits << 6 | (unsigned)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		u = bits >> nbits & 0xffff;
		bits &= (1u << nbits) - 1;
		if (hi) {
			if (u < 0xdc00 || u > 0xdfff)
				return -1;
			utf8_put(out, 0x10000 +
				      ((unsigned long)(hi - 0xd800) << 10) +
				      (u - 0xdc00));
			hi = 0;
		} else if (u >= 0xd800 && u <= 0xdbff) {
			hi = u;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			return -1;
		} else if (u >= 0x20 && u <= 0x7e) {
			return -1;	/* must have been written directly */
		} else
			utf8_put(out, u);
	}
	/* Leftover: fewer than 6 bits, all zero; no half surrogate pair. */
	if (hi || nbits >= 6 || bits != 0)
		return -1;
	return 0;
}

int
mutf7_to_utf8(struct buf *out, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, j;
	bool after_run = false;

	while (i < len) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			goto bad;
		if (s[i] != '&') {
			buf_putc(out, (char)s[i++]);
			after_run = false;
			continue;
		}
		if (i + 1 < len && s[i + 1] == '-') {
			buf_putc(out, '&');
			i += 2;
			after_run = false;
			continue;
		}
		if (after_run)
			goto bad;	/* "&..-&..-": must be one run */
		for (j = i + 1; j < len && s[j] != '-'; j++)
			;
		if (j == len || mutf7_run(out, s + i + 1, j - i - 1) < 0)
			goto bad;
		i = j + 1;
		after_run = true;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
