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
  # Whole lines only; and never a shorter log over a longer committed one (a run begun again after the campaign
  # root was lost writes the same records, so its copy waits until it has caught up).
  if ! node -e 'const fs=require("fs");const b=fs.readFileSync(process.argv[1]);const e=b.lastIndexOf(10);
      const whole=e<0?Buffer.alloc(0):b.subarray(0,e+1);
      const old=fs.existsSync(process.argv[2])?fs.statSync(process.argv[2]).size:0;
      if(whole.length<old){console.error(`kept ${process.argv[2]}: it holds more than the live run so far`);process.exit(3)}
      fs.mkdirSync(require("path").dirname(process.argv[2]),{recursive:true});fs.writeFileSync(process.argv[2],whole)' \
    "$src/$run/log.jsonl" "$dst/$run/log.jsonl"; then
    continue
  fi
  for f in manifest.json DONE; do [[ -f "$src/$run/$f" ]] && cp "$src/$run/$f" "$dst/$run/$f"; done
  n=$((n + 1))
done < <(find "$src" -name manifest.json -not -path '*/checkpoints*' | sort)
echo "collected $n runs into $dst"
