#!/bin/sh
# privs.sh BUILD SRC -- who deliver runs as: started as root it becomes the
# userdb's (or mail_uid's) user before touching mail, and refuses uids
# under first_valid_uid; started as the mail user (vmail) it needs no root.
# The root cases need root; as another user only the last one runs.
set -u
B=$1
S=$2
. "$S/tests/tools/check.inc"
DELIVER=$B/lda/deliver
M=$T/mail
mkdir -p "$M"
chmod 777 "$T" "$M"
msg() { printf 'From: a@example.org\nSubject: %s\nMessage-ID: <%s@x>\n\nbody\n' "$1" "$1"; }

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	nuid=$(id -u nobody)
	ngid=$(id -g nobody)
	cat > "$T/c.conf" <<EOT
mail_location = maildir:$M/%d/%n
log_path = /dev/stderr
mail_uid = nobody
mail_gid = $ngid
userdb {
  driver = static
  args = home=$M/%d/%n/home allow_all_users=yes
}
EOT
	msg p1 | "$DELIVER" -c "$T/c.conf" -d jdoe@example.com 2>>"$T/err"
	expect_eq "$?" 0 "root: delivered"
	f=$(ls "$M"/example.com/jdoe/new/* 2>/dev/null | head -1)
	expect_eq "$(stat -c %u "$f" 2>/dev/null)" "$nuid" "root: message owned by mail_uid (privileges dropped)"
	expect_eq "$(stat -c %u "$M/example.com/jdoe" 2>/dev/null)" "$nuid" "root: Maildir created as mail_uid"

	# uid 0 is refused unless first_valid_uid allows it: 75, nothing written
	sed -i 's/^mail_uid = nobody/mail_uid = 0/' "$T/c.conf"
	msg p2 | "$DELIVER" -c "$T/c.conf" -d bob@example.com 2>>"$T/err"
	expect_eq "$?" 75 "root: uid 0 refused (first_valid_uid)"
	[ ! -e "$M/example.com/bob" ] && check ok "root: nothing written for a refused uid" || check no "root: nothing written for a refused uid"

	# the vmail case: started as the mail user itself, no root involved
	sed -i "s/^mail_uid = 0/mail_uid = nobody/" "$T/c.conf"
	msg p3 > "$T/p3"
	setpriv --reuid="$nuid" --regid="$ngid" --clear-groups -- \
		"$DELIVER" -c "$T/c.conf" -d carol@example.com -p "$T/p3" 2>>"$T/err"
	expect_eq "$?" 0 "as the mail user: delivered without root"
	expect_eq "$(ls "$M"/example.com/carol/new 2>/dev/null | wc -l)" 1 "as the mail user: stored"
else
	echo "note: not root: the privilege-dropping cases need root and were not run"
	cat > "$T/c.conf" <<EOT
mail_location = maildir:$M/%d/%n
log_path = /dev/stderr
first_valid_uid = 0
userdb {
  driver = static
  args = home=$M/%d/%n/home
}
EOT
	msg p3 > "$T/p3"
	"$DELIVER" -c "$T/c.conf" -d carol@example.com -p "$T/p3" 2>>"$T/err"
	expect_eq "$?" 0 "as the mail user: delivered without root"
fi
echo "$pass passed, $fails failed"
[ $fails -eq 0 ]
