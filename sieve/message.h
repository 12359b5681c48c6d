/*
 * message.h -- read-only view of a mail message for the Sieve tests.
 *
 * The message is parsed once: header fields are split, unfolded and indexed
 * by lower-cased name so that a script of 10,000 header tests looks each
 * name up in O(1). Values are decoded (RFC 2047 encoded words to UTF-8) on
 * first request and cached. Broken messages still parse: no empty line
 * between header and body, bare CR or LF line ends, 8-bit header bytes,
 * lines that are not header fields (the header ends there).
 */
#ifndef SIEVE_MESSAGE_H
#define SIEVE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

struct sieve_header {
	const char *name;	/* as written, NUL-terminated */
	const char *value;	/* unfolded (CRLF/LF removed before WSP),
				   leading and trailing WSP removed, raw */
	size_t value_len;
};

struct sieve_message;

/* data must stay valid as long as the message is used; it is not copied. */
struct sieve_message *sieve_message_parse(struct arena *a, const char *data,
					  size_t len);

/* Values of every field called name (case-insensitive), in message order.
 * Returns the count; *values points at an array the message owns. */
size_t sieve_message_header(struct sieve_message *m, const char *name,
			    const char *const **values);
/* Same, with RFC 2047 encoded words decoded to UTF-8. */
size_t sieve_message_header_decoded(struct sieve_message *m, const char *name,
				    const char *const **values);
/*
 * Either of the two above (decoded or not), also giving each value's length
 * in *lens (lens may be NULL): raw values may hold NUL bytes, which the
 * C-string view of the other two functions cuts short. Both arrays are
 * owned by the message and have one entry per value (values is also
 * NULL-terminated). Added for callers that must see every byte.
 */
size_t sieve_message_header_values(struct sieve_message *m, const char *name,
				   bool decoded, const char *const **values,
				   const size_t **lens);
/* All fields in message order. */
size_t sieve_message_fields(const struct sieve_message *m,
			    const struct sieve_header **fields);

size_t sieve_message_size(const struct sieve_message *m);
const char *sieve_message_data(const struct sieve_message *m, size_t *len);
/* Body: everything after the empty line ending the header. */
const char *sieve_message_body(const struct sieve_message *m, size_t *len);
/* Added: false when the message is all header, not followed by an empty
 * line (RFC 5173 section 5: such a message has no body at all, which is
 * not the same as an empty body). */
bool sieve_message_has_body(const struct sieve_message *m);

/*
 * RFC 2047: decodes the encoded words of a header value into UTF-8 (B and Q
 * encodings, any charset iconv knows, RFC 2231 language suffix ignored);
 * white space between two adjacent encoded words is dropped. Malformed or
 * unknown-charset words are left as written. Returns a NUL-terminated
 * string in a (s itself if it has no encoded word: that one is a C string
 * only if the caller's s is NUL-terminated at s[len], as message values
 * are). Decoded U+0000 and bytes invalid in their charset become U+FFFD.
 */
const char *sieve_rfc2047_decode(struct arena *a, const char *s, size_t len,
				 size_t *outlen);
/*
 * Added: the length of the encoded word (=?cs?B|Q?text?=, no white space
 * inside) starting at s, or 0 if s does not start with one. Lets the
 * address parser keep an encoded display name with specials in its Q text
 * ("=?utf-8?Q?Doe,_John?=") as one word.
 */
size_t sieve_rfc2047_word_len(const char *s, size_t len);
/*
 * Added: closes the iconv descriptors the decoder caches (per thread).
 * Optional; for leak checkers and long-lived threads that are done.
 */
void sieve_rfc2047_cache_free(void);

struct buf;
/*
 * Added for MIME bodies: converts text in charset cs to UTF-8 appended to
 * out, with the rules above (aliases, U+FFFD for bytes that do not
 * convert and for U+0000). Returns 0, appending nothing, when the charset
 * is unknown.
 */
int sieve_charset_to_utf8(struct buf *out, const char *cs, const char *s,
			  size_t n);
/* Appends s as UTF-8, each invalid byte and U+0000 as U+FFFD. */
void sieve_utf8_sanitize(struct buf *out, const char *s, size_t n);

#endif
