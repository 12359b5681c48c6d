/*
 * header_index.c -- RFC 5260 section 6 "index" (the file is not index.c:
 * the C name sieve_ext_index is the registry's lookup): the tags :index
 * <fieldno> and :last on the header and address tests (sieve/core.c) and
 * on date (sieve/ext/date.c), which limit the test to one header field
 * counted from the first (or, with :last, the last) field of all the
 * names in the list, in list order. Implementation: full. Errors: :last
 * without :index, an index of 0. An index beyond the fields matches
 * nothing.
 */
#include "compile.h"

static bool
index_validate(struct sieve_validator *v, struct sieve_ast_arg *tag,
	       struct sieve_ast_arg *param)
{
	if (param && param->u.number == 0) {
		sieve_v_error(v, param->pos, "the :index of a header field "
			      "counts from 1; 0 is not a field number");
		return false;
	}
	return true;
}

static const struct sieve_tag_def tag_index = {
	.name = "index", .param = 'n', .code = SIEVE_OPT_INDEX,
	.validate = index_validate,
};

static const struct sieve_tag_def tag_last = {
	.name = "last", .code = SIEVE_OPT_LAST, .needs = "index",
};

bool
sieve_index_field(const struct sieve_opts *o, size_t total, size_t *pos)
{
	uint64_t idx;

	if (!(o->present & (1ull << SIEVE_OPT_INDEX)))
		return false;
	idx = o->opt[SIEVE_OPT_INDEX].number;
	if (idx == 0 || idx > total)
		*pos = total;
	else if (o->present & (1ull << SIEVE_OPT_LAST))
		*pos = total - (size_t)idx;
	else
		*pos = (size_t)idx - 1;
	return true;
}

const struct sieve_ext_def sieve_ext_header_index = {
	.name = "index",
	.attach = (const struct sieve_tag_attach[]){
		{ "header", &tag_index }, { "header", &tag_last },
		{ "address", &tag_index }, { "address", &tag_last },
		{ "date", &tag_index }, { "date", &tag_last },
		{ NULL, NULL },
	},
};
