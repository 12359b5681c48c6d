/*
 * duplicate.c -- RFC 7352 "duplicate" test, and its older name
 * "vnd.dovecot.duplicate" (Pigeonhole's draft version: :value instead of
 * :uniqueid, disabled by default, never together with "duplicate").
 *
 *   duplicate [:handle string] [:header string / :uniqueid string]
 *             [:seconds number] [:last]
 *
 * Implementation: full on the engine side. The unique id (Message-ID, the
 * first :header field decoded and trimmed, or :uniqueid) is hashed with
 * the handle into a SHA-256 tracking id; the host answers whether it has
 * that id (sieve_host.duplicate_check) and, once the message is delivered,
 * stores the marks the run left in the result (sieve_result_duplicate_
 * marks). Every test of one id in one run answers what the first answered:
 * the mark remembers it.
 */
#include "compile.h"

#include <string.h>


#include "digest.h"
#include "message.h"

#define OPT_HANDLE (SIEVE_OPT_CMD + 0)
#define OPT_HEADER (SIEVE_OPT_CMD + 1)
#define OPT_UNIQUEID (SIEVE_OPT_CMD + 2)	/* :value for the vnd. name */
#define OPT_SECONDS (SIEVE_OPT_CMD + 3)
#define OPT_LAST (SIEVE_OPT_CMD + 4)

#define DUP_ID_LEN 32

extern const struct sieve_ext_def sieve_ext_duplicate;
extern const struct sieve_ext_def sieve_ext_vnd_duplicate;

/*
 * The tracking id: SHA-256 over a fixed prefix, then either 'D' (no
 * :handle) or 'H' + the handle's length (8 bytes, big-endian) + the
 * handle, then the unique id. The length prefix keeps every (handle,
 * value) pair apart, and "no handle" apart from the empty handle.
 */
static bool
duplicate_id(const struct sieve_str *handle, const char *val, size_t len,
	     unsigned char id[DUP_ID_LEN])
{
	static const char prefix[] = "tamis duplicate v1";
	struct digest_sha256 ctx;

	if (digest_sha256_init(&ctx) < 0)
		return false;
	digest_sha256_update(&ctx, prefix, sizeof(prefix));
	if (handle != NULL) {
		unsigned char hl[9];
		uint64_t n = handle->len;
		int i;

		hl[0] = 'H';
		for (i = 8; i >= 1; i--, n >>= 8)
			hl[i] = (unsigned char)(n & 0xff);
		digest_sha256_update(&ctx, hl, sizeof(hl));
		digest_sha256_update(&ctx, handle->p, handle->len);
	} else {
		digest_sha256_update(&ctx, "D", 1);
	}
	digest_sha256_update(&ctx, val, len);
	digest_sha256_final(&ctx, id);
	return true;
}

static const struct sieve_duplicate_mark *
find_mark(struct sieve_interp *ip, const unsigned char *id)
{
	const struct sieve_duplicate_mark *const *marks;
	size_t n = sieve_result_duplicate_marks(ip->result, &marks), i;

	for (i = 0; i < n; i++)
		if (marks[i]->len == DUP_ID_LEN &&
		    memcmp(marks[i]->id, id, DUP_ID_LEN) == 0)
			return marks[i];
	return NULL;
}

static int
op_duplicate(struct sieve_interp *ip)
{
	const struct sieve_limits *lim = &ip->bin->inst->limits;
	const struct sieve_host *host = ip->env->host;
	struct sieve_opts o;
	struct sieve_str handle, name, value;
	struct sieve_duplicate_mark *m;
	unsigned char id[DUP_ID_LEN];
	uint64_t period = lim->duplicate_default_period;
	bool has_handle, last, dup;
	int r;

	if ((r = sieve_read_opts(ip, &o)) < 0)
		return r;
	has_handle = o.present & (1ull << OPT_HANDLE);
	last = o.present & (1ull << OPT_LAST);
	if (has_handle &&
	    (r = sieve_operand_string(ip, &o.opt[OPT_HANDLE], &handle)) < 0)
		return r;
	if (o.present & (1ull << OPT_SECONDS))
		period = o.opt[OPT_SECONDS].number;
	if (lim->duplicate_max_period > 0 &&
	    period > lim->duplicate_max_period)
		period = lim->duplicate_max_period;	/* silently: 3.3 */
	ip->reg = false;

	if (o.present & (1ull << OPT_UNIQUEID)) {
		if ((r = sieve_operand_string(ip, &o.opt[OPT_UNIQUEID],
					      &value)) < 0)
			return r;
	} else {
		const char *const *vals;

		name.p = "message-id";
		name.len = strlen(name.p);
		if ((o.present & (1ull << OPT_HEADER)) &&
		    (r = sieve_operand_string(ip, &o.opt[OPT_HEADER],
					      &name)) < 0)
			return r;
		/* 3.1: an invalid or absent field makes the test false
		 * and leaves the tracking list alone */
		if (!sieve_valid_field_name(name.p, name.len)) {
			sieve_trace(ip, "duplicate test: invalid header name "
				    "\"%.*s\": false", (int)name.len, name.p);
			return 0;
		}
		if (ip->env->msg == NULL ||
		    sieve_message_header_decoded(ip->env->msg, name.p,
						 &vals) == 0) {
			sieve_trace(ip, "duplicate test: no %.*s header: "
				    "false", (int)name.len, name.p);
			return 0;
		}
		value.p = vals[0];
		value.len = strlen(vals[0]);
	}
	if (period == 0) {
		sieve_trace(ip, "duplicate test: :seconds 0: false");
		return 0;
	}
	if (!duplicate_id(has_handle ? &handle : NULL, value.p, value.len,
			  id)) {
		sieve_runtime_error(ip, "duplicate test: cannot compute the "
				    "tracking id (SHA-256)");
		return SIEVE_EXEC_FAILURE;
	}

	if (find_mark(ip, id) != NULL) {
		/* tested before in this run: same answer (RFC 7352 3) */
		m = sieve_result_add_duplicate_mark(ip, id, DUP_ID_LEN);
		dup = m->duplicate;
	} else {
		r = host && host->duplicate_check ?
			host->duplicate_check(host->ctx, id, DUP_ID_LEN) : 0;
		if (r < 0) {
			sieve_runtime_error(ip, "duplicate test: failed to "
					    "check the duplicate-tracking "
					    "list");
			return SIEVE_EXEC_TEMPFAIL;
		}
		dup = r > 0;
		m = sieve_result_add_duplicate_mark(ip, id, DUP_ID_LEN);
		m->duplicate = dup;
	}
	/* 3.3 leaves differing :seconds/:last for one id undefined: the
	 * last test evaluated wins */
	m->period = period;
	m->last = last;
	ip->reg = dup;
	sieve_trace(ip, "duplicate test%s%.*s%s: message is %sa duplicate",
		    has_handle ? " :handle " : "",
		    has_handle ? (int)handle.len : 0, has_handle ? handle.p : "",
		    last ? " :last" : "", dup ? "" : "not ");
	return 0;
}

/* The other name of the extension must not be required as well. */
static bool
duplicate_on_require(struct sieve_validator *v,
		     const struct sieve_ext_def *ext)
{
	const struct sieve_ext_def *other = ext == &sieve_ext_duplicate ?
		&sieve_ext_vnd_duplicate : &sieve_ext_duplicate;

	if (sieve_v_ext_required(v, other->name)) {
		sieve_v_error(v, v->require_pos, "the (deprecated) "
			      "vnd.dovecot.duplicate extension cannot be used "
			      "together with the duplicate extension");
		return false;
	}
	return true;
}

static const struct sieve_op_def duplicate_ops[] = {
	{ "DUPLICATE", "o", op_duplicate },
};

#define DUP_TAGS(idname)						\
	{ .name = "handle", .param = 's', .code = OPT_HANDLE },		\
	{ .name = "header", .param = 's', .code = OPT_HEADER,		\
	  .group = 1 },							\
	{ .name = idname, .param = 's', .code = OPT_UNIQUEID,		\
	  .group = 1 },							\
	{ .name = "seconds", .param = 'n', .code = OPT_SECONDS },	\
	{ .name = "last", .code = OPT_LAST },				\
	{ .name = NULL }

static const struct sieve_tag_def duplicate_tags[] = { DUP_TAGS("uniqueid") };
static const struct sieve_tag_def vnd_duplicate_tags[] = { DUP_TAGS("value") };

static const struct sieve_cmd_def tst_duplicate = {
	.name = "duplicate", .kind = SIEVE_TEST, .args = "",
	.tags = duplicate_tags, .op = 0,
};

static const struct sieve_cmd_def tst_vnd_duplicate = {
	.name = "duplicate", .kind = SIEVE_TEST, .args = "",
	.tags = vnd_duplicate_tags, .op = 0,
};

const struct sieve_ext_def sieve_ext_duplicate = {
	.name = "duplicate",
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_duplicate, NULL },
	SIEVE_OPS(duplicate_ops),
	.on_require = duplicate_on_require,
};

/* Deprecated: only with sieve_extensions = +vnd.dovecot.duplicate. */
const struct sieve_ext_def sieve_ext_vnd_duplicate = {
	.name = "vnd.dovecot.duplicate",
	.flags = SIEVE_EXTF_OFF,
	.cmds = (const struct sieve_cmd_def *const[]){ &tst_vnd_duplicate,
						      NULL },
	SIEVE_OPS(duplicate_ops),
	.on_require = duplicate_on_require,
};
