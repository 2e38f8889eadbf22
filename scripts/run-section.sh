#!/usr/bin/env bash
# Produces data/runs/<section>/ for one of the paper's sections (lib/plan/sections.ts), resumably; the same as
# `seer section` (lib/cli.ts):
#   scripts/run-section.sh compute [--scale laptop] [--jobs 2] [--root dir] [--status]
# Sections: compute memory impala transfer encoder-analysis resolution. Re-running continues where it stopped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node bin/seer.js section "$@"
