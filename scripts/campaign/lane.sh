#!/usr/bin/env bash
# One lane of the benchmark campaign (data/runs/benchmark/plan.md): runs the runs listed in a lane file one after
# another, one core each. Every run resumes from its checkpoint, a finished one (DONE) is skipped, a failed one is
# retried twice; a SEER run waits for nothing: its lane lists it after its baseline.
#
#   bash scripts/campaign/lane.sh scripts/campaign/lanes/lane1.list         # in the background: nohup … &
#
# A lane file has "<section> <arm>/<run>" per line (# comments). Runs live under $SEER_CAMPAIGN_ROOT (default
# ~/seer-campaign)/<section>/<arm>/<run>, outside the repository (checkpoints are large); collect.sh copies their
# manifests and logs into data/runs/benchmark. Run lanes from a clean checkout of a landed commit: each manifest
# records the commit. SEER_NATIVE_THREADS defaults to 1 (one run per core, bench:lanes).
#
# The campaign root may not survive a session (the machine's disk is not kept): a run whose records are committed as
# finished (data/runs/benchmark/<section>/<arm>/<run>/DONE) and that is missing from the root gets those records
# back and is skipped. It has no checkpoints, so a later run that would fork from it runs from update 0 instead
# (lib/run/fork.ts; the same logs, at the cost of the updates the fork would have skipped).
set -uo pipefail
list=$(realpath "${1:?usage: lane.sh <lane file>}")
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=${SEER_CAMPAIGN_ROOT:-$HOME/seer-campaign}
export SEER_QUIET=1 SEER_NATIVE_THREADS=${SEER_NATIVE_THREADS:-1}
name=$(basename "$list" .list)
while read -r section run; do
  [[ -z "$section" || "$section" == \#* ]] && continue
  dir=$root/$section/$run
  committed=data/runs/benchmark/$section/$run
  if [[ ! -e "$dir" && -f "$committed/DONE" ]]; then
    mkdir -p "$dir" && cp "$committed"/{manifest.json,log.jsonl,DONE} "$dir/"
    echo "[$(date -u +%FT%TZ)] $name: restored $section $run from $committed (finished)"
  fi
  [[ -f "$dir/DONE" ]] && continue
  mkdir -p "$root/$section"
  for try in 1 2 3; do
    echo "[$(date -u +%FT%TZ)] $name: $section $run (try $try, $(git rev-parse --short HEAD))"
    if nice -n 10 node bin/seer.js section-job "$section" benchmark "$root/$section" "$dir" >>"$root/$name.out" 2>&1; then
      echo "[$(date -u +%FT%TZ)] $name: done $section $run"
      # A finished run needs no resume checkpoint; a baseline's fork point stays in checkpoints-fork/.
      [[ -f "$dir/DONE" ]] && rm -rf "$dir/checkpoints"
      break
    fi
    echo "[$(date -u +%FT%TZ)] $name: FAILED $section $run (try $try; see $root/$name.out)"
    sleep 30
  done
done <"$list"
