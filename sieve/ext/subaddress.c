/*
 * subaddress.c -- RFC 5233 "subaddress": the address parts :user and
 * :detail for address, envelope and the other tests taking an address
 * part. Implementation: full. The separator is Dovecot's
 * recipient_delimiter setting (sieve_host.setting), "+" by default; as in
 * Dovecot each of its characters is a separator and the local part splits
 * at the first one found ("+-" splits "a-b+c" into "a" and "b+c"). An
 * empty recipient_delimiter means no address has a detail. Like
 * :localpart, both parts match nothing for an address that is not ASCII
 * or has no local part (a group name, the null path).
 */
#include "compile.h"

#include <string.h>

#include "address.h"
#include "arena.h"

static bool
ascii_only(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* Length of the user part of a->local_part; sets *has_detail. */
static size_t
split(struct sieve_interp *ip, const struct sieve_address *a,
      bool *has_detail)
{
	const char *delim = sieve_interp_setting(ip, "recipient_delimiter");
	size_t n;

	if (delim == NULL)
		delim = "+";
	n = *delim ? strcspn(a->local_part, delim) : strlen(a->local_part);
	*has_detail = a->local_part[n] != '\0';
	return n;
}

static bool
usable(const struct sieve_address *a)
{
	return a->local_part && ascii_only(a->local_part) &&
	       ascii_only(a->domain);
}

/* RFC 5233 4: without a detail, :user is the whole local part. */
static const char *
ap_user(struct sieve_interp *ip, const struct sieve_address *a)
{
	bool detail;
	size_t n;

	if (!usable(a))
		return NULL;
	n = split(ip, a, &detail);
	return detail ? arena_strndup(ip->arena, a->local_part, n) :
			a->local_part;
}

/* RFC 5233 4: without a detail, :detail matches no key; an empty detail
 * ("user+@") is "". */
static const char *
ap_detail(struct sieve_interp *ip, const struct sieve_address *a)
{
	bool detail;
	size_t n;

	if (!usable(a))
		return NULL;
	n = split(ip, a, &detail);
	return detail ? a->local_part + n + 1 : NULL;
}

static const struct sieve_object_def obj_ap_user = {
	.name = "user", .cls = SIEVE_OBJ_ADDRESS_PART, .extract = ap_user,
};

static const struct sieve_object_def obj_ap_detail = {
	.name = "detail", .cls = SIEVE_OBJ_ADDRESS_PART,
	.extract = ap_detail,
};

const struct sieve_ext_def sieve_ext_subaddress = {
	.name = "subaddress",
	.objects = (const struct sieve_object_def *const[]){ &obj_ap_user,
							    &obj_ap_detail,
							    NULL },
};
