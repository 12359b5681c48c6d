/*
 * tamisconf.c -- check and print a tamis (Dovecot-syntax) configuration,
 * in the manner of doveconf.
 *
 * tamisconf [-c FILE] [-n|-a] [-h] [key...]
 *   -n  settings that differ from their defaults, then every section
 *   -a  every known setting with its value, then every section
 *   key print `key = value` (with -h: the value only); "sec/key" looks
 *       inside the first section of that name
 * Exit 0 when the file is valid, 78 (EX_CONFIG) with errors on stderr.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define EX_USAGE_ 64
#define EX_CONFIG_ 78

static void
usage(void)
{
	fprintf(stderr, "usage: tamisconf [-c file] [-n|-a] [-h] [key...]\n");
	exit(EX_USAGE_);
}

/* $TAMIS_CONFIG, else tamis's own file if present, else Dovecot's. */
static const char *
default_path(void)
{
	const char *env = getenv("TAMIS_CONFIG");

	if (env != NULL && *env != '\0')
		return env;
	if (access("/etc/tamis/tamis.conf", F_OK) == 0)
		return "/etc/tamis/tamis.conf";
	return "/etc/dovecot/dovecot.conf";
}

/*
 * Prints a value so that reading the output back gives the same value:
 * double-quoted when it holds '#', '$', a quote, a newline, outer blanks, a
 * leading '<' or a trailing '}' that a one-line section would take.
 */
static void
print_value(const char *v)
{
	size_t n = strlen(v);
	const char *s;

	if (n > 0 && strpbrk(v, "#$\"'\n") == NULL && v[0] != ' ' &&
	    v[0] != '\t' && v[0] != '<' && v[n - 1] != ' ' &&
	    v[n - 1] != '\t' && v[n - 1] != '}') {
		fputs(v, stdout);
		return;
	}
	if (n == 0)
		return;
	putchar('"');
	for (s = v; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void
print_entry(const struct cfg_entry *e, unsigned indent)
{
	printf("%*s%s = ", (int)indent, "", e->key);
	if (e->src != NULL)
		printf("<%s", e->src);
	else
		print_value(e->value);
	putchar('\n');
}

/* Sections in Dovecot's layout: `name arg {`, two spaces per level. */
static void
print_section(const struct cfg_section *s, unsigned indent)
{
	const struct cfg_entry *e;
	const struct cfg_section *c;

	printf("%*s%s", (int)indent, "", s->name);
	if (s->arg != NULL && strpbrk(s->arg, " \t#{}\"'") != NULL)
		printf(" \"%s\"", s->arg);
	else if (s->arg != NULL)
		printf(" %s", s->arg);
	printf(" {\n");
	for (e = s->entries; e != NULL; e = e->next)
		print_entry(e, indent + 2);
	for (c = s->children; c != NULL; c = c->next)
		print_section(c, indent + 2);
	printf("%*s}\n", (int)indent, "");
}

static void
print_all(const struct cfg *cfg, bool all)
{
	const struct cfg_section *root = cfg_root(cfg), *s;
	const struct cfg_entry *e;
	const struct cfg_def *defs;
	size_t n, i;

	if (all) {
		defs = cfg_defs(&n);
		for (i = 0; i < n; i++) {
			const char *v = cfg_get(cfg, defs[i].name);

			if (v == NULL)
				v = defs[i].def != NULL ? defs[i].def : "";
			printf("%s = %s\n", defs[i].name, v);
		}
	} else {
		for (e = root->entries; e != NULL; e = e->next) {
			const char *d = cfg_default(e->key);

			if (d == NULL)
				d = "";
			if (strcmp(d, e->value) != 0 || e->src != NULL ||
			    !cfg_is_known(e->key))
				print_entry(e, 0);
		}
	}
	for (s = root->children; s != NULL; s = s->next)
		print_section(s, 0);
}

/* Files behind `key = <file` that this user may not read: a warning. */
static void
warn_unreadable(const struct cfg_section *s)
{
	const struct cfg_entry *e;
	const struct cfg_section *c;

	for (e = s->entries; e != NULL; e = e->next)
		if (e->read_errno != 0)
			fprintf(stderr, "tamisconf: %s:%u: warning: %s: %s: "
				"%s\n", e->file, e->line, e->key, e->src,
				strerror(e->read_errno));
	for (c = s->children; c != NULL; c = c->next)
		warn_unreadable(c);
}

/* Value of "key" or "sec/sub/key"; NULL when unknown and unset. */
static const char *
lookup(const struct cfg *cfg, const char *path, bool *found)
{
	const struct cfg_section *s = cfg_root(cfg);
	char *copy = strdup(path), *key = copy, *slash;
	const char *v = NULL;

	*found = false;
	if (copy == NULL)
		return NULL;
	while ((slash = strchr(key, '/')) != NULL) {
		*slash = '\0';
		s = cfg_section_first(s, key);
		key = slash + 1;
		if (s == NULL)
			break;
	}
	if (s != NULL && (v = cfg_section_get(s, key)) != NULL)
		*found = true;
	else if (s == cfg_root(cfg) && cfg_is_known(key)) {
		*found = true;
		v = cfg_default(key);
		if (v == NULL)
			v = "";
	}
	free(copy);
	return v;
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	bool all = false, values_only = false, found;
	char err[1024];
	struct cfg *cfg;
	size_t i;
	int c, rc = 0;

	while ((c = getopt(argc, argv, "c:nah")) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			all = false;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			values_only = true;
			break;
		default:
			usage();
		}
	}
	if (path == NULL)
		path = default_path();
	cfg = cfg_load(path, err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "tamisconf: %s\n", err);
		return EX_CONFIG_;
	}
	for (i = 0; i < cfg_warning_count(cfg); i++)
		fprintf(stderr, "tamisconf: %s\n", cfg_warning(cfg, i));
	warn_unreadable(cfg_root(cfg));
	if (optind == argc) {
		print_all(cfg, all);
	} else {
		for (; optind < argc; optind++) {
			const char *v = lookup(cfg, argv[optind], &found);

			if (!found) {
				fprintf(stderr, "tamisconf: unknown setting "
					"'%s'\n", argv[optind]);
				rc = EX_CONFIG_;
				continue;
			}
			if (values_only)
				printf("%s\n", v);
			else
				printf("%s = %s\n", argv[optind], v);
		}
	}
	cfg_free(cfg);
	return rc;
}
