#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Runs one SPIN model check and says whether the result is the expected one.
#
#   models/check.sh [--expect pass|fail] <model> [VARIANT ...]
#
#   <model>    a model name (pending_check) or a path to a .pml file
#   VARIANT    a define for the model, with or without -D: NO_BARRIER, -DNWAITERS=2, ...
#   --expect   pass: SPIN must find no error (the default without variants);
#              fail: SPIN must find at least one (the default with variants: planted bugs).
#
# Exit status: 0 if the result is as expected, 1 if not, 2 if the check could not run.
# Steps, in a temporary directory holding the model and the .pml files beside it (#include):
# spin -a [-D...] model.pml; cc -O2 [-DSAFETY] pan.c; ./pan.
# Models whose properties are assertions and end states are compiled with -DSAFETY; a model with
# an `ltl` formula or a `never` claim is compiled without it and run with -a (acceptance cycles).
# On an error the trail is replayed with `spin -t`, which prints the models' own one-line step
# messages; TRAIL=full prints every statement and the globals instead (`spin -t -p -g`).
# Environment: SPIN (default: spin), CC (default: cc), PAN_OPT (pan.c's optimisation, default
# -O2), PAN_FLAGS (extra ./pan flags), TRAIL.
set -euo pipefail

usage() {
  echo "usage: $0 [--expect pass|fail] <model> [VARIANT ...]" >&2
  exit 2
}

expect=""
if [[ $# -ge 1 && $1 == --expect ]]; then
  [[ $# -ge 2 ]] || usage
  expect=$2
  shift 2
elif [[ $# -ge 1 && $1 == --expect=* ]]; then
  expect=${1#--expect=}
  shift
fi
[[ $# -ge 1 ]] || usage
model=$1
shift

defines=()
for variant in "$@"; do
  if [[ $variant == -D* ]]; then defines+=("$variant"); else defines+=("-D$variant"); fi
done
if [[ -z $expect ]]; then
  if [[ ${#defines[@]} -eq 0 ]]; then expect=pass; else expect=fail; fi
fi
[[ $expect == pass || $expect == fail ]] || usage

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -f $model ]]; then
  source_file=$(cd "$(dirname "$model")" && pwd)/$(basename "$model")
elif [[ -f $here/$model.pml ]]; then
  source_file=$here/$model.pml
elif [[ -f $here/$model ]]; then
  source_file=$here/$model
else
  echo "check.sh: no model '$model' (looked for it as a path and in $here)" >&2
  exit 2
fi
name=$(basename "$source_file" .pml)

spin=${SPIN:-spin}
cc=${CC:-cc}
command -v "$spin" >/dev/null || { echo "check.sh: '$spin' not found (apt-get install spin)" >&2; exit 2; }
command -v "$cc" >/dev/null || { echo "check.sh: C compiler '$cc' not found" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/futon-model-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The model and the files it may #include (mutex_protocol.pml): every .pml beside it.
cp "$(dirname "$source_file")"/*.pml "$work/"
cp "$source_file" "$work/$name.pml"
cd "$work"

label="$name${defines[*]:+ ${defines[*]}}"
echo "== $label (expect: $expect)"

if ! "$spin" -a "${defines[@]}" "$name.pml" >spin.out 2>&1; then
  cat spin.out
  echo "check.sh: spin -a failed" >&2
  exit 2
fi

# Safety properties (assert, end states) unless the model has an LTL formula or never claim.
if grep -Eq '^[[:space:]]*(ltl|never)([[:space:]]|\{)' "$name.pml"; then
  cflags=("${PAN_OPT:--O2}" -w)
  pan_flags=(-a)
  mode="liveness (acceptance cycles)"
else
  cflags=("${PAN_OPT:--O2}" -w -DSAFETY)
  pan_flags=()
  mode="safety (assertions, invalid end states)"
fi
if ! "$cc" "${cflags[@]}" -o pan pan.c >cc.out 2>&1; then
  cat cc.out
  echo "check.sh: compiling pan.c failed" >&2
  exit 2
fi

# -m: search depth bound, far above what these models reach; hitting it makes a pass inconclusive.
# shellcheck disable=SC2086
./pan -m1000000 "${pan_flags[@]}" ${PAN_FLAGS:-} >pan.out 2>&1 || true

errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.out | tail -n 1)
if [[ -z $errors ]]; then
  cat pan.out
  echo "check.sh: could not read the result of ./pan" >&2
  exit 2
fi
states=$(sed -n 's/^ *\([0-9][0-9.e+]*\) states, stored.*/\1/p' pan.out | head -n 1)
transitions=$(sed -n 's/^ *\([0-9][0-9.e+]*\) transitions.*/\1/p' pan.out | head -n 1)
depth=$(sed -n 's/.*depth reached \([0-9][0-9]*\).*/\1/p' pan.out | head -n 1)
elapsed=$(sed -n 's/^pan: elapsed time \(.*\)$/\1/p' pan.out | head -n 1)
echo "   $mode: errors: $errors, states stored: ${states:-?}, transitions: ${transitions:-?}," \
  "depth: ${depth:-?}, time: ${elapsed:-?}"

if [[ $errors -gt 0 ]]; then
  echo "   SPIN found: $(grep -m1 -E '^pan:[0-9]+: ' pan.out | sed 's/^pan:[0-9]*: //')"
  trail=""
  for file in ./*.trail; do
    if [[ -e $file ]]; then trail=$file; break; fi
  done
  if [[ -n $trail ]]; then
    if [[ ${TRAIL:-} == full ]]; then
      "$spin" -t -p -g -k "$trail" "${defines[@]}" "$name.pml" >trail.out 2>&1 || true
      echo "   counterexample (spin -t -p -g):"
      sed 's/^/     | /' trail.out
    else
      # The models print one line per protocol step (printf), so the replay reads as a story.
      "$spin" -t -k "$trail" "${defines[@]}" "$name.pml" >trail.out 2>&1 || true
      echo "   counterexample (the models' own step messages; TRAIL=full for every statement):"
      sed -e 's/^[[:space:]]*//' -e '/^$/d' -e '/^#processes/,$d' trail.out | sed 's/^/     | /'
      steps=$(sed -n 's/^spin: trail ends after \([0-9]*\) steps.*/\1/p' trail.out)
      echo "     | (trail: ${steps:-?} steps)"
    fi
  fi
fi

incomplete=""
if grep -Eq 'max search depth too small|out of memory|search not completed' pan.out; then
  incomplete=yes
  grep -E 'max search depth too small|out of memory|search not completed' pan.out | sed 's/^/   /'
fi

if [[ $expect == pass ]]; then
  if [[ $errors -eq 0 && -z $incomplete ]]; then
    echo "   OK: no error in the full state space"
    exit 0
  fi
  [[ $errors -eq 0 ]] && echo "   UNEXPECTED: the search was not exhaustive" \
                      || echo "   UNEXPECTED: SPIN found an error in a model expected to pass"
  exit 1
fi
if [[ $errors -gt 0 ]]; then
  echo "   OK: SPIN rejects this variant, as expected"
  exit 0
fi
echo "   UNEXPECTED: SPIN found no error in a variant expected to fail"
exit 1
