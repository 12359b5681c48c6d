#!/usr/bin/env bash
# deliver.sh -- the delivery benchmark: tamis deliver against dovecot-lda.
#
# Builds ours in Release, installs Debian's dovecot-core + dovecot-sieve if
# missing (no daemon starts on system ports), compiles bench/floor.c (the
# least a durable Maildir delivery can do), writes one config for each side
# in a scratch dir, starts a private Dovecot instance there (dovecot-lda
# asks its auth server for the passwd-file user), and measures, whole
# process, ours, the reference and the floor interleaved, one delivery of
# bench/messages/4k.eml:
#   1. to a user with no Sieve script
#   2. to a user with the typical 50-rule script (gen-rules.py --typical)
#   3. to a user with the 10,000-rule script (gen-rules.py 10000)
# (wall median and min, CPU user+sys, peak RSS), then the throughput of
# 1,000 deliveries with the 50-rule script, sequential and in two parallel
# streams.  Every side's Maildir is checked afterwards to hold exactly the
# expected messages in the expected folders.  Prints the tables and writes
# bench/results/deliver-DATE.json.  See bench/README.md.
#
# Environment: BUILD (build-release), BENCH_RUNS (21), BENCH_RSS_RUNS (3),
# BENCH_RULES (10000), BENCH_SEED (1), BENCH_TP_MESSAGES (1000; 0 skips the
# throughput rows), BENCH_NO_BUILD=1 (use BUILD as is), BENCH_JOBS (make
# -j, 2), BENCH_KEEP=1 (keep the scratch dir), BENCH_USER (nobody, when
# root).  Exit status: 0 when it ran (missed targets included), 2 on a
# harness error.

set -euo pipefail

BENCH_NAME=deliver	# used by lib.sh's messages
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

RUNS=${BENCH_RUNS:-21}
RSS_RUNS=${BENCH_RSS_RUNS:-3}
RULES=${BENCH_RULES:-10000}
SEED=${BENCH_SEED:-1}
TP=${BENCH_TP_MESSAGES:-1000}
BUILD=${BUILD:-build-release}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
for v in RUNS RSS_RUNS RULES SEED TP; do
	case ${!v} in '' | *[!0-9]*) bench_die "$v must be a number" ;; esac
done
if [ "$RUNS" -lt 1 ] || [ "$RSS_RUNS" -lt 1 ] || [ "$RULES" -lt 1 ]; then
	bench_die "BENCH_RUNS, BENCH_RSS_RUNS and BENCH_RULES must be >= 1"
fi

ENV_FROM=dev-bounces+alice=example.net@lists.example.org
ENV_TO=alice@example.net
DOMAIN=example.net
REF_LDA=/usr/lib/dovecot/dovecot-lda
REF_SIEVEC=/usr/bin/sievec
DOVECOT=/usr/sbin/dovecot
OURS=$BUILD/lda/deliver

for tool in python3 setpriv cc; do
	command -v "$tool" >/dev/null || bench_die "$tool not found"
done
bench_install_time
bench_install_reference

# --- ours ----------------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
	command -v cmake >/dev/null || bench_die "cmake not found"
	bench_build_ours "$ROOT" "$BUILD"
fi
bench_pick_user
ours_ok=1 skip_ours=""
if [ ! -x "$OURS" ]; then
	ours_ok=0 skip_ours="$OURS is not built yet"
elif ! bench_as_user test -x "$OURS"; then
	ours_ok=0
	skip_ours="$OURS is not executable by ${BENCH_USER:-$(id -un)}"
fi

# --- scratch dir -------------------------------------------------------------------
WORK=$(bench_workdir)
DOVECOT_PID=""
cleanup()
{
	if [ -n "$DOVECOT_PID" ]; then
		doveadm -c "$WORK/ref/dovecot.conf" stop 2>/dev/null ||
		    kill "$DOVECOT_PID" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		bench_log "scratch dir kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
MUID=$(id -u "${BENCH_USER:-$(id -un)}")
MGID=$(id -g "${BENCH_USER:-$(id -un)}")
MSG=$WORK/4k.eml
cp "$HERE/messages/4k.eml" "$MSG"
cc -O2 -o "$WORK/floor-deliver" "$HERE/floor.c" || bench_die "cannot compile floor.c"
python3 "$HERE/gen-rules.py" --typical --seed "$SEED" >"$WORK/typical.sieve"
python3 "$HERE/gen-rules.py" "$RULES" --seed "$SEED" >"$WORK/big.sieve"
EXPECT_TYP=$(python3 "$HERE/gen-rules.py" --typical --seed "$SEED" --expect |
    tr '\n' ' ')
EXPECT_BIG=$(python3 "$HERE/gen-rules.py" "$RULES" --seed "$SEED" --expect |
    tr '\n' ' ')
# Users: none (no script), typical (50 rules), big (RULES rules); each side
# has its own homes, users file and mail tree.
USERS="none typical big"
for side in ref ours; do
	mkdir -p "$WORK/$side/mail"
	: >"$WORK/$side/users"
	for u in $USERS; do
		mkdir -p "$WORK/$side/home/$u"
		printf '%s@%s::%s:%s::%s::\n' "$u" "$DOMAIN" "$MUID" "$MGID" \
		    "$WORK/$side/home/$u" >>"$WORK/$side/users"
	done
	cp "$WORK/typical.sieve" "$WORK/$side/home/typical/.dovecot.sieve"
	cp "$WORK/big.sieve" "$WORK/$side/home/big/.dovecot.sieve"
done
mkdir -p "$WORK/floor/Maildir" "$WORK/ref/run" "$WORK/ref/state"

# Settings common to both sides, in Dovecot syntax.  Both log to stderr
# (which the harness discards), fsync as they do by default, use Maildir++
# with '/' as the separator (so fileinto "Folder/9" is .Folder.9 on both)
# and create the folders on first fileinto.
common_conf()
{
	local side=$1
	cat <<-EOF
	first_valid_uid = 1
	mail_location = maildir:$WORK/$side/mail/%d/%n
	lda_mailbox_autocreate = yes
	namespace inbox {
	  inbox = yes
	  separator = /
	}
	userdb {
	  driver = passwd-file
	  args = username_format=%u $WORK/$side/users
	}
	plugin {
	  sieve = ~/.dovecot.sieve
	}
	EOF
}
{
	echo "# Written by bench/deliver.sh: tamis deliver's side."
	echo "log_path = /dev/stderr"
	common_conf ours
} >"$WORK/ours/tamis.conf"
# The reference: a private instance, no protocols (no network listener),
# sockets and state in the scratch dir; the LDA needs its auth server for
# the userdb and connects to stats-writer, both opened to the user.
{
	echo "# Written by bench/deliver.sh: a private Dovecot for dovecot-lda."
	echo "base_dir = $WORK/ref/run"
	echo "state_dir = $WORK/ref/state"
	echo "protocols = none"
	echo "ssl = no"
	echo "log_path = $WORK/ref/dovecot.log"
	echo "postmaster_address = postmaster@$DOMAIN"
	if [ "$(id -u)" -ne 0 ]; then
		echo "default_internal_user = $(id -un)"
		echo "default_internal_group = $(id -gn)"
		echo "default_login_user = $(id -un)"
	fi
	common_conf ref
	cat <<-EOF
	passdb {
	  driver = passwd-file
	  args = username_format=%u $WORK/ref/users
	}
	service auth {
	  unix_listener auth-userdb {
	    mode = 0666
	  }
	}
	service stats {
	  unix_listener stats-writer {
	    mode = 0666
	  }
	}
	protocol lda {
	  mail_plugins = sieve
	  log_path = /dev/stderr
	}
	EOF
} >"$WORK/ref/dovecot.conf"
# Sources a minute in the past, so every binary compiled from them is newer.
find "$WORK" -name '*.sieve' -exec touch -d '-1 min' {} +
chmod -R a+rX "$WORK"
[ -z "$BENCH_USER" ] || chown -R "$BENCH_USER:$BENCH_GROUP" "$WORK"
[ -z "$BENCH_USER" ] || chown root:root "$WORK/ref/run" "$WORK/ref/state"
bench_log "scratch dir $WORK; measured processes run as" \
    "${BENCH_USER:-$(id -un)}"

# --- the reference's daemon --------------------------------------------------------
"$DOVECOT" -c "$WORK/ref/dovecot.conf" ||
    bench_die "cannot start dovecot (log: $WORK/ref/dovecot.log)"
for _ in $(seq 50); do
	[ -S "$WORK/ref/run/auth-userdb" ] && [ -s "$WORK/ref/run/master.pid" ] &&
	    break
	sleep 0.1
done
DOVECOT_PID=$(cat "$WORK/ref/run/master.pid" 2>/dev/null || true)
[ -n "$DOVECOT_PID" ] || bench_die "dovecot did not start: $(tail -3 \
    "$WORK/ref/dovecot.log" 2>/dev/null)"

# --- precompile (reference) and probe deliveries ------------------------------
for u in typical big; do
	bench_as_user "$REF_SIEVEC" -c "$WORK/ref/dovecot.conf" \
	    "$WORK/ref/home/$u/.dovecot.sieve" ||
	    bench_die "reference sievec failed on $u's script"
done
# One delivery per user and side before measuring: checks the command
# works, and makes ours cache its compiled script (.svbin beside the
# script) as it does on a first delivery.  measure.py empties the Maildirs
# before each case.
for u in $USERS; do
	bench_as_user "$REF_LDA" -c "$WORK/ref/dovecot.conf" \
	    -d "$u@$DOMAIN" -f "$ENV_FROM" -a "$ENV_TO" <"$MSG" \
	    2>"$WORK/err.txt" || bench_die "dovecot-lda failed for $u:" \
	    "$(head -3 "$WORK/err.txt")"
	[ "$ours_ok" = 1 ] || continue
	if ! bench_as_user "$OURS" -c "$WORK/ours/tamis.conf" \
	    -d "$u@$DOMAIN" -f "$ENV_FROM" -a "$ENV_TO" <"$MSG" \
	    2>"$WORK/err.txt"; then
		ours_ok=0
		skip_ours="our deliver FAILED for $u: $(head -n 1 \
		    "$WORK/err.txt" | cut -c1-120)"
	fi
done
if [ "$ours_ok" = 1 ]; then
	for u in typical big; do
		[ -f "$WORK/ours/home/$u/.dovecot.svbin" ] ||
		    bench_spec_later="ours did not cache $u's .svbin"
	done
fi

# --- the spec for measure.py ----------------------------------------------------------
REF_VERSION=$(dpkg-query -W -f '${Version}' dovecot-core 2>/dev/null ||
    echo unknown)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then
	COMMIT="$COMMIT+dirty"
fi
j=bench_json_str
INFO=$(printf '{"reference": {"package": "dovecot-core", "version": %s, "lda": %s}, "ours": {"commit": %s, "build": %s, "deliver": %s, "skip": %s}, "floor": "bench/floor.c, cc -O2", "rules": %d, "seed": %d, "message": "bench/messages/4k.eml", "message_bytes": %d, "envelope_from": %s, "envelope_to": %s, "throughput_messages": %d}' \
    "$($j "$REF_VERSION")" "$($j "$REF_LDA")" "$($j "$COMMIT")" \
    "$($j "$BUILD")" "$($j "$OURS")" "$($j "$skip_ours")" "$RULES" "$SEED" \
    "$(stat -c %s "$MSG")" "$($j "$ENV_FROM")" "$($j "$ENV_TO")" "$TP")

SPEC=$WORK/spec.jsonl
bench_spec_init "$SPEC"
bench_spec_meta "Delivery: tamis $COMMIT vs dovecot-lda $REF_VERSION" \
    "$RUNS" "$RSS_RUNS" "$WORK" "$INFO" \
    "\"mode\": \"deliver\", \"daemon_pid\": $DOVECOT_PID"

# add_cmds CASE USER FOLDERS: the three commands of one case.
add_cmds()
{
	local id=$1 u=$2 folders=$3 rkeep="" okeep=""
	if [ "$u" != none ]; then
		rkeep=$WORK/ref/home/$u/.dovecot.svbin
		okeep=$WORK/ours/home/$u/.dovecot.svbin
	fi
	bench_spec_dcmd "$id" ref "$WORK/ref" "$rkeep" "$MSG" \
	    "$WORK/ref/mail/$DOMAIN/$u" 0 "$folders" -- \
	    "$REF_LDA" -c "$WORK/ref/dovecot.conf" -d "$u@$DOMAIN" \
	    -f "$ENV_FROM" -a "$ENV_TO"
	if [ "$ours_ok" = 1 ]; then
		bench_spec_dcmd "$id" ours "$WORK/ours" "$okeep" "$MSG" \
		    "$WORK/ours/mail/$DOMAIN/$u" 0 "$folders" -- \
		    "$OURS" -c "$WORK/ours/tamis.conf" -d "$u@$DOMAIN" \
		    -f "$ENV_FROM" -a "$ENV_TO"
	else
		bench_spec_skip "$id" ours "$skip_ours"
	fi
	bench_spec_dcmd "$id" floor "$WORK/floor" "" "$MSG" \
	    "$WORK/floor/Maildir" 1 INBOX -- "$WORK/floor-deliver" \
	    "$WORK/floor/Maildir"
}
nice_rules=$(echo "$RULES" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta')
bench_spec_dcase none "no script" null null null
add_cmds none none INBOX
bench_spec_dcase typical "50 rules" 6 1.5 4
add_cmds typical typical "$EXPECT_TYP"
bench_spec_dcase big "$nice_rules rules" null null null
add_cmds big big "$EXPECT_BIG"
if [ "$TP" -gt 0 ]; then
	bench_spec_tcase tp-seq "$TP msgs, 50 rules, 1 stream" "$TP" 1
	add_cmds tp-seq typical "$EXPECT_TYP"
	bench_spec_tcase tp-par "$TP msgs, 50 rules, 2 streams" "$TP" 2
	add_cmds tp-par typical "$EXPECT_TYP"
fi
if [ -n "${bench_spec_later:-}" ]; then
	bench_spec_note "" "$bench_spec_later"
fi

# --- measure -----------------------------------------------------------------------
mkdir -p "$HERE/results"
RESULT=$HERE/results/deliver-$(date -u +%Y%m%d-%H%M%S).json
bench_log "measuring: $RUNS timed runs + $RSS_RUNS RSS runs per command," \
    "then $TP deliveries per side twice"
rc=0
bench_measure "$WORK" "$RESULT" || rc=$?
if [ "$rc" -ne 0 ]; then
	rm -f "$RESULT"
	bench_die "measurement failed"
fi
echo
echo "results: ${RESULT#"$ROOT"/}"
