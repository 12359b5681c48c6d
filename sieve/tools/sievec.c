/*
 * sievec -- compile Sieve scripts to tamis binaries, or dump them.
 *
 *   sievec [-d] [-c CONFIG] [-x "+ext -ext"] SCRIPT [OUT]
 *
 * SCRIPT may be a directory: every *.sieve in it is compiled beside itself.
 * OUT defaults to SCRIPT with ".sieve" replaced by ".svbin". -d writes a
 * readable dump of the code instead (to OUT, or stdout). Errors are printed
 * as script:line:col: error: text; the exit status is 1 when any script
 * failed to compile.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "sieve.h"
#include "tamis.h"
#include "tool_common.h"

static void
usage(void)
{
	fprintf(stderr, "usage: sievec [-d] [-c CONFIG] [-x \"+ext -ext\"] "
		"SCRIPT [OUT]\n");
	exit(TAMIS_EX_USAGE);
}

static char *
default_out(const char *script)
{
	size_t n = strlen(script);
	char *out = xmalloc(n + 7);

	memcpy(out, script, n + 1);
	if (n > 6 && strcmp(script + n - 6, ".sieve") == 0)
		out[n - 6] = '\0';
	strcat(out, ".svbin");
	return out;
}

static int
compile_one(struct sieve_instance *inst, const char *script, const char *out,
	    bool dump)
{
	struct sieve_diag d;
	struct sieve_binary *bin;
	char *path = NULL;
	int ret = 0;

	sieve_diag_init(&d, script);
	bin = sieve_compile_file(inst, script, script, &d);
	if (bin == NULL) {
		fprintf(stderr, "%s: %u error%s\n", script, d.errors,
			d.errors == 1 ? "" : "s");
		return 1;
	}
	if (dump) {
		FILE *f = stdout;

		if (out && strcmp(out, "-") != 0) {
			f = fopen(out, "w");
			if (f == NULL) {
				fprintf(stderr, "sievec: %s: %s\n", out,
					strerror(errno));
				sieve_binary_free(bin);
				return 1;
			}
		}
		sieve_binary_dump(bin, f);
		if (f != stdout)
			fclose(f);
	} else {
		if (out == NULL)
			out = path = default_out(script);
		if (sieve_binary_save(bin, out) < 0) {
			fprintf(stderr, "sievec: cannot write %s: %s\n", out,
				strerror(errno));
			ret = 1;
		}
	}
	free(path);
	sieve_binary_free(bin);
	return ret;
}

static int
compile_dir(struct sieve_instance *inst, const char *dir, bool dump)
{
	struct dirent **names;
	int n, i, ret = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "sievec: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		if (len > 6 &&
		    strcmp(names[i]->d_name + len - 6, ".sieve") == 0) {
			char *p = xmalloc(strlen(dir) + len + 2);

			sprintf(p, "%s/%s", dir, names[i]->d_name);
			ret |= compile_one(inst, p, NULL, dump);
			free(p);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int
main(int argc, char **argv)
{
	struct tool_opts to;
	struct sieve_instance *inst;
	bool dump = false;
	struct stat st;
	int c, ret;

	tool_opts_init(&to);
	while ((c = getopt(argc, argv, "dc:x:o:h")) != -1) {
		switch (c) {
		case 'd':
			dump = true;
			break;
		case 'c':
		case 'x':
		case 'o':
			tool_opts_add(&to, c, optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage();
	inst = tool_instance(&to);
	if (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (argc - optind > 1)
			usage();
		ret = compile_dir(inst, argv[optind], dump);
	} else {
		ret = compile_one(inst, argv[optind],
				  argc - optind > 1 ? argv[optind + 1] : NULL,
				  dump);
	}
	sieve_instance_free(inst);
	tool_opts_free(&to);
	return ret;
}
