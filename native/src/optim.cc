// Why fused: written as tfjs ops, one Adam step is ~10 element-wise kernels per parameter (each a dispatch,
// a fresh output and a full pass over memory); here it is one pass that reads p, m, v, g once and writes
// p', m', v'. Float arithmetic in the same order as the op composition in lib/agents/adam.ts (no FMA
// contraction: the build does not enable FMA), so results agree with it to the last bit or so.
#include "optim.h"
#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace seer {

// One contiguous range; restrict (tfjs outputs are fresh buffers) lets the compiler vectorise without
// runtime overlap checks, which it gives up on for seven pointers.
static void adam_range(const AdamScalars& k, const float* __restrict p, const float* __restrict m,
                       const float* __restrict v, const float* __restrict g, float* __restrict p_out,
                       float* __restrict m_out, float* __restrict v_out, long j0, long j1) {
  const float b1 = k.beta1, b2 = k.beta2, c1 = k.c1, c2 = k.c2, step = k.step, eps = k.eps;
  for (long j = j0; j < j1; ++j) {
    const float gj = g[j];
    const float mj = m[j] * b1 + gj * c1;
    const float vj = v[j] * b2 + (gj * gj) * c2;
    p_out[j] = p[j] + (mj / (std::sqrt(vj) + eps)) * step;
    m_out[j] = mj;
    v_out[j] = vj;
  }
}

void adam_step(const AdamScalars& k, const float* p, const float* m, const float* v, const float* g, float* p_out,
               float* m_out, float* v_out, long n) {
  const int threads = n >= kParallelMin ? omp_get_max_threads() : 1;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    // Split on 16-float boundaries so each thread's slice starts cache-line aligned.
    const long blocks = (n + 15) / 16;
    const long j0 = std::min(n, blocks * t / nt * 16), j1 = std::min(n, blocks * (t + 1) / nt * 16);
    adam_range(k, p, m, v, g, p_out, m_out, v_out, j0, j1);
  }
}

void adam_step_multi(const AdamParam* params, int count) {
  long total = 0;
  for (int i = 0; i < count; ++i) total += params[i].n;
  const int threads = total >= kParallelMin ? omp_get_max_threads() : 1;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    // This thread's share of the concatenated elements, on 16-float boundaries, walked parameter by parameter.
    const long blocks = (total + 15) / 16;
    const long lo = std::min(total, blocks * t / nt * 16), hi = std::min(total, blocks * (t + 1) / nt * 16);
    long base = 0;
    for (int i = 0; i < count && base < hi; base += params[i].n, ++i) {
      const AdamParam& q = params[i];
      const long j0 = std::max(lo - base, 0L), j1 = std::min(hi - base, q.n);
      if (j0 < j1) adam_range(q.k, q.p, q.m, q.v, q.g, q.p_out, q.m_out, q.v_out, j0, j1);
    }
  }
}

double sum_squares(const float* x, long n) {
  const int threads = n >= kParallelMin ? omp_get_max_threads() : 1;
  std::vector<double> partial(size_t(threads), 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long j0 = n * t / nt, j1 = n * (t + 1) / nt;
    // Float products summed in double: four lanes so the loop vectorises without reassociating a single sum.
    double acc[4] = {0, 0, 0, 0};
    long j = j0;
    for (; j + 4 <= j1; j += 4)
      for (int l = 0; l < 4; ++l) acc[l] += double(x[j + l] * x[j + l]);
    for (; j < j1; ++j) acc[0] += double(x[j] * x[j]);
    partial[size_t(t)] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  }
  double s = 0;
  for (double v : partial) s += v;
  return s;
}

}  // namespace seer
