#!/usr/bin/env bash
# Produces data/runs/<section>/ for one of the paper's sections (lib/plan/sections.ts), resumably:
#   scripts/run-section.sh compute [--scale laptop] [--jobs 2] [--root dir]
# Sections: compute memory impala transfer encoder-analysis resolution. Re-running continues where it stopped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node --import tsx lib/plan/section-run.ts "$@"
