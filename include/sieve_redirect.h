/*
 * sieve_redirect.h -- the envelope rules of a redirect, shared by the
 * hosts that send one (deliver, the testsuite) so that they agree:
 *
 *   - which MAIL FROM the copy carries (sieve_redirect_envelope_from:
 *     sender, recipient, orig_recipient, user_email, postmaster or an
 *     explicit "<address>"); a message with a null sender is always
 *     redirected with a null sender (RFC 5228 4.2), whatever the setting;
 *   - when a redirect would loop: the message already carries an
 *     X-Sieve-Redirected-From field naming this recipient or user.
 */
#ifndef SIEVE_REDIRECT_H
#define SIEVE_REDIRECT_H

#include <stdbool.h>

#include "sieve.h"

struct arena;

/* The address of an envelope path: "<a@b>" -> "a@b", "<>" and "" -> "",
 * NULL -> NULL; anything else unchanged but for surrounding blanks. */
const char *sieve_path_address(struct arena *a, const char *path);

/* True when path is the null reverse-path ("", "<>") or absent. */
bool sieve_path_is_null(const char *path);

/*
 * The MAIL FROM of a redirect. setting is the value of
 * sieve_redirect_envelope_from (NULL, "" or "default": the sender);
 * user_email is sieve_user_email (NULL: the final recipient stands in);
 * postmaster is postmaster_address (NULL: the sender stands in). An
 * address the envelope lacks falls back to the sender. Returns the bare
 * address, "" for the null sender. *invalid is set when the setting is
 * not understood (the sender is used then).
 */
const char *sieve_redirect_sender(struct arena *a, const char *setting,
				  const struct sieve_envelope *env,
				  const char *user_email,
				  const char *postmaster, bool *invalid);

/* True when an X-Sieve-Redirected-From field of msg names recipient or
 * user_email (either may be NULL): this user redirected the message
 * before, and doing it again would loop. */
bool sieve_redirect_loop(struct sieve_message *msg, const char *recipient,
			 const char *user_email);

#endif
