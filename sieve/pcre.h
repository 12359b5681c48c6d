/*
 * pcre.h -- PCRE2 (8-bit) for the engine, opened with dlopen() on first
 * use: a delivery whose scripts use no regular expression does not load
 * the library. Include this instead of <pcre2.h>: the pcre2_* calls used
 * here go through a table filled by sieve_pcre2_load(), which every path
 * calls before its first pcre2_* call (false: the library is missing, the
 * reason in sieve_pcre2_error()).
 */
#ifndef SIEVE_PCRE_H
#define SIEVE_PCRE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>

struct sieve_pcre2_api {
	pcre2_code *(*compile)(PCRE2_SPTR, PCRE2_SIZE, uint32_t, int *,
			       PCRE2_SIZE *, pcre2_compile_context *);
	void (*code_free)(pcre2_code *);
	int (*get_error_message)(int, PCRE2_UCHAR *, PCRE2_SIZE);
	pcre2_match_context *(*match_context_create)(pcre2_general_context *);
	void (*match_context_free)(pcre2_match_context *);
	pcre2_match_data *(*match_data_create)(uint32_t,
					       pcre2_general_context *);
	void (*match_data_free)(pcre2_match_data *);
	int (*set_match_limit)(pcre2_match_context *, uint32_t);
	int (*set_depth_limit)(pcre2_match_context *, uint32_t);
	int (*set_heap_limit)(pcre2_match_context *, uint32_t);
	int (*match)(const pcre2_code *, PCRE2_SPTR, PCRE2_SIZE, PCRE2_SIZE,
		     uint32_t, pcre2_match_data *, pcre2_match_context *);
	PCRE2_SIZE *(*get_ovector_pointer)(pcre2_match_data *);
	uint32_t (*get_ovector_count)(pcre2_match_data *);
};

extern struct sieve_pcre2_api sieve_pcre2;
bool sieve_pcre2_load(void);
const char *sieve_pcre2_error(void);

#undef pcre2_compile
#undef pcre2_code_free
#undef pcre2_get_error_message
#undef pcre2_match_context_create
#undef pcre2_match_context_free
#undef pcre2_match_data_create
#undef pcre2_match_data_free
#undef pcre2_set_match_limit
#undef pcre2_set_depth_limit
#undef pcre2_set_heap_limit
#undef pcre2_match
#undef pcre2_get_ovector_pointer
#undef pcre2_get_ovector_count
#define pcre2_compile sieve_pcre2.compile
#define pcre2_code_free sieve_pcre2.code_free
#define pcre2_get_error_message sieve_pcre2.get_error_message
#define pcre2_match_context_create sieve_pcre2.match_context_create
#define pcre2_match_context_free sieve_pcre2.match_context_free
#define pcre2_match_data_create sieve_pcre2.match_data_create
#define pcre2_match_data_free sieve_pcre2.match_data_free
#define pcre2_set_match_limit sieve_pcre2.set_match_limit
#define pcre2_set_depth_limit sieve_pcre2.set_depth_limit
#define pcre2_set_heap_limit sieve_pcre2.set_heap_limit
#define pcre2_match sieve_pcre2.match
#define pcre2_get_ovector_pointer sieve_pcre2.get_ovector_pointer
#define pcre2_get_ovector_count sieve_pcre2.get_ovector_count

#endif
