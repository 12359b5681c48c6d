/*
 * maildir.h -- Maildir++ storage as Dovecot 2.3 writes it
 * (`mail_location = maildir:~/Maildir`): delivery, folders, subscriptions,
 * keywords.  Used by deliver and the IMAP server.
 *
 * Layout under the root (the INBOX maildir):
 *   tmp/ new/ cur/              INBOX
 *   .Work/ .Work.Projects/      one flat directory per folder; levels joined
 *                               by '.', each level in IMAP modified UTF-7
 *                               (RFC 3501 5.1.3, common/mutf7.h):
 *                               "Département" is ".D&AOk-partement"; each
 *                               holds tmp/ new/ cur/ and an empty
 *                               `maildirfolder` file
 *   subscriptions               Dovecot's version 2 format: "V\t2\n\n", then
 *                               one name a line, levels separated by TAB,
 *                               each level as stored on disk (mUTF-7)
 *   <box>/dovecot-keywords      "<index> <keyword>" lines, index 0..25 is the
 *                               letter 'a'..'z' in file names
 *
 * Mailbox names are given in UTF-8 with the user's hierarchy separator
 * ('.' by default, '/' when the namespace says `separator = /`); "INBOX"
 * in any case is the root.  As in Dovecot, creating "Work.Projects" does
 * not create "Work" (Maildir++ is flat; IMAP lists the parent \Noselect).
 *
 * Message files: `<sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<crlf size>`
 * in new/, or in cur/ with `:2,<flags>` when there are flags: system flag
 * letters D F R S T, then keyword letters a..z, each sorted (P, passed,
 * has no IMAP flag and is never written).
 *
 * Durability: the message is written to tmp/ and fsynced, hard-linked into
 * each target (copied and fsynced when the link crosses file systems) and
 * the target directory is fsynced; a store either places the message in
 * every target or in none.
 *
 * Errors: functions return -1 with errno set and a one-line description
 * in maildir_error().  Locks: Dovecot-style dotlocks (<file>.lock made
 * with O_EXCL, "<pid>:<host>", stale after 120 s or when the pid is dead);
 * dovecot-keywords changes under dovecot-uidlist.lock as in Dovecot.
 * One handle per thread; the only global is the unique-name counter.
 *
 * Not here: quota (maildirsize), dovecot-uidlist, reading messages back
 * (the IMAP side), mailbox deletion and renaming.
 */
#ifndef TAMIS_MAILDIR_H
#define TAMIS_MAILDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct arena;
struct maildir;

struct maildir_opts {
	char sep;		/* user's hierarchy separator: '.' (0) or '/' */
	mode_t dir_mode;	/* directories created: 0 means 0700 */
	mode_t file_mode;	/* files created: 0 means 0600 */
	bool no_fsync;		/* skip fsync (tests, tmpfs); default: fsync */
	const char *hostname;	/* for unique names; NULL: gethostname() */
};

/* Longest mailbox name accepted, in bytes of UTF-8. */
#define MAILDIR_NAME_MAX 1000

/*
 * Makes a handle on the Maildir at root; touches no file.  opts may be
 * NULL (all defaults).  Never fails (allocation failure is fatal).
 */
struct maildir *maildir_open(const char *root, const struct maildir_opts *opts);
void maildir_close(struct maildir *md);
/* The last error: "what: path: strerror" or a name syntax message. */
const char *maildir_error(const struct maildir *md);
const char *maildir_root(const struct maildir *md);

/*
 * Creates the root and its tmp/ new/ cur/ when missing (mkdir -p, with
 * dir_mode).  0, or -1 with errno (ENOTDIR when the root is a file,
 * EACCES, ENOSPC ...).
 */
int maildir_mkroot(struct maildir *md);

/*
 * The directory of a mailbox, relative to the root: "" for INBOX,
 * ".Work.Projects" for "Work/Projects" (sep '/').  Returns a string in
 * arena a, or NULL with errno EINVAL (empty name or level, control
 * character, invalid UTF-8, the storage separator inside a level: '.' when
 * sep is '/', '/' when sep is '.') or ENAMETOOLONG, and a message.
 */
char *maildir_mailbox_dir(struct maildir *md, struct arena *a,
			  const char *name);

/*
 * 1 when the mailbox exists (its directory holds new/ and cur/), 0 when
 * not, -1 on an invalid name (EINVAL, ENAMETOOLONG) or an I/O error.
 */
int maildir_mailbox_exists(struct maildir *md, const char *name);

/*
 * Creates the mailbox (directory, tmp/ new/ cur/, maildirfolder); parts
 * that exist are kept, so it is idempotent and safe when several processes
 * create the same mailbox at once.  INBOX is maildir_mkroot().  With
 * subscribe, also adds the name to the subscriptions file.  0, or -1 with
 * errno.
 */
int maildir_mailbox_create(struct maildir *md, const char *name,
			   bool subscribe);

/*
 * Adds (set) or removes the name in the subscriptions file, under the
 * same lock as Dovecot (subscriptions.lock) and replaced by rename.
 * 1 when the file changed, 0 when it already said so, -1 with errno
 * (EAGAIN: lock timeout).
 */
int maildir_subscribe(struct maildir *md, const char *name, bool set);

/*
 * Lists the mailboxes: "INBOX" first, then every folder directory whose
 * name decodes, in the user's separator, sorted by byte value.  *names
 * is a NULL-terminated array in arena a.  Count, or -1 with errno.
 */
int maildir_mailbox_list(struct maildir *md, struct arena *a,
			 const char ***names);

/* maildir_target.warnings bits. */
#define MAILDIR_WARN_KEYWORDS_FULL	0x01	/* no free letter: dropped */
#define MAILDIR_WARN_BAD_FLAG		0x02	/* unknown \flag or bad atom */

/*
 * One destination of maildir_store().  flags: NULL-terminated list of IMAP
 * flags, may be NULL; system flags (\Seen \Answered \Flagged \Deleted
 * \Draft) match case-insensitively, anything else is a keyword.  Filled in
 * on success: path (the final file name, for logs) and warnings.
 */
struct maildir_target {
	const char *mailbox;
	const char *const *flags;
	const char *path;
	unsigned warnings;
};

/*
 * Stores one message (data, len) in every target.  The mailboxes must
 * exist (ENOENT otherwise: create them first).  0 when the message is
 * durable in every target; -1 with errno (ENOENT, EINVAL, ENOSPC,
 * EDQUOT, EIO, EAGAIN ...) after removing whatever this call had placed,
 * so that a retry does not duplicate the message.  Paths are allocated
 * in a.
 */
int maildir_store(struct maildir *md, struct arena *a, const void *data,
		  size_t len, struct maildir_target *targets, size_t ntargets);
/* Same, the message read from fd until end of file. */
int maildir_store_fd(struct maildir *md, struct arena *a, int fd,
		     struct maildir_target *targets, size_t ntargets);

/*
 * The maildir flag letter of an IMAP system flag ("\\Seen" -> 'S'), 0 when
 * the name is not one.  Keywords: true when kw is a valid IMAP atom that is
 * not a system flag (no "\\", no atom-specials, 1..255 bytes of 7-bit).
 */
char maildir_flag_letter(const char *flag);
bool maildir_keyword_valid(const char *kw);

#endif
