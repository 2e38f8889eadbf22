// Batched matmul via OpenBLAS (the OpenMP build, so it shares libgomp's thread pool with oneDNN instead of
// oversubscribing the cores with a second pool of pthreads).
#include "gemm.h"

#include <cmath>
#include <stdexcept>
#include <string>

extern "C" {
// Declared here rather than via <cblas.h>: Debian ships that header per OpenBLAS variant directory.
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
}

namespace seer {

namespace {

inline float activate(float v, Activation act, float alpha) {
  switch (act) {
    case Activation::linear: return v;
    case Activation::relu: return v > 0.f ? v : 0.f;
    case Activation::relu6: return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    case Activation::leakyrelu: return v > 0.f ? v : alpha * v;
    case Activation::sigmoid: return 1.f / (1.f + std::exp(-v));
    case Activation::elu: return v > 0.f ? v : std::expm1(v);
  }
  return v;
}

}  // namespace

void batch_matmul(const GemmGeom& g, const float* a, const float* b, const float* bias, int bias_len, float* out,
                  Activation act, float alpha) {
  if (g.batch <= 0 || g.m < 0 || g.n < 0 || g.k < 0) throw std::invalid_argument("matmul: bad sizes");
  if ((g.batch_a != 1 && g.batch_a != g.batch) || (g.batch_b != 1 && g.batch_b != g.batch))
    throw std::invalid_argument("matmul: batch dims must be 1 or equal to the output batch");
  if (bias && bias_len != g.n && bias_len != 1)
    throw std::invalid_argument("matmul: bias must have n=" + std::to_string(g.n) + " or 1 entries, got " +
                                std::to_string(bias_len));
  const long sa = g.batch_a == 1 ? 0 : long(g.m) * g.k, sb = g.batch_b == 1 ? 0 : long(g.k) * g.n;
  const long so = long(g.m) * g.n;
  const int lda = g.trans_a ? g.m : g.k, ldb = g.trans_b ? g.k : g.n;
  for (int i = 0; i < g.batch; ++i) {
    float* c = out + i * so;
    float beta = 0.f;
    if (bias) {  // seed C with the bias and let sgemm accumulate onto it (beta = 1)
      for (int r = 0; r < g.m; ++r)
        for (int j = 0; j < g.n; ++j) c[long(r) * g.n + j] = bias[bias_len == 1 ? 0 : j];
      beta = 1.f;
    }
    if (g.k == 0) {
      if (!bias)
        for (long j = 0; j < so; ++j) c[j] = 0.f;
    } else if (g.m > 0 && g.n > 0) {
      cblas_sgemm(CblasRowMajor, g.trans_a ? CblasTrans : CblasNoTrans, g.trans_b ? CblasTrans : CblasNoTrans, g.m,
                  g.n, g.k, 1.f, a + i * sa, lda, b + i * sb, ldb, beta, c, g.n);
    }
  }
  if (act != Activation::linear) {
    const long total = so * g.batch;
#pragma omp parallel for if (total > (1 << 16)) schedule(static)
    for (long j = 0; j < total; ++j) out[j] = activate(out[j], act, alpha);
  }
}

}  // namespace seer
