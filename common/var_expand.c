/* var_expand.c -- %-variables of settings (see var_expand.h). */
#include "var_expand.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const struct var_expand_table *
find_short(const struct var_expand_table *tab, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].key == c)
			return &tab[i];
	return NULL;
}

static const struct var_expand_table *
find_long(const struct var_expand_table *tab, size_t n, const char *name,
	  size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(tab[i].name) == len &&
		    strncmp(tab[i].name, name, len) == 0)
			return &tab[i];
	return NULL;
}

static void
put_value(struct buf *out, const char *v, int caseop, long width)
{
	size_t len, i;

	if (v == NULL)
		return;
	len = strlen(v);
	if (width > 0 && (size_t)width < len)
		len = (size_t)width;
	for (i = 0; i < len; i++) {
		char c = v[i];

		if (caseop == 'L')
			c = (char)tolower((unsigned char)c);
		else if (caseop == 'U')
			c = (char)toupper((unsigned char)c);
		buf_putc(out, c);
	}
}

int
var_expand(struct buf *out, const char *src,
	   const struct var_expand_table *tab, size_t n,
	   const char **unknown)
{
	int ret = 0;

	buf_reserve(out, strlen(src));
	while (*src) {
		const struct var_expand_table *v = NULL;
		int caseop = 0;
		long width = 0;

		if (*src != '%') {
			buf_putc(out, *src++);
			continue;
		}
		src++;
		if (*src == '%') {
			buf_putc(out, '%');
			src++;
			continue;
		}
		for (;;) {
			if (*src == 'L' || *src == 'U') {
				caseop = *src++;
			} else if (isdigit((unsigned char)*src)) {
				char *end;

				width = strtol(src, &end, 10);
				src = end;
			} else {
				break;
			}
		}
		if (*src == '{') {
			const char *end = strchr(src, '}');
			const char *name = src + 1;
			size_t len;

			if (end == NULL) {
				if (unknown)
					*unknown = src;
				return -1;
			}
			len = (size_t)(end - name);
			/* long-form modifiers: %{lcase:user} etc. */
			if (len > 6 && strncmp(name, "lcase:", 6) == 0) {
				caseop = 'L';
				name += 6;
				len -= 6;
			} else if (len > 6 && strncmp(name, "ucase:", 6) == 0) {
				caseop = 'U';
				name += 6;
				len -= 6;
			}
			v = find_long(tab, n, name, len);
			if (v == NULL) {
				if (unknown)
					*unknown = src;
				ret = -1;
			}
			src = end + 1;
		} else if (*src != '\0') {
			v = find_short(tab, n, *src);
			if (v == NULL) {
				if (unknown)
					*unknown = src;
				ret = -1;
			}
			src++;
		}
		if (v)
			put_value(out, v->value, caseop, width);
	}
	return ret;
}

void
var_expand_user_table(struct var_expand_table tab[5], const char *user,
		      const char *home, char *local, size_t locallen)
{
	const char *at = user ? strrchr(user, '@') : NULL;
	size_t l = at ? (size_t)(at - user) : (user ? strlen(user) : 0);

	if (l >= locallen)
		l = locallen - 1;
	if (user)
		memcpy(local, user, l);
	local[l] = '\0';
	tab[0] = (struct var_expand_table){ 'u', "user", user };
	tab[1] = (struct var_expand_table){ 'n', "username", local };
	tab[2] = (struct var_expand_table){ 'd', "domain", at ? at + 1 : NULL };
	tab[3] = (struct var_expand_table){ 'h', "home", home };
	tab[4] = (struct var_expand_table){ 0, "uid", NULL };
}
