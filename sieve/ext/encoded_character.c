/*
 * encoded_character.c -- RFC 5228 2.4.2.4 "encoded-character".
 * Implementation: full. Requiring it makes the validator decode ${hex:..}
 * and ${unicode:..} in every string (sieve_encoded_char_decode); nothing
 * happens at run time.
 */
#include "compile.h"

const struct sieve_ext_def sieve_ext_encoded_character = {
	.name = "encoded-character",
};
