#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# LevelDB as the judge, step 2: paired A/B runs of LevelDB's db_bench built by setup.sh beside
# this script: std (port::Mutex = std::mutex, port::CondVar = std::condition_variable) against
# futon (futon::mutex, futon::condition_variable).
#
#   JUDGE_DIR=WORKDIR bash scripts/leveldb-judge/paired.sh BENCHMARKS THREADS PAIRS [NUM]
#   e.g. bash scripts/leveldb-judge/setup.sh ~/src/leveldb /tmp/ldb &&
#        JUDGE_DIR=/tmp/ldb bash scripts/leveldb-judge/paired.sh fillseq 32 8 10000
#
# Binaries: JUDGE_DIR (default ./leveldb-judge-work, setup.sh's default WORKDIR)/build-std/db_bench
# and .../build-futon/db_bench, or STD_BENCH and FUTON_BENCH when set.
# Each pair runs both binaries back to back with --benchmarks=BENCHMARKS --threads=THREADS
# --num=NUM (default 10000; every thread does NUM operations), alternating which goes first
# (pair 1: std first, pair 2: futon first, ...), each on a fresh --db directory under $TMPDIR
# (default /tmp), removed afterwards.
# Per run it records, for every benchmark in BENCHMARKS, the micros/op db_bench prints, and the
# user+system CPU seconds of the whole db_bench process (/usr/bin/time). Summary per benchmark:
#   thr ratio = median over pairs of (std micros/op / futon micros/op); > 1 = futon faster
#   wins      = pairs in which futon's micros/op was lower
#   cpu ratio = median over pairs of (futon CPU / std CPU) of the whole run (all benchmarks of
#               the run together, so the same on every line when BENCHMARKS has several)
# db_bench's micros/op is (sum of per-thread elapsed time) / (total ops), i.e. THREADS over the
# throughput; THREADS is the same on both sides, so the ratio is a throughput ratio.
# Environment: OUT (raw per-run rows, tab-separated; default a new $TMPDIR/paired-XXXXXX.tsv),
# EXTRA (further db_bench flags for both, e.g. EXTRA="--value_size=400").
# Needs /usr/bin/time (Debian: time) and python3.
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: [JUDGE_DIR=WORKDIR] $0 BENCHMARKS THREADS PAIRS [NUM]" >&2
  echo "  e.g. JUDGE_DIR=/tmp/ldb $0 fillseq,readrandom 32 10" >&2
  exit 2
fi
BENCHMARKS=$1
THREADS=$2
PAIRS=$3
NUM=${4:-10000}

JUDGE_DIR=${JUDGE_DIR:-leveldb-judge-work}
STD_BENCH=${STD_BENCH:-$JUDGE_DIR/build-std/db_bench}
FUTON_BENCH=${FUTON_BENCH:-$JUDGE_DIR/build-futon/db_bench}
EXTRA=${EXTRA:-}
for b in "$STD_BENCH" "$FUTON_BENCH"; do
  [ -x "$b" ] || {
    echo "paired.sh: missing binary: $b (run setup.sh, set JUDGE_DIR or STD_BENCH/FUTON_BENCH)" >&2
    exit 1
  }
done
[ -x /usr/bin/time ] || { echo "paired.sh: /usr/bin/time not found (Debian: time)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "paired.sh: python3 not found" >&2; exit 1; }

TMP=$(mktemp -d -t paired-work-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
OUT=${OUT:-$(mktemp -t paired-XXXXXX.tsv)}

printf 'pair\torder\timpl\tbenchmark\tmicros_per_op\tuser_s\tsys_s\n' >"$OUT"

# Lines of db_bench's report: "fillseq      :     268.123 micros/op;  ..."
# shellcheck disable=SC2016  # an awk pattern, awk's $2 and $4
REPORT='$2 == ":" && $4 ~ /^micros\/op/'

# run IMPL BINARY PAIR ORDER
run() {
  local impl=$1 bin=$2 pair=$3 order=$4
  local db="$TMP/db-$pair-$impl"
  rm -rf "$db"
  # shellcheck disable=SC2086  # EXTRA is split into flags on purpose
  if ! /usr/bin/time -f "%U %S" -o "$TMP/time" \
    "$bin" --db="$db" --benchmarks="$BENCHMARKS" --threads="$THREADS" --num="$NUM" $EXTRA \
    >"$TMP/out" 2>"$TMP/err"; then
    echo "db_bench ($impl) failed in pair $pair:" >&2
    cat "$TMP/err" "$TMP/out" >&2
    exit 1
  fi
  rm -rf "$db"
  local user sys
  read -r user sys < <(tail -n 1 "$TMP/time")
  awk -v p="$pair" -v o="$order" -v i="$impl" -v u="$user" -v s="$sys" \
    "$REPORT"' { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p, o, i, $1, $3, u, s }' \
    "$TMP/out" >>"$OUT"
  printf '  pair %s %-5s %s  (cpu %s+%s s)\n' "$pair" "$impl" \
    "$(awk "$REPORT"' { printf "%s=%s ", $1, $3 }' "$TMP/out")" "$user" "$sys" >&2
}

echo "paired: benchmarks=$BENCHMARKS threads=$THREADS pairs=$PAIRS num=$NUM extra='$EXTRA'" >&2
echo "  std:   $STD_BENCH" >&2
echo "  futon: $FUTON_BENCH" >&2
for ((p = 1; p <= PAIRS; p++)); do
  if ((p % 2 == 1)); then
    run std "$STD_BENCH" "$p" 1
    run futon "$FUTON_BENCH" "$p" 2
  else
    run futon "$FUTON_BENCH" "$p" 1
    run std "$STD_BENCH" "$p" 2
  fi
done
echo "raw results: $OUT" >&2

python3 - "$OUT" "$THREADS" "$NUM" <<'PY'
import csv, statistics, sys

path, threads, num = sys.argv[1:4]
with open(path) as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
data = {}  # (benchmark, pair) -> impl -> (micros/op, cpu s)
order = []
for r in rows:
    b = r["benchmark"]
    if b not in order:
        order.append(b)
    cpu = float(r["user_s"]) + float(r["sys_s"])
    data.setdefault((b, int(r["pair"])), {})[r["impl"]] = (float(r["micros_per_op"]), cpu)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


print(f"threads={threads} num={num}")
print(f"{'benchmark':<14}{'pairs':>6}{'thr ratio std/futon':>21}{'futon wins':>12}"
      f"{'cpu ratio futon/std':>21}{'std us/op':>12}{'futon us/op':>13}")
for b in order:
    pairs = [v for (bb, _), v in sorted(data.items()) if bb == b and "std" in v and "futon" in v]
    if not pairs:
        continue
    thr = [v["std"][0] / v["futon"][0] for v in pairs if v["futon"][0] > 0]
    wins = sum(1 for v in pairs if v["futon"][0] < v["std"][0])
    cpu = [v["futon"][1] / v["std"][1] for v in pairs if v["std"][1] > 0]
    std_us = med([v["std"][0] for v in pairs])
    futon_us = med([v["futon"][0] for v in pairs])
    print(f"{b:<14}{len(pairs):>6}{med(thr):>21.3f}{f'{wins}/{len(pairs)}':>12}"
          f"{med(cpu):>21.3f}{std_us:>12.3f}{futon_us:>13.3f}")
PY
