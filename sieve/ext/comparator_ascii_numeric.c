/*
 * comparator_ascii_numeric.c -- RFC 4790 9.1 "i;ascii-numeric" as the Sieve
 * extension "comparator-i;ascii-numeric" (RFC 5228 2.7.3). Equality and
 * ordering only: :contains and :matches are refused at compile time.
 */
#include "compile.h"

#include "compare.h"

static const struct sieve_object_def obj_cmp_numeric = {
	.name = "i;ascii-numeric", .cls = SIEVE_OBJ_COMPARATOR,
	.comparator = &sieve_cmp_ascii_numeric,
};

const struct sieve_ext_def sieve_ext_comparator_ascii_numeric = {
	.name = "comparator-i;ascii-numeric",
	.objects = (const struct sieve_object_def *const[]){ &obj_cmp_numeric,
							     NULL },
};
