/*
 * mutf7.h -- IMAP modified UTF-7 (RFC 3501 5.1.3), the encoding of mailbox
 * names in IMAP and on disk in Maildir++ (common/maildir.c).
 *
 * Printable US-ASCII stands for itself, '&' is written "&-", and every run
 * of other characters is "&", the modified base64 (',' for '/') of its
 * UTF-16, then "-".
 */
#ifndef TAMIS_MUTF7_H
#define TAMIS_MUTF7_H

#include <stddef.h>

struct buf;

/*
 * Both append to out and return 0, or -1 with errno EINVAL: invalid UTF-8
 * (overlong, surrogate, beyond U+10FFFF, truncated), or malformed mUTF-7
 * (8-bit or control octet, bad base64, unterminated or adjacent shifts,
 * nonzero padding bits, printable ASCII encoded in base64, unpaired
 * surrogates).  On error out holds a prefix of the result.
 */
int mutf7_from_utf8(struct buf *out, const char *in, size_t len);
int mutf7_to_utf8(struct buf *out, const char *in, size_t len);

#endif
