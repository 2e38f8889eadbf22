#!/usr/bin/env bash
# Sets up everything the workbook needs; safe to run again (each step skips what is already done).
#   1. Debian packages: Jupyter (headless notebook runs), Chromium (static figures, browser checks),
#      fonts, the BLAS/oneDNN libraries of the optional native addon, MuJoCo's samples (bench:env compares
#      the control suite against native `mujoco-testspeed`) and redis-server (the queue's tests start their own).
#      Installed only when missing, and only as root (otherwise it prints the apt-get command and carries on).
#   2. npm packages: `npm ci` into a fresh checkout, `npm install` when package-lock.json changed.
#   3. The project's tslab kernel, registered under build/jupyter (nothing global): scripts that run
#      notebooks find it through JUPYTER_PATH; for an interactive Jupyter, `source scripts/jupyter-env.sh`.
#   4. The optional native kernel addon (scripts/build-native.sh), when not built yet.
# Environment: SEER_SETUP_SKIP_APT=1 skips step 1; SEER_SETUP_PEERS=1 (`npm run setup:peers`) adds PyTorch 1.13 and
# numpy from Debian, which the benchmarks' PyTorch peers need (`npm run bench:agents`, `bench:nn`; not the tests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
log() { printf '[setup] %s\n' "$*"; }

# --- 1. Debian packages ------------------------------------------------------------------------------
APT_PACKAGES=(
  jupyter-nbconvert python3-nbclient python3-jupyter-client python3-ipykernel  # headless notebook runs
  chromium fonts-dejavu-core                                                   # static figures, browser checks
  g++ make libdnnl-dev libopenblas-dev libopenblas0-openmp                     # optional native kernels
  libmujoco-samples                                                            # mujoco-testspeed: native baseline of bench:env
  redis-server                                                                 # the queue's tests (test/queue/; README "Scaling out")
)
if [[ "${SEER_SETUP_PEERS:-}" == 1 ]]; then
  APT_PACKAGES+=(python3-torch python3-numpy)                                   # the PyTorch peers of bench/*.ts
fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [[ "${SEER_SETUP_SKIP_APT:-}" == 1 ]]; then
  log 'SEER_SETUP_SKIP_APT=1: not checking Debian packages'
elif ! command -v dpkg-query >/dev/null; then
  log 'not a Debian-like system: install Jupyter (nbconvert, nbclient) and Chromium yourself'
else
  missing=()
  for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    log "Debian packages present (${#APT_PACKAGES[@]})"
  elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has no package lists yet; one failed install is retried after an update.
    if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
      apt-get update
      apt-get install -y --no-install-recommends "${missing[@]}"
    fi
  else
    log "WARNING: missing Debian packages: ${missing[*]}"
    log "         run as root: apt-get install -y --no-install-recommends ${missing[*]}"
    log '         (notebook and browser tests skip without Jupyter/Chromium)'
  fi
fi

# --- 2. npm packages ----------------------------------------------------------------------------------
if [[ ! -d node_modules ]]; then
  if [[ -f package-lock.json ]]; then
    log 'npm ci'
    npm ci --no-audit --no-fund
  else
    log 'npm install'
    npm install --no-audit --no-fund
  fi
elif [[ package.json -nt node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log 'package.json or package-lock.json changed: npm install'
  npm install --no-audit --no-fund
  touch node_modules/.package-lock.json # npm leaves it alone when nothing changed; mark this state as seen
else
  log 'npm packages up to date'
fi

# --- 3. tslab kernel ----------------------------------------------------------------------------------
PREFIX="$ROOT/build/jupyter"
KERNEL_JSON="$PREFIX/share/jupyter/kernels/tslab/kernel.json"
LAUNCHER="$ROOT/scripts/tslab-kernel.cjs"
chmod +x "$LAUNCHER"
if [[ ! -x /usr/bin/python3 ]] || ! /usr/bin/python3 -c 'import jupyter_client' 2>/dev/null; then
  log 'WARNING: /usr/bin/python3 has no jupyter_client: tslab kernel not registered (install the Debian packages above)'
elif [[ -f "$KERNEL_JSON" ]] && grep -qF "\"$LAUNCHER\"" "$KERNEL_JSON"; then
  log "tslab kernel registered ($KERNEL_JSON)"
else
  log "registering the tslab kernel under $PREFIX"
  node node_modules/tslab/bin/tslab install --python=/usr/bin/python3 --binary="$LAUNCHER" --prefix="$PREFIX"
fi

# An interactive Jupyter server drops outputs over 1 MB/s by default; the inline plotly.js bundle is ~5 MB.
mkdir -p "$PREFIX/etc/jupyter"
echo '{"ServerApp": {"iopub_data_rate_limit": 1e10}}' >"$PREFIX/etc/jupyter/jupyter_server_config.json"
echo '{"NotebookApp": {"iopub_data_rate_limit": 1e10}}' >"$PREFIX/etc/jupyter/jupyter_notebook_config.json"

# --- 4. native kernels (optional) ---------------------------------------------------------------------
# Built once when missing; scripts/build-native.sh never fails (it says why and the wasm backend is used).
if [[ -f scripts/build-native.sh && ! -f native/build/Release/seer_native.node ]]; then
  log 'building the native kernel addon (optional; SEER_SKIP_NATIVE=1 skips)'
  bash scripts/build-native.sh || true
fi

# --- summary ------------------------------------------------------------------------------------------
if command -v jupyter >/dev/null && [[ -f "$KERNEL_JSON" ]]; then
  log "jupyter nbconvert $(PYDEVD_DISABLE_FILE_VALIDATION=1 jupyter nbconvert --version 2>/dev/null) with the tslab kernel"
fi
for c in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [[ -x $c ]]; then log "$($c --version 2>/dev/null | head -1)"; break; fi
done
log 'done'
