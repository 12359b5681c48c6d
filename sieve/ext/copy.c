/*
 * copy.c -- RFC 3894 "copy": the :copy tag of fileinto and redirect.
 * Implementation: full. The tag is read by the fileinto and redirect ops
 * (SIEVE_OPT_COPY), which then add their action without cancelling the
 * implicit keep (RFC 3894 3); sieve-test prints it as "fileinto :copy".
 */
#include "compile.h"

static const struct sieve_tag_def tag_copy = {
	.name = "copy", .code = SIEVE_OPT_COPY,
};

const struct sieve_ext_def sieve_ext_copy = {
	.name = "copy",
	.attach = (const struct sieve_tag_attach[]){
		{ "fileinto", &tag_copy },
		{ "redirect", &tag_copy },
		{ NULL, NULL },
	},
};
