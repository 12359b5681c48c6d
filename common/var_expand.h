/*
 * var_expand.h -- Dovecot's %-variables in settings (mail_location, home,
 * passwd-file paths, sieve paths).
 *
 * Short and long forms: %u %{user} (full user name), %n %{username}
 * (local part), %d %{domain}, %h %{home}, %% a percent sign. Modifiers
 * between % and the letter: L lowercase, U uppercase, a number N keeps the
 * first N characters (%1n: first letter, as in /var/mail/%d/%1n/%n).
 * Unknown variables expand to nothing and are reported.
 */
#ifndef TAMIS_VAR_EXPAND_H
#define TAMIS_VAR_EXPAND_H

#include <stddef.h>

struct buf;

struct var_expand_table {
	char key;		/* short form, 0 if none */
	const char *name;	/* long form */
	const char *value;	/* NULL: empty */
};

/* Appends the expansion of src to out. Returns 0, or -1 when src named an
 * unknown variable (its name in *unknown; the rest is still expanded). */
int var_expand(struct buf *out, const char *src,
	       const struct var_expand_table *tab, size_t n,
	       const char **unknown);

/* The standard table for a user (user "jdoe@example.com", home). */
void var_expand_user_table(struct var_expand_table tab[5], const char *user,
			   const char *home, char *local, size_t locallen);

#endif
