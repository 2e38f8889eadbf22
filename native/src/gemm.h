// Batched float32 matmul through OpenBLAS sgemm, with an optional fused bias and activation.
#pragma once
#include "conv.h"

namespace seer {

struct GemmGeom {
  int batch, batch_a, batch_b;  // output batch; a/b batch is 1 (broadcast) or == batch
  int m, n, k;
  int trans_a, trans_b;          // a is [k,m] when trans_a, b is [n,k] when trans_b (row-major)
};
constexpr int kGemmGeomLen = 8;

// out[b] = act(op(a[b]) · op(b[b]) + bias); bias has n entries (per column) or 1, or is null.
void batch_matmul(const GemmGeom& g, const float* a, const float* b, const float* bias, int bias_len, float* out,
                  Activation act, float alpha);

}  // namespace seer
