// Memory-bound float32 helpers that tfjs runs on every training step (bias gradients, ReLU and its gradient),
// multi-threaded with OpenMP; see elementwise.cc for why they are here at all.
#pragma once
#include <cstddef>

namespace seer {

// out[o, i] = sum_r x[o, r, i] for x of shape [outer, reduce, inner] (row-major).
void reduce_sum(const float* x, float* out, long outer, long reduce, long inner);

// relu_grad: a * step(b) with step(NaN) = NaN, i.e. ReLU's gradient dy * (x > 0) in one pass.
enum class Binary : int { add = 0, sub = 1, mul = 2, div = 3, relu_grad = 4 };
// out[j] = a[j % na] op b[j % nb] for j < n, where na and nb each divide n (1 = scalar, n = same shape,
// otherwise a trailing-dims broadcast such as a per-channel bias).
void binary(Binary op, const float* a, long na, const float* b, long nb, float* out, long n);

enum class Unary : int { relu = 0, step = 1 };
// relu: max(x, 0); step: x > 0 ? 1 : alpha (NaN stays NaN), as tfjs defines them.
void unary(Unary op, const float* x, float* out, long n, float alpha);

// out[j] = float(src[j]) / divisor: uint8 pixels to float32 scaled values in one pass, the same float32 division as
// uploading them and dividing by a scalar tensor (the conv trunks' x / 255).
void pixels_to_float(const unsigned char* src, float* out, long n, float divisor);

}  // namespace seer
