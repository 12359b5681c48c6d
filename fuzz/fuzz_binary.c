/*
 * fuzz_binary.c -- libFuzzer target: the binary loader and the interpreter
 * on arbitrary bytes. A binary is a file in the user's home: loading must
 * refuse anything damaged, and whatever passes the checks must run without
 * crashing (bounds-checked decoding, bounded steps).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] =
	"From: Alice <alice@example.net>\r\n"
	"To: bob@example.org, \"Carol\" <carol@example.org>\r\n"
	"Subject: =?UTF-8?Q?caf=C3=A9?= [SPAM]\r\n"
	"List-Id: <dev.lists.example.org>\r\n"
	"\r\n"
	"body\r\n";

static struct sieve_instance *inst;

static void
quiet(void *ctx, enum sieve_severity sev, struct sieve_pos pos,
      const char *text, const char *line)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sieve_binary *bin;
	struct sieve_envelope env = { "alice@example.net", "bob@example.org",
				      "bob@example.org", NULL };
	struct sieve_exec_env ee;
	struct sieve_diag d;
	struct arena *a;
	struct sieve_result *res;
	const char *why;

	if (inst == NULL) {
		inst = sieve_instance_new(NULL);
		sieve_instance_limits(inst)->max_steps = 100000;
	}
	bin = sieve_binary_from_data(inst, data, size, &why);
	if (bin == NULL)
		return 0;
	a = arena_new(4096);
	sieve_diag_init(&d, "fuzz");
	d.emit = quiet;
	memset(&ee, 0, sizeof(ee));
	ee.msg = sieve_message_parse(a, message, sizeof(message) - 1);
	ee.envelope = &env;
	ee.diag = &d;
	ee.arena = a;
	res = sieve_result_new(a, sieve_instance_limits(inst));
	sieve_execute(bin, &ee, res);
	sieve_binary_free(bin);
	arena_free(a);
	return 0;
}
