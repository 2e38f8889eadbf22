// Fused optimizer passes (Adam step, sum of squares for global-norm clipping) over float32 parameters,
// multi-threaded with OpenMP; see optim.cc for why they are fused.
#pragma once

namespace seer {

// Per-step scalars of one Adam update, PyTorch semantics with the bias corrections folded in:
//   m' = beta1·m + c1·g,  v' = beta2·v + c2·g²,  p' = p + step·m' / (√v' + eps)
// where c1 = (1−beta1)·coef and c2 = (1−beta2)·coef² carry the global-norm clip coefficient, and
// step = −lr·√bc2/bc1, eps = eps·√bc2 (bc = 1 − beta^t).
struct AdamScalars {
  float beta1, beta2, c1, c2, step, eps;
};

// Reads p, m, v, g and writes p', m', v' (n floats each) to outputs that alias none of the inputs.
void adam_step(const AdamScalars& k, const float* p, const float* m, const float* v, const float* g, float* p_out,
               float* m_out, float* v_out, long n);

// One Adam update of several parameters in one parallel pass over all their elements (each element as adam_step
// computes it): params[i] = {p, m, v, g, p_out, m_out, v_out}, n[i] floats, k[i] its scalars.
struct AdamParam {
  const float *p, *m, *v, *g;
  float *p_out, *m_out, *v_out;
  long n;
  AdamScalars k;
};
void adam_step_multi(const AdamParam* params, int count);

// sum_j x[j]² in double, deterministic for a fixed thread count (per-thread partials added in order).
double sum_squares(const float* x, long n);

}  // namespace seer
