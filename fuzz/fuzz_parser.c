/*
 * fuzz_parser.c -- libFuzzer target: the whole compile path (lexer,
 * parser, validator, code generation) on arbitrary bytes, with every
 * extension enabled. Must never crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sieve_instance *inst;

static void
quiet(void *ctx, enum sieve_severity sev, struct sieve_pos pos,
      const char *text, const char *line)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sieve_diag d;
	struct sieve_binary *bin;

	if (inst == NULL)
		inst = sieve_instance_new(NULL);
	sieve_diag_init(&d, "fuzz");
	d.emit = quiet;
	d.max_errors = 0;
	bin = sieve_compile(inst, (const char *)data, size, "fuzz", &d);
	sieve_binary_free(bin);
	return 0;
}
