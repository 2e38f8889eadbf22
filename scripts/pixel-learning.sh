#!/usr/bin/env bash
# The long learning checks from pixels (issue: agents), outside CI: CURL on cartpole-swingup (100×100 frames cropped
# to 84, laptop scale: 10,000 agent steps = 80,000 env steps) and data-efficient Rainbow on MinAtar Breakout
# (84×84×4, 6,000 steps), one seed each, then a report (curves vs env steps, FLOPs, wall time; summary table).
#   bash scripts/pixel-learning.sh [out-dir]     default build/pixel-learning; re-running resumes unfinished runs
# Takes ~2 h on 2 cores (CURL dominates: ~0.6 s per update at batch 32 on the native backend).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/pixel-learning}
node bin/seer.js run --env cartpole-swingup --variant baseline --scale laptop --seed 0 --out "$out/runs/curl/cartpole-swingup__s0" --resume
node bin/seer.js run --env minatar/breakout --variant baseline --scale laptop --seed 0 --out "$out/runs/rainbow/minatar_breakout__s0" --resume
node bin/seer.js report --runs "$out/runs" --out "$out/report"
