/*
 * scripts.c -- the Sieve part of a delivery: which scripts run, in which
 * order (sieve_before, sieve_before2.., the user's, sieve_after..), their
 * compiled binaries cached beside them, and the user's error log.
 *
 * A binary is reused while it is newer than its script and loads (same
 * format version, extensions still enabled, checksum right); otherwise the
 * script is compiled again and the binary rewritten atomically. When the
 * directory is not writable the binary stays in memory. A script that does
 * not compile is skipped: its errors go to the log (the user's script: to
 * sieve_user_log, by default the script's path + ".log", kept under
 * LOG_MAX bytes) and the message is kept, so nothing is lost.
 *
 * Multiscript semantics (RFC 5228 does not define them; Pigeonhole's are
 * followed, see sieve_result_seal): the scripts share one result; the
 * sequence goes on only while the keep is in effect after a script (no
 * fileinto, redirect or discard cancelled it, or the script kept the
 * message explicitly); "stop" ends its own script, not the sequence;
 * actions of an earlier script count as done, so a later reject does not
 * conflict with them; the implicit keep is decided after the last
 * script.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "lda.h"
#include "log.h"
#include "sieve_settings.h"
#include "var_expand.h"

#define LOG_MAX (64 * 1024)
#define MAX_DIR_SCRIPTS 64

char *
lda_expand_path(struct lda *l, const char *value)
{
	struct var_expand_table tab[5];
	struct buf b = BUF_INIT;
	char local[256];
	char *out;

	var_expand_user_table(tab, l->u.user ? l->u.user : l->user, l->home,
			      local, sizeof(local));
	if (value[0] == '~' && (value[1] == '/' || value[1] == '\0')) {
		if (l->home == NULL)
			return NULL;
		buf_puts(&b, l->home);
		value++;
	}
	(void)var_expand(&b, value, tab, 5, NULL);
	out = arena_strdup(l->arena, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* "file:PATH;active=ACTIVE;..." or "PATH": the script to run. */
static const char *
user_script_path(struct lda *l, const char *location)
{
	const char *p = location, *semi;
	char *path, *active = NULL;
	struct stat st;

	if (strncmp(p, "file:", 5) == 0)
		p += 5;
	semi = strchr(p, ';');
	path = arena_strndup(l->arena, p, semi ? (size_t)(semi - p) :
						  strlen(p));
	while (semi) {
		const char *opt = semi + 1;

		semi = strchr(opt, ';');
		if (strncmp(opt, "active=", 7) == 0)
			active = arena_strndup(l->arena, opt + 7,
				semi ? (size_t)(semi - opt - 7) :
				       strlen(opt + 7));
	}
	if (active)
		return lda_expand_path(l, active);
	path = lda_expand_path(l, path);
	if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		/* a script directory without active=: the usual link */
		return lda_expand_path(l, "~/.dovecot.sieve");
	return path;
}

static char *
binary_path(struct lda *l, const char *script)
{
	size_t n = strlen(script);

	if (n > 6 && strcmp(script + n - 6, ".sieve") == 0)
		return arena_printf(l->arena, "%.*s.svbin", (int)(n - 6),
				    script);
	return arena_printf(l->arena, "%s.svbin", script);
}

/* ---- the user's error log ---------------------------------------------- */

struct script_log {
	struct lda *l;
	const char *path;		/* NULL: only syslog */
	struct buf text;
};

static void
diag_to_log(void *ctx, enum sieve_severity sev, struct sieve_pos pos,
	    const char *text, const char *line)
{
	struct script_log *sl = ctx;

	(void)pos;
	(void)text;
	buf_printf(&sl->text, "%s\n", line);
	if (sev == SIEVE_ERROR)
		log_info("%s", line);
}

static void
script_log_flush(struct script_log *sl)
{
	struct stat st;
	char stamp[64];
	time_t now = time(NULL);
	int fd;

	if (sl->path == NULL || sl->text.len == 0)
		return;
	/* keep the log bounded: the old one becomes .log.0 */
	if (stat(sl->path, &st) == 0 && st.st_size > LOG_MAX) {
		char *old = arena_printf(sl->l->arena, "%s.0", sl->path);

		(void)rename(sl->path, old);
	}
	fd = open(sl->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("cannot write Sieve log %s: %m", sl->path);
		return;
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S %z",
		 localtime(&now));
	dprintf(fd, "%s: %s", stamp, sl->text.data);
	close(fd);
}

/* ---- loading one script ------------------------------------------------- */

static bool
ts_after(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

/*
 * The binary of path: from the cache when fresh, else compiled (and
 * cached when possible). NULL when the script is absent (*failed false) or
 * does not compile (*failed true, errors logged).
 */
static struct sieve_binary *
load_script(struct lda *l, struct sieve_instance *inst, const char *path,
	    const char *logpath, bool *failed)
{
	struct stat sst, bst, lst;
	const char *bpath = binary_path(l, path), *why = NULL;
	struct sieve_binary *bin;
	struct script_log sl = { l, logpath, BUF_INIT };
	struct sieve_diag d;
	struct timespec smtime;

	*failed = false;
	if (stat(path, &sst) < 0) {
		if (errno != ENOENT)
			log_warn("sieve script %s: %m", path);
		return NULL;
	}
	if (S_ISDIR(sst.st_mode))
		return NULL;
	smtime = sst.st_mtim;
	/* an active-script link switched to another script is a change too */
	if (lstat(path, &lst) == 0 && ts_after(lst.st_mtim, smtime))
		smtime = lst.st_mtim;
	/* strictly newer, to the nanosecond: a script rewritten in the same
	 * second as its binary is compiled again */
	if (stat(bpath, &bst) == 0 && ts_after(bst.st_mtim, smtime)) {
		bin = sieve_binary_open(inst, bpath, &why);
		if (bin != NULL) {
			log_debug("using cached binary %s", bpath);
			return bin;
		}
		log_debug("binary %s not used (%s): recompiling", bpath, why);
	}
	sieve_diag_init(&d, path);
	d.emit = diag_to_log;
	d.ctx = &sl;
	bin = sieve_compile_file(inst, path, path, &d);
	if (bin == NULL) {
		*failed = true;
		log_err("sieve script %s failed to compile (%u errors)%s%s",
			path, d.errors, logpath ? "; see " : "",
			logpath ? logpath : "");
		script_log_flush(&sl);
		buf_free(&sl.text);
		return NULL;
	}
	if (d.warnings)
		script_log_flush(&sl);
	buf_free(&sl.text);
	if (sieve_binary_save(bin, bpath) < 0)
		log_debug("cannot cache binary %s: %m (compiled in memory)",
			  bpath);
	return bin;
}

/* ---- the sequence -------------------------------------------------------- */

struct script_list {
	const char **paths;
	bool *user;			/* the user's own script */
	size_t n, cap;
};

static void
list_add(struct lda *l, struct script_list *sl, const char *path, bool user)
{
	if (sl->n == sl->cap) {
		size_t cap = sl->cap ? sl->cap * 2 : 8;
		const char **p = arena_alloc(l->arena, cap * sizeof(*p));
		bool *u = arena_alloc(l->arena, cap * sizeof(*u));

		if (sl->n) {
			memcpy(p, sl->paths, sl->n * sizeof(*p));
			memcpy(u, sl->user, sl->n * sizeof(*u));
		}
		sl->paths = p;
		sl->user = u;
		sl->cap = cap;
	}
	sl->paths[sl->n] = path;
	sl->user[sl->n] = user;
	sl->n++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A global setting's value: a file, or a directory of *.sieve files run
 * in name order. */
static void
add_global(struct lda *l, struct script_list *sl, const char *setting)
{
	const char *v = cfg_get_proto(l->cfg, "lda", setting);
	char *path;
	struct stat st;
	DIR *dir;
	struct dirent *de;
	const char *names[MAX_DIR_SCRIPTS];
	size_t n = 0, i;

	if (v == NULL || *v == '\0')
		return;
	if (strncmp(v, "file:", 5) == 0)
		v += 5;
	path = lda_expand_path(l, v);
	if (path == NULL) {
		log_warn("%s: ~ used but the user has no home", setting);
		return;
	}
	path[strcspn(path, ";")] = '\0';
	if (stat(path, &st) < 0) {
		log_warn("%s: %s: %m", setting, path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		list_add(l, sl, path, false);
		return;
	}
	if ((dir = opendir(path)) == NULL) {
		log_warn("%s: %s: %m", setting, path);
		return;
	}
	while ((de = readdir(dir)) != NULL && n < MAX_DIR_SCRIPTS) {
		size_t len = strlen(de->d_name);

		if (len > 6 && strcmp(de->d_name + len - 6, ".sieve") == 0 &&
		    de->d_name[0] != '.')
			names[n++] = arena_printf(l->arena, "%s/%s", path,
						  de->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++)
		list_add(l, sl, names[i], false);
}

static void
add_globals(struct lda *l, struct script_list *sl, const char *base)
{
	char key[32];
	int i;

	add_global(l, sl, base);
	for (i = 2; i <= 9; i++) {
		snprintf(key, sizeof(key), "%s%d", base, i);
		add_global(l, sl, key);
	}
}

/*
 * Where "include" (RFC 6609) looks, as Pigeonhole's LDA: :personal in the
 * user's script storage, the directory part of the sieve setting
 * ("file:~/sieve;active=~/.dovecot.sieve" -> ~/sieve) or sieve_dir when
 * sieve names a single file; :global in sieve_global (or the older
 * sieve_global_dir). Every script of the delivery sees the same ones.
 */
static void
set_include_locations(struct lda *l, struct sieve_instance *inst)
{
	const char *loc = cfg_get_proto(l->cfg, "lda", "sieve");
	const char *dir = cfg_get_proto(l->cfg, "lda", "sieve_dir");
	const char *g = cfg_get_proto(l->cfg, "lda", "sieve_global");
	char *personal = NULL;
	struct stat st;

	if (loc == NULL)
		loc = userdb_field(&l->u, "sieve");
	if (loc == NULL)
		loc = "~/.dovecot.sieve";
	if (*loc != '\0') {
		const char *p = strncmp(loc, "file:", 5) == 0 ? loc + 5 : loc;

		personal = lda_expand_path(l, arena_strndup(l->arena, p,
							    strcspn(p, ";")));
	}
	if (dir != NULL && *dir != '\0' &&
	    (personal == NULL || stat(personal, &st) < 0 ||
	     !S_ISDIR(st.st_mode)))
		personal = lda_expand_path(l, dir);
	sieve_instance_set_include(inst, false, personal);
	if (g == NULL || *g == '\0')
		g = cfg_get_proto(l->cfg, "lda", "sieve_global_dir");
	if (g != NULL && *g != '\0')
		sieve_instance_set_include(inst, true, lda_expand_path(l, g));
}

/* Global scripts (sieve_before, sieve_after) may use the extensions of
 * sieve_global_extensions on top of the user's set. */
static struct sieve_instance *
global_instance(struct lda *l)
{
	const char *g = cfg_get_proto(l->cfg, "lda", "sieve_global_extensions");
	char err[256];

	if (g == NULL || *g == '\0')
		return l->inst;
	if (l->ginst == NULL) {
		/* names are added to the user's set: "a -b" -> "+a -b" */
		struct buf spec = BUF_INIT;
		const char *p = g;

		while (*p) {
			size_t n;

			while (*p == ' ' || *p == '\t')
				p++;
			n = strcspn(p, " \t");
			if (n == 0)
				break;
			if (spec.len)
				buf_putc(&spec, ' ');
			if (*p != '+' && *p != '-')
				buf_putc(&spec, '+');
			buf_append(&spec, p, n);
			p += n;
		}
		g = arena_strdup(l->arena, spec.data ? spec.data : "");
		buf_free(&spec);
		l->ginst = sieve_instance_new(sieve_instance_limits(l->inst));
		if (sieve_settings_apply(l->ginst, l->cfg, "lda", err,
					 sizeof(err)) < 0 ||
		    sieve_instance_set_extensions(l->ginst, g, err,
						  sizeof(err)) < 0) {
			log_warn("sieve_global_extensions: %s", err);
			sieve_instance_free(l->ginst);
			l->ginst = NULL;
			return l->inst;
		}
		set_include_locations(l, l->ginst);
	}
	return l->ginst;
}

int
lda_run_scripts(struct lda *l)
{
	struct script_list sl = { 0 };
	const char *loc, *user_path = NULL, *logpath = NULL;
	size_t i;

	set_include_locations(l, l->inst);
	add_globals(l, &sl, "sieve_before");
	loc = cfg_get_proto(l->cfg, "lda", "sieve");
	if (loc == NULL)
		loc = userdb_field(&l->u, "sieve");
	if (loc == NULL)
		loc = "~/.dovecot.sieve";
	if (*loc != '\0') {
		user_path = user_script_path(l, loc);
		if (user_path == NULL)
			log_info("no home directory: personal Sieve script "
				 "%s not used", loc);
	}
	if (user_path != NULL && access(user_path, F_OK) < 0) {
		const char *def = cfg_get_proto(l->cfg, "lda",
						"sieve_default");

		char *dp = def && *def ? lda_expand_path(l, def) : NULL;

		if (dp)
			dp[strcspn(dp, ";")] = '\0';
		user_path = dp;
	} else if (user_path != NULL) {
		const char *ul = cfg_get_proto(l->cfg, "lda",
					       "sieve_user_log");

		logpath = ul && *ul ? lda_expand_path(l, ul) :
				      arena_printf(l->arena, "%s.log",
						   user_path);
	}
	if (user_path)
		list_add(l, &sl, user_path, true);
	add_globals(l, &sl, "sieve_after");

	l->result = sieve_result_new(l->arena, sieve_instance_limits(l->inst));
	for (i = 0; i < sl.n; i++) {
		struct sieve_binary *bin;
		struct sieve_exec_env env;
		struct sieve_env_info info;
		struct sieve_diag rd;
		struct script_log rlog = { l, sl.user[i] ? logpath : NULL,
					   BUF_INIT };
		bool failed;
		int r;

		bin = load_script(l, sl.user[i] ? l->inst : global_instance(l),
				  sl.paths[i], sl.user[i] ? logpath : NULL,
				  &failed);
		if (bin == NULL) {
			if (failed)
				l->force_keep = true;
			continue;
		}
		memset(&env, 0, sizeof(env));
		env.msg = l->msg;
		env.envelope = &l->env;
		env.host = lda_host(l);
		info.location = "MDA";
		info.phase = "during";
		info.username = l->user;
		info.default_mailbox = l->mailbox;
		env.info = &info;
		sieve_diag_init(&rd, sl.paths[i]);
		rd.emit = diag_to_log;
		rd.ctx = &rlog;
		env.diag = &rd;
		env.arena = l->arena;
		r = sieve_execute(bin, &env, l->result);
		sieve_binary_free(bin);
		script_log_flush(&rlog);
		buf_free(&rlog.text);
		if (r == SIEVE_EXEC_TEMPFAIL) {
			log_err("sieve script %s: temporary failure",
				sl.paths[i]);
			return -1;
		}
		if (r == SIEVE_EXEC_CORRUPT) {
			/* drop the bad cache; the next delivery recompiles */
			(void)unlink(binary_path(l, sl.paths[i]));
		}
		if (r != SIEVE_EXEC_OK) {
			/* as Pigeonhole: what earlier scripts decided stands,
			 * this script's actions go, the message is kept */
			log_err("sieve script %s: %s: message kept",
				sl.paths[i], sieve_exec_status_str(r));
			sieve_result_drop_round(l->result);
			l->force_keep = true;
			return 0;
		}
		/* the next script runs only while the keep is in effect;
		 * "stop" ended this script only */
		if (!sieve_result_seal(l->result))
			break;
	}
	return 0;
}
