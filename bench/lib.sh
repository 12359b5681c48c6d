# shellcheck shell=bash
# lib.sh -- shell helpers shared by the bench/*.sh benchmark drivers.
#
# Source it from bash (`. "$(dirname "$0")/lib.sh"`).  It provides:
#   bench_log / bench_die            messages on stderr (die exits 2)
#   bench_install_time               GNU time at /usr/bin/time (apt)
#   bench_install_reference          Dovecot + Pigeonhole (apt), no daemon
#   bench_ref_version                installed dovecot-sieve version
#   bench_build_ours SRC BUILD       Release CMake build of the repository
#   bench_pick_user                  sets BENCH_USER/BENCH_GROUP (see below)
#   bench_workdir                    scratch dir the measured user can use
#   bench_as_user CMD...             run a setup command as that user
#   bench_ref_config DIR             minimal Dovecot config for the tools
#   bench_spec_* / bench_measure     describe command pairs, run measure.py
#
# The timing itself is in bench/measure.py (see its header).
#
# Privileges: Pigeonhole's sieve-test refuses to run as root (it wants to
# drop to mail_uid and then refuses uid 0), so when the harness runs as
# root every measured process of both sides runs as an unprivileged user
# (BENCH_USER, default nobody): setup steps through bench_as_user, and
# measure.py as a whole.  Not root: everything runs as yourself.
#
# Nothing here touches the system besides apt installs: the Dovecot config
# lives in the scratch dir and no daemon is started.

BENCH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bench_log()
{
	printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2
}

bench_die()
{
	bench_log "error: $*"
	exit 2
}

# apt-get install with one retry after `apt-get update`: a fresh machine's
# package lists may be missing or stale.
bench_apt_install()
{
	local log
	log=$(mktemp)
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
	    >"$log" 2>&1; then
		bench_log "apt-get install $* failed; running apt-get update"
		apt-get update -q >>"$log" 2>&1 || true
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    "$@" >>"$log" 2>&1; then
			tail -20 "$log" >&2
			rm -f "$log"
			return 1
		fi
	fi
	rm -f "$log"
}

bench_need_root_for()
{
	[ "$(id -u)" -eq 0 ] ||
	    bench_die "$1 is missing and installing it needs root" \
		"(apt-get install -y $2)"
}

bench_install_time()
{
	[ -x /usr/bin/time ] && return 0
	bench_need_root_for /usr/bin/time time
	bench_log "installing GNU time"
	bench_apt_install time || bench_die "cannot install time"
}

# Installs dovecot-core and dovecot-sieve if /usr/bin/sievec,
# /usr/bin/sieve-test, /usr/sbin/dovecot or /usr/lib/dovecot/dovecot-lda is
# missing.  A policy-rc.d answering 101 ("action
# forbidden") keeps invoke-rc.d from starting the Dovecot daemon during the
# install; whatever policy-rc.d was there before is put back afterwards.
bench_install_reference()
{
	local policy=/usr/sbin/policy-rc.d saved="" rc=0

	if [ -x /usr/bin/sievec ] && [ -x /usr/bin/sieve-test ] &&
	    [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/dovecot-lda ]; then
		return 0
	fi
	bench_need_root_for "Pigeonhole (/usr/bin/sievec)" \
	    "dovecot-core dovecot-sieve"
	bench_log "installing the reference: dovecot-core dovecot-sieve"
	if [ -e "$policy" ]; then
		saved=$(mktemp)
		cp -p "$policy" "$saved"
	fi
	printf '#!/bin/sh\n# bench/lib.sh: no daemon starts during install\nexit 101\n' \
	    >"$policy"
	chmod 755 "$policy"
	bench_apt_install dovecot-core dovecot-sieve || rc=$?
	if [ -n "$saved" ]; then
		cp -p "$saved" "$policy"
		rm -f "$saved"
	else
		rm -f "$policy"
	fi
	[ "$rc" -eq 0 ] || bench_die "cannot install dovecot-core dovecot-sieve"
	if [ ! -x /usr/bin/sievec ] || [ ! -x /usr/bin/sieve-test ]; then
		bench_die "dovecot-sieve installed but /usr/bin/sievec or" \
		    "/usr/bin/sieve-test is missing (dpkg -L dovecot-sieve)"
	fi
	if [ ! -x /usr/sbin/dovecot ] || [ ! -x /usr/lib/dovecot/dovecot-lda ]; then
		bench_die "dovecot-core installed but /usr/sbin/dovecot or" \
		    "/usr/lib/dovecot/dovecot-lda is missing (dpkg -L dovecot-core)"
	fi
}

bench_ref_version()
{
	dpkg-query -W -f '${Version}' dovecot-sieve 2>/dev/null || echo unknown
}

# Release build of the repository at SRC into BUILD (relative to SRC
# unless absolute).  Output goes to BUILD/bench-build.log; on failure its
# tail is shown.
bench_build_ours()
{
	local src=$1 build=$2 log
	case $build in /*) ;; *) build=$src/$build ;; esac
	mkdir -p "$build"
	log=$build/bench-build.log
	bench_log "building ours (Release) in $build"
	if ! { cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release &&
	    make -C "$build" -j"${BENCH_JOBS:-2}"; } >"$log" 2>&1; then
		tail -30 "$log" >&2
		bench_die "build of ours failed (log: $log)"
	fi
}

# BENCH_USER/BENCH_GROUP: who runs the measured processes.  Empty when the
# harness is not root (no switch needed).
bench_pick_user()
{
	if [ "$(id -u)" -ne 0 ]; then
		BENCH_USER="" BENCH_GROUP=""
		return 0
	fi
	BENCH_USER=${BENCH_USER:-nobody}
	id "$BENCH_USER" >/dev/null 2>&1 ||
	    bench_die "user $BENCH_USER does not exist (set BENCH_USER)"
	[ "$(id -u "$BENCH_USER")" -ne 0 ] ||
	    bench_die "BENCH_USER must not be root"
	BENCH_GROUP=$(id -gn "$BENCH_USER")
}

bench_as_user()
{
	if [ -n "${BENCH_USER:-}" ]; then
		setpriv --reuid="$BENCH_USER" --regid="$BENCH_GROUP" \
		    --clear-groups -- "$@"
	else
		"$@"
	fi
}

# A fresh scratch directory owned by the measuring user; prints its path.
bench_workdir()
{
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/tamis-bench.XXXXXX") ||
	    bench_die "mktemp failed"
	chmod 755 "$dir"
	if [ -n "${BENCH_USER:-}" ]; then
		chown "$BENCH_USER:$BENCH_GROUP" "$dir"
	fi
	printf '%s\n' "$dir"
}

# The least configuration Pigeonhole's tools accept, in DIR/dovecot.conf.
# sievec needs none at all; sieve-test needs a mail_location (it sets up a
# mail user even when it only prints actions) and nothing else: no
# base_dir, sockets or ports are used.  sieve_max_script_size = 0 lifts
# the 1 MiB script limit so rule sets larger than 10,000 rules still
# compile (the default 10,000-rule script is under it anyway).
bench_ref_config()
{
	local dir=$1
	cat >"$dir/dovecot.conf" <<-EOF
	# Written by bench/lib.sh for the benchmark; not a server config.
	mail_location = maildir:$dir/Maildir
	plugin {
	  sieve_max_script_size = 0
	}
	EOF
	chmod 644 "$dir/dovecot.conf"
	printf '%s\n' "$dir/dovecot.conf"
}

# JSON string for $1 (paths and arguments; control characters refused).
bench_json_str()
{
	local s=$1
	case $s in *[[:cntrl:]]*) bench_die "control character in '$s'" ;; esac
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

bench_json_list()
{
	local sep="" a
	printf '['
	for a in "$@"; do
		printf '%s' "$sep"
		bench_json_str "$a"
		sep=", "
	done
	printf ']'
}

# The spec file measure.py reads: bench_spec_init FILE first, then cases,
# commands, skips, notes and checks in any order after their case.
bench_spec_init()
{
	BENCH_SPEC=$1
	: >"$BENCH_SPEC"
}

# bench_spec_meta TITLE RUNS RSS_RUNS SCRATCH INFO_JSON [EXTRA]
# EXTRA: more members of the meta object, raw JSON ('"mode": "deliver"').
bench_spec_meta()
{
	local user=null group=null info=${5:-} extra=${6:+, $6}
	[ -n "$info" ] || info="{}"
	if [ -n "${BENCH_USER:-}" ]; then
		user=$(bench_json_str "$BENCH_USER")
		group=$(bench_json_str "$BENCH_GROUP")
	fi
	printf '{"type": "meta", "title": %s, "runs": %d, "rss_runs": %d, "scratch": %s, "time": "/usr/bin/time", "user": %s, "group": %s, "info": %s%s}\n' \
	    "$(bench_json_str "$1")" "$2" "$3" "$(bench_json_str "$4")" \
	    "$user" "$group" "$info" "$extra" >>"$BENCH_SPEC"
}

# bench_spec_case ID TITLE WALL_TARGET RSS_TARGET [EXPECTED_FOLDER...]
# Targets are minimum ratios reference/ours ("null" for none).
bench_spec_case()
{
	local id=$1 title=$2 wt=$3 rt=$4 expect=null
	shift 4
	[ $# -gt 0 ] && expect=$(bench_json_list "$@")
	printf '{"type": "case", "id": %s, "title": %s, "wall_target": %s, "rss_target": %s, "expect_folders": %s}\n' \
	    "$(bench_json_str "$id")" "$(bench_json_str "$title")" \
	    "$wt" "$rt" "$expect" >>"$BENCH_SPEC"
}

# bench_spec_cmd CASE SIDE CWD KEEP -- ARGV...   (KEEP: a path that must not
# change while measuring, or "")
bench_spec_cmd()
{
	local id=$1 side=$2 cwd=$3 keep=$4 k="[]"
	shift 4
	[ "$1" = "--" ] && shift
	[ -n "$keep" ] && k=$(bench_json_list "$keep")
	printf '{"type": "cmd", "case": %s, "side": %s, "cwd": %s, "keep": %s, "argv": %s}\n' \
	    "$(bench_json_str "$id")" "$(bench_json_str "$side")" \
	    "$(bench_json_str "$cwd")" "$k" "$(bench_json_list "$@")" \
	    >>"$BENCH_SPEC"
}

# Delivery benchmarks (measure.py's "deliver" mode, bench/deliver.sh):
# bench_spec_dcase ID TITLE WALL_TARGET FLOOR_TARGET RSS_TARGET
#   a timed case; FLOOR_TARGET is the largest ours/floor wall ratio wanted.
bench_spec_dcase()
{
	printf '{"type": "case", "kind": "timed", "id": %s, "title": %s, "wall_target": %s, "floor_target": %s, "rss_target": %s}\n' \
	    "$(bench_json_str "$1")" "$(bench_json_str "$2")" "$3" "$4" "$5" \
	    >>"$BENCH_SPEC"
}

# bench_spec_tcase ID TITLE MESSAGES STREAMS: a throughput case.
bench_spec_tcase()
{
	printf '{"type": "case", "kind": "throughput", "id": %s, "title": %s, "messages": %d, "streams": %d}\n' \
	    "$(bench_json_str "$1")" "$(bench_json_str "$2")" "$3" "$4" \
	    >>"$BENCH_SPEC"
}

# bench_spec_dcmd CASE SIDE CWD KEEP STDIN MAILDIR MKDIRS FOLDERS -- ARGV...
#   STDIN: the message file; MAILDIR: the Maildir++ root the command
#   delivers into (removed before the case, checked after); MKDIRS: 1 to
#   recreate its tmp/new/cur after removing it; FOLDERS: space-separated
#   folders that get every delivery (INBOX = the root).
bench_spec_dcmd()
{
	local id=$1 side=$2 cwd=$3 keep=$4 in=$5 md=$6 mk=$7 k="[]"
	local -a folders
	read -r -a folders <<<"$8"
	shift 8
	[ "$1" = "--" ] && shift
	[ -n "$keep" ] && k=$(bench_json_list "$keep")
	printf '{"type": "cmd", "case": %s, "side": %s, "cwd": %s, "keep": %s, "stdin": %s, "maildir": {"root": %s, "mkdirs": %s, "folders": %s}, "argv": %s}\n' \
	    "$(bench_json_str "$id")" "$(bench_json_str "$side")" \
	    "$(bench_json_str "$cwd")" "$k" "$(bench_json_str "$in")" \
	    "$(bench_json_str "$md")" \
	    "$([ "$mk" = 1 ] && echo true || echo false)" \
	    "$(bench_json_list "${folders[@]}")" "$(bench_json_list "$@")" \
	    >>"$BENCH_SPEC"
}

bench_spec_skip()
{
	printf '{"type": "skip", "case": %s, "side": %s, "reason": %s}\n' \
	    "$(bench_json_str "$1")" "$(bench_json_str "$2")" \
	    "$(bench_json_str "$3")" >>"$BENCH_SPEC"
}

# bench_spec_note CASE|"" TEXT
bench_spec_note()
{
	local c=null
	[ -n "$1" ] && c=$(bench_json_str "$1")
	printf '{"type": "note", "case": %s, "text": %s}\n' "$c" \
	    "$(bench_json_str "$2")" >>"$BENCH_SPEC"
}

# bench_spec_check ID TITLE pass|fail|info|skip DETAIL
bench_spec_check()
{
	printf '{"type": "check", "id": %s, "title": %s, "status": %s, "detail": %s}\n' \
	    "$(bench_json_str "$1")" "$(bench_json_str "$2")" \
	    "$(bench_json_str "$3")" "$(bench_json_str "$4")" >>"$BENCH_SPEC"
}

# bench_measure SCRATCH RESULT_JSON: runs the spec, prints the table and
# writes RESULT_JSON; returns 2 on a harness error.  With BENCH_USER set,
# measure.py itself runs as that user (a copy in SCRATCH, Debian's python3)
# so it spawns the measured tools with vfork and no privilege switch per
# run; the result is written in SCRATCH and copied out.
bench_measure()
{
	local scratch=$1 out=$2 rc=0
	if [ -z "${BENCH_USER:-}" ]; then
		python3 "$BENCH_LIB_DIR/measure.py" "$BENCH_SPEC" "$out"
		return
	fi
	[ -x /usr/bin/python3 ] ||
	    bench_die "/usr/bin/python3 is needed to measure as $BENCH_USER"
	cp "$BENCH_LIB_DIR/measure.py" "$scratch/measure.py"
	chmod 644 "$scratch/measure.py" "$BENCH_SPEC"
	bench_as_user /usr/bin/python3 "$scratch/measure.py" "$BENCH_SPEC" \
	    "$scratch/result.json" || rc=$?
	[ "$rc" -eq 0 ] || return "$rc"
	cp "$scratch/result.json" "$out"
}
