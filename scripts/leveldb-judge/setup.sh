#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# LevelDB as the judge, step 1: builds LevelDB's db_bench twice from a LevelDB source checkout
# you already have, once as it is (port::Mutex = std::mutex, port::CondVar =
# std::condition_variable) and once with port/port_stdcxx.h switched to futon::mutex and
# futon::condition_variable. Nothing is downloaded.
#
#   bash scripts/leveldb-judge/setup.sh LEVELDB_SRC [WORKDIR]
#   e.g. bash scripts/leveldb-judge/setup.sh ~/src/leveldb /tmp/ldb &&
#        JUDGE_DIR=/tmp/ldb bash scripts/leveldb-judge/paired.sh fillseq 32 8 10000
#
# WORKDIR (default ./leveldb-judge-work) gets:
#   src-std, src-futon     copies of LEVELDB_SRC (remade on every run; LEVELDB_SRC is not touched)
#   futon-build, futon-install
#                          futon from the working tree of the repository this script lives in
#                          (uncommitted changes included), Release, no tests/tools/examples
#   build-std/db_bench, build-futon/db_bench
#                          Release, C++20, LEVELDB_BUILD_TESTS=OFF, the same flags on both sides;
#                          the futon side only adds futon's include directory and libfuton
# Edits to the copies:
#   both       if LevelDB's submodules third_party/googletest or third_party/benchmark are not
#              checked out, its CMakeLists.txt takes GoogleTest and Google Benchmark from
#              find_package (Debian: libgtest-dev, libgmock-dev, libbenchmark-dev) instead
#   src-futon  port/port_stdcxx.h: futon's two headers included, std::mutex ->
#              futon::mutex, std::condition_variable -> futon::condition_variable;
#              CMakeLists.txt: find_package(futon REQUIRED), leveldb links futon::futon
# Each edit is checked afterwards; when LevelDB's files changed so an edit does not apply, the
# script stops and says which. It ends by checking with nm that build-futon/db_bench contains
# futon::v0 symbols and build-std/db_bench none.
# Needs cmake, a C++20 compiler, nm; uses Ninja when installed. JOBS (default 2) sets the build's
# parallelism.
set -euo pipefail

die() {
  echo "setup.sh: error: $*" >&2
  exit 1
}
step() { echo "== $*"; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 LEVELDB_SRC [WORKDIR]" >&2
  echo "  e.g. $0 ~/src/leveldb /tmp/ldb" >&2
  exit 2
fi
[ -d "$1" ] || die "LEVELDB_SRC '$1' is not a directory"
SRC=$(cd "$1" && pwd)
for file in port/port_stdcxx.h CMakeLists.txt benchmarks/db_bench.cc; do
  [ -f "$SRC/$file" ] || die "'$SRC' does not look like a LevelDB source tree: no $file"
done
grep -q '^ *std::mutex mu_;$' "$SRC/port/port_stdcxx.h" ||
  die "$SRC/port/port_stdcxx.h has no 'std::mutex mu_;': not LevelDB's std port as it ships"
WORK=$(realpath -m "${2:-leveldb-judge-work}")
case "$WORK/" in
  "$SRC/"*) die "WORKDIR '$WORK' is inside LEVELDB_SRC '$SRC'" ;;
esac
mkdir -p "$WORK"
FUTON_SRC=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$FUTON_SRC/include/futon/mutex.hpp" ] || die "no futon repository at '$FUTON_SRC'"
JOBS=${JOBS:-2}
for tool in cmake nm; do
  command -v "$tool" >/dev/null || die "'$tool' not found"
done
GENERATOR=()
if command -v ninja >/dev/null; then
  GENERATOR=(-G Ninja)
fi

echo "leveldb-judge setup: LevelDB $SRC"
echo "  futon:   $FUTON_SRC"
echo "  workdir: $WORK (jobs: $JOBS)"

# --- copies of LevelDB -------------------------------------------------------------------------
MARK=.leveldb-judge-copy
for side in std futon; do
  dst=$WORK/src-$side
  if [ -e "$dst" ]; then
    [ -f "$dst/$MARK" ] || die "'$dst' exists and was not made by this script; remove it first"
    rm -rf "$dst"
  fi
  step "copying $SRC -> $dst"
  cp -a "$SRC" "$dst"
  touch "$dst/$MARK"
done

# --- both: GoogleTest / Google Benchmark from find_package when the submodules are absent -------
# LevelDB's benchmarks link gmock/gtest/benchmark from third_party/ (git submodules); db_bench uses
# neither library, but util/testutil.h includes gmock/gtest headers.
uses_packaged_gtest() {
  grep -q '^  find_package(benchmark REQUIRED)$' "$1" &&
    grep -q 'leveldb GTest::gmock GTest::gtest benchmark::benchmark)$' "$1" &&
    ! grep -q 'add_subdirectory("third_party/benchmark")' "$1"
}
patch_third_party() {
  local cml=$1/CMakeLists.txt
  if uses_packaged_gtest "$cml"; then
    echo "   $cml already uses find_package(GTest/benchmark)"
    return
  fi
  local find='  # [leveldb-judge] third_party submodules absent: packaged GTest/benchmark.'
  find+='\n  find_package(GTest REQUIRED)\n  find_package(benchmark REQUIRED)'
  # shellcheck disable=SC2016  # ${bench_target_name} is CMake's, matched literally
  local link='    target_link_libraries("${bench_target_name}" leveldb'
  sed -i \
    -e "s|^  add_subdirectory(\"third_party/benchmark\")\$|$find|" \
    -e "s|^\($link\) gmock gtest benchmark)\$|\1 GTest::gmock GTest::gtest benchmark::benchmark)|" \
    "$cml"
  uses_packaged_gtest "$cml" ||
    die "$cml: could not replace add_subdirectory(\"third_party/benchmark\") and the benchmarks'" \
      "target_link_libraries(... gmock gtest benchmark) with find_package(GTest/benchmark):" \
      "LevelDB's CMakeLists.txt changed; edit it by hand as described in $0"
}
if [ -f "$SRC/third_party/googletest/CMakeLists.txt" ] &&
  [ -f "$SRC/third_party/benchmark/CMakeLists.txt" ]; then
  step "third_party/googletest and third_party/benchmark present: CMakeLists.txt left as is"
else
  step "third_party submodules absent: CMakeLists.txt uses find_package(GTest/benchmark)"
  for side in std futon; do
    patch_third_party "$WORK/src-$side"
  done
fi

# --- src-futon: port::Mutex / port::CondVar wrap futon -----------------------------------------
step "src-futon: port/port_stdcxx.h -> futon::mutex, futon::condition_variable"
port=$WORK/src-futon/port/port_stdcxx.h
includes='\n#include <futon/condition_variable.hpp>\n#include <futon/mutex.hpp>'
sed -i \
  -e "s|^#include <cstdint>\$|&$includes|" \
  -e 's|^\( *\)std::mutex mu_;$|\1futon::mutex mu_;|' \
  -e 's|std::unique_lock<std::mutex>|std::unique_lock<futon::mutex>|' \
  -e 's|^\( *\)std::condition_variable cv_;$|\1futon::condition_variable cv_;|' \
  "$port"
failed=()
for header in condition_variable mutex; do
  grep -q "^#include <futon/$header.hpp>\$" "$port" || failed+=("#include <futon/$header.hpp>")
done
grep -q '^ *futon::mutex mu_;$' "$port" || failed+=("std::mutex mu_;")
grep -q 'std::unique_lock<futon::mutex>' "$port" || failed+=("std::unique_lock<std::mutex>")
grep -q '^ *futon::condition_variable cv_;$' "$port" || failed+=("std::condition_variable cv_;")
# Whatever still names std::mutex / std::condition_variable outside a comment was missed.
if left=$(grep -nE 'std::(mutex|condition_variable)' "$port" | grep -vE '^[0-9]+: *//'); then
  failed+=("left over: $left")
fi
if ((${#failed[@]})); then
  die "$port: these edits did not apply: ${failed[*]} (LevelDB's port/port_stdcxx.h changed;" \
    "edit it by hand as described in $0)"
fi
diff -u "$SRC/port/port_stdcxx.h" "$port" | sed 's/^/   /' || true

step "src-futon: CMakeLists.txt: leveldb links futon::futon"
cml=$WORK/src-futon/CMakeLists.txt
futon_lines='# [leveldb-judge] port::Mutex / port::CondVar wrap futon.'
futon_lines+='\nfind_package(futon REQUIRED)\ntarget_link_libraries(leveldb futon::futon)'
sed -i -e "s|^target_link_libraries(leveldb Threads::Threads)\$|&\n$futon_lines|" "$cml"
grep -q '^target_link_libraries(leveldb futon::futon)$' "$cml" ||
  die "$cml: no line 'target_link_libraries(leveldb Threads::Threads)' to add futon after:" \
    "LevelDB's CMakeLists.txt changed; add find_package(futon REQUIRED) and" \
    "target_link_libraries(leveldb futon::futon) by hand"

# --- futon ------------------------------------------------------------------------------------
step "building futon (Release) from $FUTON_SRC -> $WORK/futon-install"
cmake -S "$FUTON_SRC" -B "$WORK/futon-build" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DFUTON_BUILD_TESTS=OFF -DFUTON_BUILD_TOOLS=OFF -DFUTON_BUILD_EXAMPLES=OFF \
  -DCMAKE_INSTALL_PREFIX="$WORK/futon-install"
cmake --build "$WORK/futon-build" --parallel "$JOBS"
cmake --install "$WORK/futon-build"

# --- db_bench, both sides ---------------------------------------------------------------------
COMMON=("${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=20
  -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=ON -DLEVELDB_INSTALL=OFF)
step "configuring build-std and build-futon"
cmake -S "$WORK/src-std" -B "$WORK/build-std" "${COMMON[@]}"
cmake -S "$WORK/src-futon" -B "$WORK/build-futon" "${COMMON[@]}" \
  -DCMAKE_PREFIX_PATH="$WORK/futon-install"
for side in std futon; do
  step "building build-$side/db_bench"
  cmake --build "$WORK/build-$side" --parallel "$JOBS" --target db_bench
done

# --- check what each binary locks with ----------------------------------------------------------
step "checking the binaries with nm"
count() {
  local syms
  syms=$(nm -C "$1") || die "nm failed on $1"
  grep -c 'futon::v0' <<<"$syms" || true
}
std_n=$(count "$WORK/build-std/db_bench")
futon_n=$(count "$WORK/build-futon/db_bench")
echo "   futon::v0 symbols: build-std/db_bench $std_n, build-futon/db_bench $futon_n"
((futon_n > 0)) || die "build-futon/db_bench has no futon::v0 symbols: futon is not in it"
((std_n == 0)) || die "build-std/db_bench has futon::v0 symbols"

echo "done. std:   $WORK/build-std/db_bench"
echo "      futon: $WORK/build-futon/db_bench"
echo "next: JUDGE_DIR=$WORK bash $FUTON_SRC/scripts/leveldb-judge/paired.sh fillseq 32 8 10000"
