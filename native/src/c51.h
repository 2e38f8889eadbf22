// The categorical (C51) projection of Rainbow's target distribution (lib/agents/distributional.ts), one pass and one
// batched sgemm instead of ~20 tfjs ops.
#pragma once

namespace seer {

// For b < batch, j, i < atoms (float32, in this order, as the op composition computes them):
//   tz = clip(returns[b] + discounts[b]·z[j], vmin, vmax),  pos = (tz − vmin) / dz,
//   w[b, j, i] = max(1 − |pos − i|, 0),  out[b, :] = probs[b, :] · w[b]   (the same cblas_sgemm call per b as
// the batched matmul kernel makes for [batch, 1, atoms] × [batch, atoms, atoms]).
void c51_project(const float* probs, const float* returns, const float* discounts, const float* z, long batch,
                 long atoms, float vmin, float vmax, float dz, float* out);

}  // namespace seer
