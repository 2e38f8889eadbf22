#!/usr/bin/env bash
# Prints the linker flags for binding.gyp: oneDNN plus OpenBLAS, preferring Debian's OpenMP build of OpenBLAS
# (libopenblas0-openmp) so that oneDNN and OpenBLAS share one libgomp thread pool.
set -euo pipefail
multi=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
omp=/usr/lib/$multi/openblas-openmp
if [[ -e $omp/libopenblas.so.0 ]]; then
  echo "-ldnnl $omp/libopenblas.so.0 -Wl,-rpath,$omp -fopenmp"
else
  echo "-ldnnl -lopenblas -fopenmp"
fi
