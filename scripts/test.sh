#!/usr/bin/env bash
# Runs the whole test suite: unit tests (node:test via tsx), then the headless notebook and browser checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export SEER_QUIET=${SEER_QUIET:-1}
mapfile -t files < <(find test -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${files[@]}"
