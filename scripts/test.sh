#!/usr/bin/env bash
# Runs the whole test suite: the format check and unit tests (node:test via tsx), then the headless notebook and browser checks.
#   bash scripts/test.sh              everything (what `npm test` and .ci/run run)
#   bash scripts/test.sh --unit       unit tests only (everything outside test/notebooks/)
#   bash scripts/test.sh --notebooks  notebook execution and browser checks only (slower: a kernel per notebook)
# Both phases always run, so one failing does not hide the other; the exit status is non-zero if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export SEER_QUIET=${SEER_QUIET:-1}
export SEER_SCALE=smoke

phase=${1:-all}
case $phase in all | --unit | --notebooks) ;; *)
  echo "unknown option '$phase'. Accepted: --unit, --notebooks (or nothing for all)" >&2
  exit 2
  ;;
esac

status=0
if [[ $phase != --notebooks ]]; then
  echo "== format (prettier, .prettierrc.json: lines up to 120 characters; \`npm run format\` fixes)"
  npx prettier --check --log-level warn "{lib,test,scripts,bench,bin}/**/*.{ts,js,cjs}" || status=1
  mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/notebooks/*' | sort)
  echo "== unit tests (${#files[@]} files)"
  node --import tsx --test --test-concurrency=1 "${files[@]}" || status=1
fi
if [[ $phase != --unit ]]; then
  mapfile -t files < <(find test/notebooks -name '*.test.ts' | sort)
  echo "== notebook and browser tests (${#files[@]} files, SEER_SCALE=smoke)"
  node --import tsx --test --test-concurrency=1 "${files[@]}" || status=1
fi
exit $status
