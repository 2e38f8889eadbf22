#!/usr/bin/env bash
# Builds the native kernel addon (native/, oneDNN + OpenBLAS) with node-gyp. Run by `npm install`; it never
# fails the install: when something is missing it prints one line saying what and how to get the fast path,
# and the workbook uses the wasm backend. SEER_SKIP_NATIVE=1 skips the build.
set -uo pipefail
cd "$(dirname "$0")/../native" || exit 0
fix="apt-get install -y g++ make python3 libdnnl-dev libopenblas-dev libopenblas0-openmp, then npm run build:native"
skip() {
  echo "[seer] native kernels not built ($1); using the wasm backend. For the oneDNN/OpenBLAS fast path: $fix"
  exit 0
}
[[ -n "${SEER_SKIP_NATIVE:-}" ]] && skip "SEER_SKIP_NATIVE is set"
[[ "$(uname -s)" == Linux ]] || skip "only Linux is supported, this is $(uname -s)"
for tool in g++ make python3; do command -v "$tool" >/dev/null || skip "no $tool on PATH"; done
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <dnnl.hpp>\nextern "C" void cblas_sgemm();\nint main(){dnnl::engine e(dnnl::engine::kind::cpu,0);cblas_sgemm();}\n' >"$probe/p.cc"
g++ -std=c++17 -I/usr/include/oneapi/dnnl "$probe/p.cc" -o "$probe/p" $(bash ./libs.sh) >"$probe/log" 2>&1 ||
  skip "cannot compile and link against oneDNN and OpenBLAS: $(grep -m1 -E 'error|cannot find' "$probe/log" | cut -c1-120)"
# npm passes its bundled node-gyp to install scripts; otherwise use the one bundled with npm, then npx.
gyp=${npm_config_node_gyp:-}
if [[ -z "$gyp" ]]; then
  bundled="$(dirname "$(command -v npm 2>/dev/null || echo /none)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  [[ -f "$bundled" ]] && gyp=$bundled
fi
# Build against the headers of the running node when they are installed (no download needed).
nodedir=${npm_config_nodedir:-}
prefix=$(dirname "$(dirname "$(command -v node)")")
[[ -z "$nodedir" && -f "$prefix/include/node/node_api.h" ]] && nodedir=$prefix
args=(rebuild ${nodedir:+--nodedir="$nodedir"})
log="${TMPDIR:-/tmp}/seer-build-native.log"
if [[ -n "$gyp" ]]; then node "$gyp" "${args[@]}" >"$log" 2>&1; else npx --yes node-gyp "${args[@]}" >"$log" 2>&1; fi ||
  skip "node-gyp failed, see $log"
node -e "const a=require('./build/Release/seer_native.node');const i=a.info();console.log('[seer] native kernels built: oneDNN '+i.onednn+', '+i.openblas.split(' ').slice(0,2).join(' ')+', '+i.threads+' threads')" 2>>"$log" ||
  skip "the built addon does not load, see $log"
