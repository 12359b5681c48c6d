#!/usr/bin/env bash
# sieve-engine.sh -- the Sieve engine benchmark: tamis against Pigeonhole.
#
# Builds ours in Release, installs Debian's dovecot-sieve if missing,
# generates a 10,000-rule and a 50-rule script (bench/gen-rules.py) and
# measures, whole process, ours and the reference interleaved:
#   1. compile of the 10,000-rule script       (sievec SCRIPT OUT)
#   2. evaluation of the compiled 10,000 rules against bench/messages/4k.eml
#   3. the same evaluation for the 50-rule script
#   4. that two compiles of the same script by our sievec are byte-identical
# plus, for information, the compile of the 50-rule script.  Prints a table
# (median and min wall ms, peak RSS, ratios reference/ours against the
# targets) and writes bench/results/engine-DATE.json.  See bench/README.md.
#
# Environment: BUILD (build-release), BENCH_RUNS (21), BENCH_RSS_RUNS (3),
# BENCH_RULES (10000), BENCH_SEED (1), BENCH_NO_BUILD=1 (use BUILD as is),
# BENCH_KEEP=1 (keep the scratch dir), BENCH_USER (nobody, when root).
# Exit status: 0 when it ran (missed targets included), 2 on a harness
# error.

set -euo pipefail

BENCH_NAME=sieve-engine	# used by lib.sh's messages
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

RUNS=${BENCH_RUNS:-21}
RSS_RUNS=${BENCH_RSS_RUNS:-3}
RULES=${BENCH_RULES:-10000}
SEED=${BENCH_SEED:-1}
BUILD=${BUILD:-build-release}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
for v in RUNS RSS_RUNS RULES SEED; do
	case ${!v} in '' | *[!0-9]*) bench_die "$v must be a number" ;; esac
done
if [ "$RUNS" -lt 1 ] || [ "$RSS_RUNS" -lt 1 ] || [ "$RULES" -lt 1 ]; then
	bench_die "BENCH_RUNS, BENCH_RSS_RUNS and BENCH_RULES must be >= 1"
fi

# The envelope 4k.eml is delivered with; gen-rules.py's hit rules use it.
ENV_FROM=dev-bounces+alice=example.net@lists.example.org
ENV_TO=alice@example.net
REF_SIEVEC=/usr/bin/sievec
REF_TEST=/usr/bin/sieve-test
OURS_SIEVEC=$BUILD/sieve/sievec
OURS_TEST=$BUILD/sieve/sieve-test

for tool in python3 setpriv cmp; do
	command -v "$tool" >/dev/null || bench_die "$tool not found"
done
bench_install_time
bench_install_reference

# --- ours ------------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
	command -v cmake >/dev/null || bench_die "cmake not found"
	bench_build_ours "$ROOT" "$BUILD"
fi
bench_pick_user
ours_compile=1 ours_eval=1 skip_compile="" skip_eval=""
if [ ! -x "$OURS_SIEVEC" ]; then
	ours_compile=0
	skip_compile="$OURS_SIEVEC is not built yet"
elif ! bench_as_user test -x "$OURS_SIEVEC"; then
	ours_compile=0
	skip_compile="$OURS_SIEVEC is not executable by ${BENCH_USER:-$(id -un)}"
fi
if [ ! -x "$OURS_TEST" ]; then
	ours_eval=0
	skip_eval="$OURS_TEST is not built yet"
elif [ "$ours_compile" = 0 ]; then
	ours_eval=0
	skip_eval="no sievec of ours to precompile with ($skip_compile)"
fi

# --- scratch dir: scripts, message, reference config -------------------------
WORK=$(bench_workdir)
cleanup()
{
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		bench_log "scratch dir kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
mkdir -p "$WORK/ref" "$WORK/ours/src"
cp "$HERE/messages/4k.eml" "$WORK/4k.eml"
MSG=$WORK/4k.eml
python3 "$HERE/gen-rules.py" "$RULES" --seed "$SEED" >"$WORK/big.sieve"
python3 "$HERE/gen-rules.py" --typical --seed "$SEED" >"$WORK/typical.sieve"
read -r -a EXPECT_BIG <<<"$(python3 "$HERE/gen-rules.py" "$RULES" \
    --seed "$SEED" --expect | tr '\n' ' ')"
read -r -a EXPECT_TYP <<<"$(python3 "$HERE/gen-rules.py" --typical \
    --seed "$SEED" --expect | tr '\n' ' ')"
for side in ref ours ours/src; do
	cp "$WORK/big.sieve" "$WORK/$side/rules-big.sieve"
	cp "$WORK/typical.sieve" "$WORK/$side/rules-50.sieve"
done
CONF=$(bench_ref_config "$WORK")
# Sources a minute in the past, so every binary compiled from them is newer
# (Pigeonhole's sieve-test loads SCRIPT.svbin only when it is).
find "$WORK" -name '*.sieve' -exec touch -d '-1 min' {} +
chmod -R a+rX "$WORK"
[ -z "$BENCH_USER" ] || chown -R "$BENCH_USER:$BENCH_GROUP" "$WORK"
bench_log "scratch dir $WORK; measured processes run as" \
    "${BENCH_USER:-$(id -un)}"

# --- precompile: the reference ------------------------------------------------
for s in big 50; do
	bench_as_user "$REF_SIEVEC" -c "$CONF" "$WORK/ref/rules-$s.sieve" \
	    "$WORK/ref/rules-$s.svbin" ||
	    bench_die "reference sievec failed on rules-$s.sieve"
done

# --- precompile and probe: ours -------------------------------------------------
# stderr's first line, for a skip reason.
first_err()
{
	head -n 1 "$WORK/err.txt" 2>/dev/null | cut -c1-120
}
if [ "$ours_compile" = 1 ]; then
	for s in big 50; do
		if ! bench_as_user "$OURS_SIEVEC" "$WORK/ours/rules-$s.sieve" \
		    "$WORK/ours/rules-$s.svbin" 2>"$WORK/err.txt"; then
			ours_compile=0 ours_eval=0
			skip_compile="our sievec FAILED on rules-$s.sieve: $(first_err)"
			skip_eval=$skip_compile
			break
		fi
	done
fi
# Does our sieve-test take a compiled binary?  If not, measure it on the
# source (a copy with no binary beside it), which includes compiling.
OURS_EVAL_MODE=none
if [ "$ours_eval" = 1 ]; then
	if bench_as_user "$OURS_TEST" "$WORK/ours/rules-big.svbin" "$MSG" \
	    -f "$ENV_FROM" -a "$ENV_TO" >/dev/null 2>"$WORK/err.txt"; then
		OURS_EVAL_MODE=binary
	elif bench_as_user "$OURS_TEST" "$WORK/ours/src/rules-big.sieve" \
	    "$MSG" -f "$ENV_FROM" -a "$ENV_TO" >/dev/null 2>"$WORK/err.txt"; then
		OURS_EVAL_MODE=source
	else
		ours_eval=0
		skip_eval="our sieve-test FAILED on rules-big: $(first_err)"
	fi
fi

# --- check 4: deterministic output ---------------------------------------------
# Two compiles of the same script a second apart (so an embedded time
# stamp would show) must give the same bytes.
det_status=skip det_detail="$skip_compile"
if [ "$ours_compile" = 1 ]; then
	bench_as_user "$OURS_SIEVEC" "$WORK/ours/rules-big.sieve" \
	    "$WORK/ours/det-1.svbin"
	sleep 1.1
	bench_as_user "$OURS_SIEVEC" "$WORK/ours/rules-big.sieve" \
	    "$WORK/ours/det-2.svbin"
	if cmp -s "$WORK/ours/det-1.svbin" "$WORK/ours/det-2.svbin"; then
		det_status=pass
		det_detail="identical ($(stat -c %s "$WORK/ours/det-1.svbin") bytes)"
	else
		det_status=fail
		det_detail="the two binaries differ: $(cmp "$WORK/ours/det-1.svbin" \
		    "$WORK/ours/det-2.svbin" 2>&1 | head -n 1)"
	fi
fi
bench_as_user "$REF_SIEVEC" -c "$CONF" "$WORK/ref/rules-big.sieve" \
    "$WORK/ref/det-1.svbin"
sleep 1.1
bench_as_user "$REF_SIEVEC" -c "$CONF" "$WORK/ref/rules-big.sieve" \
    "$WORK/ref/det-2.svbin"
if cmp -s "$WORK/ref/det-1.svbin" "$WORK/ref/det-2.svbin"; then
	ref_det="identical"
else
	ref_det="differ"
fi

# --- the spec for measure.py ----------------------------------------------------
REF_VERSION=$(bench_ref_version)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then
	COMMIT="$COMMIT+dirty"
fi
j=bench_json_str
INFO=$(printf '{"reference": {"package": "dovecot-sieve", "version": %s, "sievec": %s, "sieve_test": %s, "binaries_deterministic": %s}, "ours": {"commit": %s, "build": %s, "sievec_built": %s, "eval_mode": %s, "skip_compile": %s, "skip_eval": %s}, "rules": %d, "seed": %d, "message": "bench/messages/4k.eml", "message_bytes": %d, "script_bytes": %d, "typical_script_bytes": %d, "envelope_from": %s, "envelope_to": %s}' \
    "$($j "$REF_VERSION")" "$($j "$REF_SIEVEC")" "$($j "$REF_TEST")" \
    "$([ "$ref_det" = identical ] && echo true || echo false)" \
    "$($j "$COMMIT")" "$($j "$BUILD")" \
    "$([ -x "$OURS_SIEVEC" ] && echo true || echo false)" \
    "$($j "$OURS_EVAL_MODE")" "$($j "$skip_compile")" "$($j "$skip_eval")" \
    "$RULES" "$SEED" "$(stat -c %s "$MSG")" \
    "$(stat -c %s "$WORK/big.sieve")" "$(stat -c %s "$WORK/typical.sieve")" \
    "$($j "$ENV_FROM")" "$($j "$ENV_TO")")

SPEC=$WORK/spec.jsonl
bench_spec_init "$SPEC"
bench_spec_meta "Sieve engine: tamis $COMMIT vs Pigeonhole $REF_VERSION" \
    "$RUNS" "$RSS_RUNS" "$WORK" "$INFO"

nice_rules=$(echo "$RULES" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta')
add_compile()
{
	local id=$1 title=$2 s=$3
	bench_spec_case "$id" "$title" 10 1
	bench_spec_cmd "$id" ref "$WORK/ref" "" -- "$REF_SIEVEC" -c "$CONF" \
	    "$WORK/ref/rules-$s.sieve" "$WORK/ref/out-$s.svbin"
	if [ "$ours_compile" = 1 ]; then
		bench_spec_cmd "$id" ours "$WORK/ours" "" -- "$OURS_SIEVEC" \
		    "$WORK/ours/rules-$s.sieve" "$WORK/ours/out-$s.svbin"
	else
		bench_spec_skip "$id" ours "$skip_compile"
	fi
}
add_eval()
{
	local id=$1 title=$2 s=$3 script
	shift 3
	bench_spec_case "$id" "$title" 5 1 "$@"
	# Pigeonhole loads ref/rules-$s.svbin (newer than the source); measure.py
	# fails if the binary is rewritten, i.e. if it compiled instead.
	bench_spec_cmd "$id" ref "$WORK/ref" "$WORK/ref/rules-$s.svbin" -- \
	    "$REF_TEST" -c "$CONF" -f "$ENV_FROM" -a "$ENV_TO" \
	    "$WORK/ref/rules-$s.sieve" "$MSG"
	case $OURS_EVAL_MODE in
	binary)	script=$WORK/ours/rules-$s.svbin ;;
	source)	script=$WORK/ours/src/rules-$s.sieve
		bench_spec_note "$id" "ours: sieve-test did not accept a\
 compiled binary, so it is measured on the source (compile + evaluate)" ;;
	*)	bench_spec_skip "$id" ours "$skip_eval"
		return 0 ;;
	esac
	bench_spec_cmd "$id" ours "$WORK/ours" "" -- "$OURS_TEST" "$script" \
	    "$MSG" -f "$ENV_FROM" -a "$ENV_TO"
}
add_compile compile-big "compile $nice_rules rules" big
add_eval eval-big "evaluate $nice_rules rules, 4k.eml" big "${EXPECT_BIG[@]}"
add_eval eval-50 "evaluate 50 rules, 4k.eml" 50 "${EXPECT_TYP[@]}"
add_compile compile-50 "compile 50 rules (extra)" 50
bench_spec_check determinism "ours: sievec twice, cmp" "$det_status" \
    "$det_detail"
bench_spec_check ref-determinism "reference: sievec twice, cmp" info \
    "$ref_det"
if [ "$OURS_EVAL_MODE" = source ]; then
	bench_spec_note "" "our sieve-test was measured on the source, not\
 on a compiled binary"
fi

# --- measure ---------------------------------------------------------------------
mkdir -p "$HERE/results"
RESULT=$HERE/results/engine-$(date -u +%Y%m%d-%H%M%S).json
bench_log "measuring: $RUNS timed runs + $RSS_RUNS RSS runs per command"
rc=0
bench_measure "$WORK" "$RESULT" || rc=$?
if [ "$rc" -ne 0 ]; then
	rm -f "$RESULT"
	bench_die "measurement failed"
fi
echo
echo "results: ${RESULT#"$ROOT"/}"
