#!/usr/bin/env bash
# Starts and stops all the campaign's lanes together (data/runs/benchmark/plan.md, How the campaign runs):
#
#   bash scripts/campaign/lanes.sh start   # one lane.sh per scripts/campaign/lanes/*.list (or per file named after
#                                          # `start`), in the background
#   bash scripts/campaign/lanes.sh stop    # every lane of this campaign root, its runs checkpointed first
#
# Run it from the clean checkout the lanes run from (each manifest records that checkout's commit). Background
# processes die with a session, so a session starts the lanes early and stops them before it ends; every run resumes
# from its checkpoint. `start` refuses while a lane of the same root runs (two lanes on one list would race for its
# runs), and in a checkout with uncommitted changes to tracked files (its manifests would name the wrong commit). `stop` ends the lane loops before their runs: a run stopped first would count as ended, and its loop would
# start the next run (or retry this one). Each run gets SIGTERM, which it honours at the end of its episode after
# writing a checkpoint; `stop` waits for that (SEER_STOP_WAIT seconds, default 600) and says which runs are still up.
set -uo pipefail
caller=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=${SEER_CAMPAIGN_ROOT:-$HOME/seer-campaign}

# The lane loops of this root (lane.sh reads SEER_CAMPAIGN_ROOT, default ~/seer-campaign).
lane_pids() {
  local p r
  for p in $(pgrep -f 'scripts/campaign/lane\.sh'); do
    r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^SEER_CAMPAIGN_ROOT=//p')
    [[ "${r:-$HOME/seer-campaign}" == "$root" ]] && echo "$p"
  done
}

# The runs the lanes of this root started: `node bin/seer.js section-job <section> benchmark <root>/<section> <dir>`.
job_pids() {
  local p args
  for p in $(pgrep -f 'section-job'); do
    args=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
    [[ "$args" == *" section-job "*" benchmark $root/"* ]] && echo "$p"
  done
}

stamp() { date -u +%FT%TZ; }

case "${1:-}" in
  start)
    # Each manifest records the commit its run started from: uncommitted changes would make that a lie.
    if [[ -n "$(git status --porcelain --untracked-files=no)" && "${SEER_LANES_DIRTY_OK:-}" != 1 ]]; then
      echo "lanes.sh: $(pwd) has uncommitted changes to tracked files; run the lanes from a clean checkout of a" \
        "landed commit (git worktree add --detach <dir> <commit>), or set SEER_LANES_DIRTY_OK=1 to test" >&2
      exit 1
    fi
    running=$(lane_pids)
    if [[ -n "$running" ]]; then
      echo "lanes.sh: lanes of $root are running already (pids $(echo $running)); stop them first" >&2
      exit 1
    fi
    mkdir -p "$root"
    shift
    lists=()
    for f in "$@"; do lists+=("$(cd "$caller" && realpath -e "$f")") || exit 2; done
    ((${#lists[@]})) || lists=(scripts/campaign/lanes/*.list)
    for list in "${lists[@]}"; do
      name=$(basename "$list" .list)
      SEER_CAMPAIGN_ROOT=$root nohup bash scripts/campaign/lane.sh "$list" >>"$root/$name.status" 2>&1 </dev/null &
      echo "[$(stamp)] started $name ($(git rev-parse --short HEAD)), status in $root/$name.status"
    done
    ;;
  stop)
    lanes=$(lane_pids)
    [[ -n "$lanes" ]] && kill -TERM $lanes 2>/dev/null
    jobs=$(job_pids)
    if [[ -z "$lanes$jobs" ]]; then
      echo "[$(stamp)] no lane of $root is running"
      exit 0
    fi
    [[ -n "$jobs" ]] && kill -TERM $jobs 2>/dev/null
    echo "[$(stamp)] stopped $(echo $lanes | wc -w) lane loops; waiting for $(echo $jobs | wc -w) runs to checkpoint"
    deadline=$((SECONDS + ${SEER_STOP_WAIT:-600}))
    while [[ -n "$(job_pids)" && $SECONDS -lt $deadline ]]; do sleep 2; done
    left=$(job_pids)
    if [[ -n "$left" ]]; then
      echo "[$(stamp)] still running after ${SEER_STOP_WAIT:-600} s: pids $(echo $left)" >&2
      exit 1
    fi
    echo "[$(stamp)] every run of $root has stopped"
    ;;
  *)
    echo "usage: lanes.sh start|stop   (SEER_CAMPAIGN_ROOT, default ~/seer-campaign; got '${1:-}')" >&2
    exit 2
    ;;
esac
