#!/usr/bin/env bash
# Copies the campaign's run records (manifest.json, log.jsonl, DONE; never checkpoints or locks) from
# $SEER_CAMPAIGN_ROOT (default ~/seer-campaign) into data/runs/benchmark, for committing. A run still being written
# may end its log in a torn line: the copy leaves it out (the log reader would drop it anyway).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
src=${SEER_CAMPAIGN_ROOT:-$HOME/seer-campaign}
dst=data/runs/benchmark
n=0
while read -r manifest; do
  run=${manifest#"$src"/}
  run=${run%/manifest.json}
  mkdir -p "$dst/$run"
  for f in manifest.json DONE; do [[ -f "$src/$run/$f" ]] && cp "$src/$run/$f" "$dst/$run/$f"; done
  # whole lines only
  node -e 'const fs=require("fs");const b=fs.readFileSync(process.argv[1]);const e=b.lastIndexOf(10);
    fs.writeFileSync(process.argv[2], e<0?Buffer.alloc(0):b.subarray(0,e+1))' "$src/$run/log.jsonl" "$dst/$run/log.jsonl"
  n=$((n + 1))
done < <(find "$src" -name manifest.json -not -path '*/checkpoints*' | sort)
echo "collected $n runs into $dst"
