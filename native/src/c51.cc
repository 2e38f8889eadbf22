// Why native: as tfjs ops the projection is ~20 dispatches, mostly broadcasts over [batch, atoms, atoms] that
// tfjs-backend-wasm runs single-threaded, on every Rainbow update (issue 21). The arithmetic is the composition's,
// element for element (no FMA contraction), and the final product goes through the same batch_matmul call as the
// BatchMatMul kernel, so the result is bit-identical.
#pragma GCC optimize("fp-contract=off")
#include "c51.h"

#include <vector>

#include "gemm.h"

namespace seer {

void c51_project(const float* probs, const float* returns, const float* discounts, const float* z, long batch,
                 long atoms, float vmin, float vmax, float dz, float* out) {
  std::vector<float> w(size_t(batch) * atoms * atoms);
  for (long b = 0; b < batch; ++b) {
    for (long j = 0; j < atoms; ++j) {
      const float shifted = discounts[b] * z[j];
      float tz = returns[b] + shifted;
      tz = tz < vmin ? vmin : (tz > vmax ? vmax : tz);
      const float pos = (tz - vmin) / dz;
      float* row = w.data() + (b * atoms + j) * atoms;
      for (long i = 0; i < atoms; ++i) {
        float d = pos - float(i);
        d = d < 0.f ? -d : d;
        const float u = 1.f - d;
        row[i] = u > 0.f ? u : 0.f;
      }
    }
  }
  GemmGeom g{int(batch), int(batch), int(batch), 1, int(atoms), int(atoms), 0, 0};
  batch_matmul(g, probs, w.data(), nullptr, 0, out, Activation::linear, 0.f);
}

}  // namespace seer
