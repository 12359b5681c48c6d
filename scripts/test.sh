#!/bin/sh
# test.sh -- the one command that runs every test of tamis on a fresh Debian
# machine: installs what is missing, then
#   1. a normal build and the whole ctest suite (unit tests, rfc-corpus
#      conformance files, tool tests, short fuzz runs when clang is there);
#   2. the same suite in an AddressSanitizer + UndefinedBehaviorSanitizer
#      build;
#   3. the unit tests and the corpus once more under valgrind.
# Exit status is non-zero when anything failed.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

scripts/deps.sh all

echo "=== build: normal"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" >/dev/null
(cd build && ctest --output-on-failure -j "$jobs" -LE "valgrind|fuzz")

echo "=== build: ASan + UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTAMIS_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs" >/dev/null
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j "$jobs" -LE "valgrind|fuzz")

echo "=== valgrind"
(cd build && ctest --output-on-failure -j "$jobs" -L valgrind)

if command -v clang >/dev/null 2>&1; then
	echo "=== fuzz (short runs)"
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug \
		-DTAMIS_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j "$jobs" >/dev/null
	(cd build-fuzz && ctest --output-on-failure -L fuzz)
fi
echo "=== all tests passed"
