// Factorised noisy linear layers (Fortunato et al. 2018; lib/nets/noisy.ts): forming the noisy weight and bias
// from (mu, sigma, eps_in, eps_out) and the weight sigma's gradient, each in one pass without materialising the
// outer product eps_in ⊗ eps_out.
#pragma once

namespace seer {

// w[i, j] = w_mu[i, j] + w_sigma[i, j] · (eps_in[i] · eps_out[j])  for i < in, j < out (row-major [in, out]);
// b[j] = b_mu[j] + b_sigma[j] · eps_out[j]. Float32 products and sum in exactly this order (the op composition
// mul(eps_in, eps_out), mul(sigma, ·), add(mu, ·)), so the results equal it bit for bit.
void noisy_params(const float* w_mu, const float* w_sigma, const float* b_mu, const float* b_sigma,
                  const float* eps_in, const float* eps_out, float* w, float* b, long in, long out);

// d_sigma[i, j] = dy[i, j] · (eps_in[i] · eps_out[j]): the gradient of w with respect to w_sigma.
void noisy_sigma_grad(const float* dy, const float* eps_in, const float* eps_out, float* d_sigma, long in, long out);

}  // namespace seer
