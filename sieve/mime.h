/*
 * mime.h -- the MIME structure of a message (RFC 2045, 2046) for the Sieve
 * extensions that look inside it: "body" (RFC 5173) now, "mime",
 * "foreverypart" and "extracttext" (RFC 5703) later.
 *
 * sieve_mime_parse() splits a message into a tree of parts once; nothing
 * is decoded until asked for. Each part knows its header fields (a
 * struct sieve_message over the part, so the usual header lookups and
 * RFC 2047 decoding work on it), its Content-Type with parameters, its
 * transfer encoding and where its raw content lies. A multipart part has
 * its body parts as children and keeps its prologue and epilogue; a
 * message/rfc822 part has the enclosed message as its one child.
 *
 * Untrusted input: the tree is bounded in depth and in number of parts
 * (deeper or further parts are left unsplit, and the root's `truncated`
 * says so), and decoding is bounded in output size.
 */
#ifndef SIEVE_MIME_H
#define SIEVE_MIME_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct sieve_message;

struct sieve_mime_param {
	const char *name;	/* lower-cased */
	const char *value;	/* unquoted; RFC 2231 continuations joined
				   and %XX decoded */
};

struct sieve_mime_part {
	struct sieve_mime_part *parent, *children, *next;
	unsigned depth;			/* root: 0 */
	/*
	 * Lower-cased type and subtype. No Content-Type: text/plain (in a
	 * multipart/digest: message/rfc822). A Content-Type that does not
	 * parse gives "" and "", which only the empty :content string
	 * matches. An unknown transfer encoding makes the part
	 * application/octet-stream (RFC 2045 6.4).
	 */
	const char *type, *subtype;
	const struct sieve_mime_param *params;
	size_t nparams;
	const char *cte;		/* lower-cased; "7bit" when absent */
	struct sieve_message *header;	/* the part's own fields */
	const char *header_raw;		/* header text, without the empty */
	size_t header_len;		/* line that ends it */
	bool has_body;			/* the header was followed by an
					   empty line */
	const char *body;		/* raw content, still encoded */
	size_t body_len;
	/* multipart only; the CRLF before a delimiter belongs to it */
	bool has_prologue, has_epilogue;
	const char *prologue, *epilogue;
	size_t prologue_len, epilogue_len;
	bool truncated;			/* root: a limit stopped the split */
};

struct sieve_mime_limits {
	unsigned max_depth;		/* nesting levels below the root */
	size_t max_parts;		/* parts in the whole tree */
	size_t max_decoded;		/* octets of one decoded content */
};

#define SIEVE_MIME_MAX_DEPTH 32
#define SIEVE_MIME_MAX_PARTS 4096
#define SIEVE_MIME_MAX_DECODED (8u << 20)

/* Splits data (a whole message: header, empty line, body). lim NULL:
 * the defaults above. Never fails: broken structure is read leniently. */
struct sieve_mime_part *sieve_mime_parse(struct arena *a, const char *data,
					 size_t len,
					 const struct sieve_mime_limits *lim);

/* Next part in depth-first order (the root first), NULL at the end. */
struct sieve_mime_part *sieve_mime_next(struct sieve_mime_part *p);

/* A Content-Type parameter (name case-insensitive), or NULL. */
const char *sieve_mime_param(const struct sieve_mime_part *p,
			     const char *name);

/* RFC 5173 5.2: does the part's type match one :content string? "" all,
 * "type" any subtype, "type/subtype" exactly; a string beginning or
 * ending with '/' or with two slashes matches nothing. */
bool sieve_mime_type_match(const struct sieve_mime_part *p, const char *want,
			   size_t wlen);

/*
 * The content of a leaf part decoded from its transfer encoding (base64,
 * quoted-printable; anything else as is) and, when to_utf8 is set and the
 * part is text/ *, converted from its charset (default us-ascii) to UTF-8
 * (an unknown charset: invalid UTF-8 bytes become U+FFFD). At most max
 * octets are produced (0: no limit); *truncated says whether more would
 * have come. The result is NUL-terminated and lives in a.
 */
const char *sieve_mime_decode(struct arena *a,
			      const struct sieve_mime_part *p, bool to_utf8,
			      size_t max, size_t *outlen, bool *truncated);

/* The building blocks, exposed for the tests and other decoders: they
 * append to out, never more than max octets (0: no limit), and return
 * whether the limit cut the output. Invalid input is skipped
 * (base64) or kept as written (quoted-printable), never refused. */
struct buf;
bool sieve_mime_base64_decode(struct buf *out, const char *s, size_t n,
			      size_t max);
bool sieve_mime_qp_decode(struct buf *out, const char *s, size_t n,
			  size_t max);

/*
 * HTML (UTF-8) to plain text with libxml2's HTML parser: text nodes in
 * document order, script and style (and comments) left out, block
 * elements and <br> ending a line, other white space runs folded to one
 * space. Character references are resolved by the parser. At most max
 * octets of input are read (0: no limit). Returns a NUL-terminated
 * string in a.
 */
const char *sieve_html_to_text(struct arena *a, const char *html, size_t len,
			       size_t max, size_t *outlen);

#endif
