/* pcre.c -- PCRE2 opened on first use (see pcre.h). */
#include "pcre.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#ifndef TAMIS_PCRE2_SONAME
#define TAMIS_PCRE2_SONAME "libpcre2-8.so.0"
#endif

struct sieve_pcre2_api sieve_pcre2;

static struct {
	bool tried, ok;
	char err[256];
} st;

bool
sieve_pcre2_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define S(f, n) { n, offsetof(struct sieve_pcre2_api, f) }
		S(compile, "pcre2_compile_8"),
		S(code_free, "pcre2_code_free_8"),
		S(get_error_message, "pcre2_get_error_message_8"),
		S(match_context_create, "pcre2_match_context_create_8"),
		S(match_context_free, "pcre2_match_context_free_8"),
		S(match_data_create, "pcre2_match_data_create_8"),
		S(match_data_free, "pcre2_match_data_free_8"),
		S(set_match_limit, "pcre2_set_match_limit_8"),
		S(set_depth_limit, "pcre2_set_depth_limit_8"),
		S(set_heap_limit, "pcre2_set_heap_limit_8"),
		S(match, "pcre2_match_8"),
		S(get_ovector_pointer, "pcre2_get_ovector_pointer_8"),
		S(get_ovector_count, "pcre2_get_ovector_count_8"),
#undef S
	};
	void *h;
	size_t i;

	if (st.tried)
		return st.ok;
	st.tried = true;
	h = dlopen(TAMIS_PCRE2_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(st.err, sizeof(st.err), "%s", dlerror());
		return false;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *s = dlsym(h, syms[i].name);

		if (s == NULL) {
			snprintf(st.err, sizeof(st.err), "%s: no %s",
				 TAMIS_PCRE2_SONAME, syms[i].name);
			return false;
		}
		/* POSIX: dlsym's result converts to a function pointer */
		*(void **)((char *)&sieve_pcre2 + syms[i].off) = s;
	}
	st.ok = true;
	return true;
}

const char *
sieve_pcre2_error(void)
{
	return st.err[0] ? st.err : "no error";
}
