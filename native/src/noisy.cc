// Why native: as tfjs ops, forming one noisy layer's weight is three passes over [in, out] (the outer product on
// wasm's broadcasting Multiply, then σ·ε and μ + ·), two fresh [in, out] tensors and five dispatches with the
// bias; Rainbow forms the target head's four layers on every update and the online head's after every optimizer
// step (issue 21). Here it is one pass that reads μ and σ and writes w. The build enables no FMA and the file
// turns contraction off, so every element is the same float32 product-then-sum as the composition.
#pragma GCC optimize("fp-contract=off")
#include "noisy.h"

#include "parallel.h"

namespace seer {

void noisy_params(const float* w_mu, const float* w_sigma, const float* b_mu, const float* b_sigma,
                  const float* eps_in, const float* eps_out, float* w, float* b, long in, long out) {
#pragma omp parallel for if (in * out >= kParallelMin) schedule(static)
  for (long i = 0; i < in; ++i) {
    const float ei = eps_in[i];
    const float* __restrict mu = w_mu + i * out;
    const float* __restrict sigma = w_sigma + i * out;
    float* __restrict row = w + i * out;
    for (long j = 0; j < out; ++j) {
      const float e = ei * eps_out[j];
      const float s = sigma[j] * e;
      row[j] = mu[j] + s;
    }
  }
  for (long j = 0; j < out; ++j) {
    const float s = b_sigma[j] * eps_out[j];
    b[j] = b_mu[j] + s;
  }
}

void noisy_sigma_grad(const float* dy, const float* eps_in, const float* eps_out, float* d_sigma, long in, long out) {
#pragma omp parallel for if (in * out >= kParallelMin) schedule(static)
  for (long i = 0; i < in; ++i) {
    const float ei = eps_in[i];
    const float* __restrict g = dy + i * out;
    float* __restrict row = d_sigma + i * out;
    for (long j = 0; j < out; ++j) {
      const float e = ei * eps_out[j];
      row[j] = g[j] * e;
    }
  }
}

}  // namespace seer
