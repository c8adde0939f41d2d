#!/usr/bin/env bash
# Builds futon and its whole test suite for Linux on another CPU with Debian's cross compilers,
# and runs it under qemu-user.
#
#   scripts/test-cross-linux.sh aarch64            # one CPU
#   scripts/test-cross-linux.sh all                # aarch64 riscv64 ppc64le s390x armhf i386
#   scripts/test-cross-linux.sh s390x i386         # several
#
# CPUs: aarch64, riscv64, ppc64le, s390x (big-endian), armhf (32-bit ARM) and i386 (32-bit x86);
# the 32-bit ones build with a 64-bit time_t (see cmake/toolchains/). Installs what it needs
# from Debian (g++-<triple>, qemu-user, googletest sources) when run as root and missing.
# Builds in build/cross-<cpu> (FUTON_BUILD_ROOT=dir puts them in dir/cross-<cpu>), Debug, as the
# dev preset, so the debug-build precondition checks are tested too.
#
# Left out under qemu, with the reason printed:
#   - the `install` tests (tests/install/): they configure and run a consumer project natively;
#   - the `model` tests: SPIN models run as host programs, the same for every target (the native
#     CI runs them);
#   - GoogleTest death tests, unless binfmt_misc runs the target's programs through qemu: a
#     "threadsafe" death test re-executes the test program, which the kernel cannot exec
#     without binfmt_misc. They are run, and a failure whose output shows that exec failing
#     ("Exec format error") is counted as "not runnable here", listed, and not as a failure;
#   - ParkingLotFork.*: a child forked from a multithreaded program starts threads, which
#     qemu-user 7.2 cannot do (it aborts in its own code: "cpu_exec: assertion failed").
# i386 on an x86-64 host runs natively (the kernel's 32-bit layer), with nothing left out but the
# install and model tests.
# Exit status: 0 when every CPU passed.
set -euo pipefail
cd "$(dirname "$0")/.."

all_cpus=(aarch64 riscv64 ppc64le s390x armhf i386)

triple_of() {
  case "$1" in
    aarch64) echo aarch64-linux-gnu ;;
    riscv64) echo riscv64-linux-gnu ;;
    ppc64le) echo powerpc64le-linux-gnu ;;
    s390x) echo s390x-linux-gnu ;;
    armhf) echo arm-linux-gnueabihf ;;
    i386) echo i686-linux-gnu ;;
    *) return 1 ;;
  esac
}
# How the target's programs run: under qemu-user, except i386 on an x86-64 host, which the kernel
# runs itself (see cmake/toolchains/i686-linux-gnu.cmake).
qemu_of() {
  case "$1" in
    armhf) echo qemu-arm ;;
    i386)
      if [[ $(uname -m) == x86_64 ]]; then echo native; else echo qemu-i386; fi ;;
    *) echo "qemu-$1" ;;
  esac
}

if (($# == 0)); then
  echo "usage: $0 <cpu>... | all    (cpus: ${all_cpus[*]})" >&2
  exit 2
fi
cpus=()
for arg in "$@"; do
  if [[ $arg == all ]]; then
    cpus+=("${all_cpus[@]}")
  elif triple_of "$arg" >/dev/null; then
    cpus+=("$arg")
  else
    echo "$0: unknown cpu '$arg' (cpus: ${all_cpus[*]})" >&2
    exit 2
  fi
done

# Debian packages: the cross compilers, qemu-user, GoogleTest's sources, the build tools.
packages=(cmake ninja-build googletest qemu-user)
for cpu in "${cpus[@]}"; do packages+=("g++-$(triple_of "$cpu")"); done
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
  echo "cross: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build_root=${FUTON_BUILD_ROOT:-build}
mkdir -p "$build_root"
jobs=${FUTON_TEST_JOBS:-2}
failed=()
summary=()
for cpu in "${cpus[@]}"; do
  triple=$(triple_of "$cpu")
  qemu=$(qemu_of "$cpu")
  dir=$build_root/cross-$cpu
  start=$SECONDS
  echo
  echo "=== cross: Linux $cpu ($triple, $qemu) in $dir ($(date -u +%T))"

  # Death tests need the kernel to run a target program by itself (binfmt_misc); qemu then
  # finds the target's libraries through QEMU_LD_PREFIX.
  excluded=ParkingLotFork
  if [[ $qemu == native ]]; then
    excluded='^$'  # the kernel runs them: fork and death tests work as on x86-64
  elif [[ -e /proc/sys/fs/binfmt_misc/${qemu} ]]; then
    export QEMU_LD_PREFIX=/usr/$triple
  else
    echo "cross: binfmt_misc does not run $cpu programs here: death tests cannot re-exec"
  fi

  if cmake -S . -B "$dir" -G Ninja --toolchain "cmake/toolchains/$triple.cmake" \
       -DCMAKE_BUILD_TYPE=Debug >"$dir.configure.log" 2>&1; then
    # -k 0: a test program that does not compile for this CPU fails the run, but the others
    # still run (ctest reports the missing one as *_NOT_BUILT).
    build_failed=0
    cmake --build "$dir" -- -k 0 >"$dir.build.log" 2>&1 || build_failed=1
    built=$((SECONDS - start))
    echo "cross: $cpu built in ${built}s (log: $dir.build.log)"
    if ((build_failed)); then
      echo "cross: $cpu: BUILD FAILED for some targets:"
      grep -E "^FAILED|error:" "$dir.build.log" | head -20
    fi
    # What is left out, and why: see the top of this file.
    ctest --test-dir "$dir" -j "$jobs" --timeout 600 --output-on-failure -LE "install|model" \
      -E "$excluded" >"$dir.test.log" 2>&1 || true
    result=$(grep -E "tests passed" "$dir.test.log" || echo "no test result")
    # Failed tests whose output shows the death-test child's exec failing: not runnable here.
    unrunnable=$(awk '
      /^[0-9]+\/[0-9]+ Testing: / { name = $0; sub(/^[0-9]+\/[0-9]+ Testing: /, "", name); bad = 0 }
      /failed: Exec format error/ { bad = 1 }
      /^Test Failed/ { if (bad) print name }' "$dir/Testing/Temporary/LastTest.log" | sort -u)
    real_failures=$(sed 's/^[0-9]*://' "$dir/Testing/Temporary/LastTestsFailed.log" 2>/dev/null |
                    sort -u | comm -23 - <(echo "$unrunnable") | sed '/^$/d')
    n_unrunnable=$(sed '/^$/d' <<<"$unrunnable" | wc -l)
    echo "cross: $cpu: $result, built in ${built}s, tested in $((SECONDS - start - built))s"
    if ((n_unrunnable)); then
      echo "cross: $cpu: $n_unrunnable death tests not runnable without binfmt_misc (not failures):"
      sed 's/^/    /' <<<"$unrunnable"
    fi
    if ((!build_failed)) && grep -qE "tests passed" "$dir.test.log" && [[ -z $real_failures ]]; then
      summary+=("$cpu: $result; $n_unrunnable of them death tests not runnable here (${built}s build, $((SECONDS - start - built))s test)")
    else
      grep -E "\*\*\*|Failure" "$dir.test.log" | head -20 || true
      failed+=("$cpu")
      what="FAILED"
      ((build_failed)) && what="FAILED (some targets did not build: $dir.build.log)"
      summary+=("$cpu: $what: $result; failures: $(tr '\n' ' ' <<<"$real_failures") (log: $dir.test.log)")
    fi
  else
    echo "cross: $cpu failed to configure; see $dir.configure.log"
    tail -n 30 "$dir.configure.log"
    failed+=("$cpu")
    summary+=("$cpu: CONFIGURE FAILED")
  fi
done

echo
echo "=== cross: summary"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "cross: failed: ${failed[*]}"
  exit 1
fi
