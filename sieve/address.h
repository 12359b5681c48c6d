/*
 * address.h -- RFC 5322 address lists and RFC 5321 envelope paths, as the
 * Sieve `address` and `envelope` tests see them (RFC 5228 2.7.4).
 */
#ifndef SIEVE_ADDRESS_H
#define SIEVE_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

struct sieve_address {
	/* The local part in its semantic form: quotes removed, quoted-pairs
	 * unescaped. NULL when the entry is not a valid address. */
	const char *local_part;
	/* The domain, without brackets removed for domain literals; NULL
	 * when there is none (envelope "<user>" style) or invalid. */
	const char *domain;
	/* ":all": local@domain as an address spec (local part re-quoted
	 * if it needs quoting); for an invalid entry, the entry's raw text
	 * with surrounding white space removed. */
	const char *all;
};

/*
 * Parses an address-list header value (From, To, Cc, Sender, Reply-To,
 * Resent-*, ...): mailboxes with display names, angle addresses, groups
 * ("undisclosed-recipients:;" yields nothing; group members are returned),
 * comments and folding white space anywhere, quoted local parts, obsolete
 * routes (@a,@b:user@c). An entry that does not parse yields one invalid
 * address (local_part == NULL) and parsing resumes at the next ','.
 * Returns the number of addresses; *out is allocated in a.
 */
size_t sieve_address_list_parse(struct arena *a, const char *s, size_t len,
				struct sieve_address **out);

/*
 * Parses an envelope path: "user@domain", "<user@domain>", "<>" or "" (null
 * sender: local_part = "" and domain = NULL, all = ""). Returns false when
 * the path is not valid (out->all is still set to the trimmed text).
 */
bool sieve_address_parse_path(struct arena *a, const char *s, size_t len,
			      struct sieve_address *out);

#endif
