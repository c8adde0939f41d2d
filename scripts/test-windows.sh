#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds futon and its whole test suite for 64-bit Windows with mingw-w64, and runs it under wine.
#
#   scripts/test-windows.sh
#
# Installs what it needs from Debian when run as root and missing (g++-mingw-w64-x86-64-posix,
# wine, googletest's sources, which are built for Windows inside the build). Builds in
# build/windows (FUTON_BUILD_ROOT=dir puts it in dir/windows), Debug, as the dev preset, with
# cmake/toolchains/mingw-w64-x86_64.cmake; wine's prefix (its fake C: drive) is made once in
# build/windows-wine. Left out: the `install` tests (tests/install/), which configure and run a
# consumer natively, the `model` tests (SPIN models, host programs that do not depend on the
# target; the native CI runs them), the `stress` tests (as in the native test presets), and the
# `tools` test (futon-bench's smoke run): its harness starts and stops threads with std::latch and
# std::atomic::wait, which in mingw-w64 GCC 12's libstdc++ (no futex; a mutex + condvar pool)
# leave a thread blocked under wine for std's own mutex as for futon's, so it fails for reasons
# that are not futon's (std::barrier hangs the same way). ParkingLotFork.* is not compiled
# (Windows has no fork()). Not built: the deterministic scheduler's tests (tests/dsched/), which
# check protocols, not the platform (the scheduler runs one thread at a time); they run natively,
# and under wine their searches took minutes each (SemaphoreAndEventEverySchedule 370 s).
# FUTON_BUILD_JOBS (default: the number of CPUs) and FUTON_TEST_JOBS (default 2) set the build's
# and ctest's parallelism.
# Exit status: 0 when every test passed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build googletest g++-mingw-w64-x86-64-posix wine wine64)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  if ((EUID != 0)); then
    echo "$0: missing Debian packages: ${missing[*]} (apt-get install them as root)" >&2
    exit 1
  fi
  echo "windows: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build_root=${FUTON_BUILD_ROOT:-build}
dir=$build_root/windows
mkdir -p "$build_root"
build_root=$(cd "$build_root" && pwd)
dir=$build_root/windows

# wine: a prefix of our own, no debug chatter, and no offer to install Mono or Gecko (which would
# wait for a click that never comes).
export WINEPREFIX=$build_root/windows-wine
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
start=$SECONDS
if [[ ! -f $WINEPREFIX/system.reg ]]; then
  echo "windows: creating the wine prefix $WINEPREFIX"
  wineboot --init >"$build_root/windows-wine.log" 2>&1 || true
  wineserver --wait || true
fi
# One wineserver for the whole run (each test program would otherwise start and stop its own),
# stopped on exit. (It exits non-zero if this prefix already has one: that one serves too.)
wineserver --persistent 2>/dev/null || true
trap 'wineserver --kill >/dev/null 2>&1 || true' EXIT
# And wine's own background processes (services.exe, winedevice.exe), started now with their
# output going to the log: otherwise the first test program starts them, they inherit its
# stdout and stderr, and ctest's test listing (gtest_discover_tests), which reads those pipes to
# the end, waits for them until its timeout.
wineboot </dev/null >>"$build_root/windows-wine.log" 2>&1 || true

echo "=== windows: configure and build in $dir ($(date -u +%T))"
cmake -S . -B "$dir" -G Ninja --toolchain cmake/toolchains/mingw-w64-x86_64.cmake \
  -DCMAKE_BUILD_TYPE=Debug -DFUTON_WARNINGS_AS_ERRORS=ON -DFUTON_DSCHED_TESTS=OFF \
  -DFUTON_STRESS_TESTS=OFF \
  >"$dir.configure.log" 2>&1 ||
  { tail -n 30 "$dir.configure.log"; exit 1; }
# -k 0: a test program that does not compile for Windows fails the run, but the others still run
# (ctest reports the missing one as *_NOT_BUILT).
build_status=0
cmake --build "$dir" --parallel "${FUTON_BUILD_JOBS:-$(nproc)}" -- -k 0 >"$dir.build.log" 2>&1 ||
  build_status=$?
if ((build_status)); then
  echo "windows: BUILD FAILED for some targets (log: $dir.build.log):"
  grep -E "^FAILED|error:" "$dir.build.log" | head -40 || true
fi
echo "windows: built in $((SECONDS - start))s (log: $dir.build.log)"

echo "=== windows: tests under $(wine --version) ($(date -u +%T))"
test_start=$SECONDS
status=0
ctest --test-dir "$dir" -j "${FUTON_TEST_JOBS:-2}" --timeout 600 --output-on-failure \
  -LE "install|model|stress|tools" >"$dir.test.log" 2>&1 || status=$?
grep -E "\*\*\*|Failure" "$dir.test.log" | head -40 || true
tail -n 4 "$dir.test.log" | grep -E "tests passed|Total Test time" || true
grep -E "tests passed" "$dir.test.log" || true

# Under wine a test program now and then fails to start at all (exit status non-zero, not one
# byte of output: not even GoogleTest's "Running main()"); seen once in four runs, never again in
# the same test. Such a test never ran, so it is run again, once, and that run decides. A test
# that printed anything and failed is a failure, and is not run again.
if ((status)) && [[ -f $dir/Testing/Temporary/LastTestsFailed.log ]]; then
  never_started=()
  while IFS=: read -r number name; do
    # The test's output: the lines after its "Test #N:" result line, up to the next ctest line.
    output=$(awk -v n="$number" '
      $0 ~ ("Test +#" n ":") { inside = 1; next }
      inside && /^ *(Start +[0-9]+:|[0-9]+\/[0-9]+ Test +#|The following tests)/ { exit }
      inside { print }' "$dir.test.log")
    if [[ -z ${output//[[:space:]]/} ]]; then never_started+=("$name"); else never_started=(); break; fi
  done <"$dir/Testing/Temporary/LastTestsFailed.log"
  if ((${#never_started[@]})); then
    echo "windows: did not start under wine, run again: ${never_started[*]}"
    status=0
    ctest --test-dir "$dir" --timeout 600 --output-on-failure --rerun-failed \
      >"$dir.rerun.log" 2>&1 || status=$?
    grep -E "tests passed|\*\*\*" "$dir.rerun.log" || true
  fi
fi
echo "windows: tests took $((SECONDS - test_start))s, everything $((SECONDS - start))s (log: $dir.test.log)"
((status)) || status=$build_status
exit "$status"
