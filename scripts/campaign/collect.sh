#!/usr/bin/env bash
# Copies the campaign's run records (manifest.json, log.jsonl, DONE; never checkpoints or locks) from
# $SEER_CAMPAIGN_ROOT (default ~/seer-campaign) into data/runs/benchmark, for committing. A run still being written
# may end its log in a torn line: the copy leaves it out (the log reader would drop it anyway).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
src=${SEER_CAMPAIGN_ROOT:-$HOME/seer-campaign}
dst=${SEER_COLLECT_INTO:-data/runs/benchmark} # elsewhere only for tests
n=0
while read -r manifest; do
  run=${manifest#"$src"/}
  run=${run%/manifest.json}
  # whole lines only, never over a longer committed log (copy-log.cjs): a run begun again is copied once caught up
  node scripts/campaign/copy-log.cjs "$src/$run/log.jsonl" "$dst/$run/log.jsonl" || continue
  for f in manifest.json DONE; do [[ -f "$src/$run/$f" ]] && cp "$src/$run/$f" "$dst/$run/$f"; done
  n=$((n + 1))
done < <(find "$src" -name manifest.json -not -path '*/checkpoints*' | sort)
echo "collected $n runs into $dst"
