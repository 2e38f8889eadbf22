// Why native: tfjs-backend-wasm runs these single-threaded and, for Sum over the leading axes (every bias
// gradient: [B,H,W,C] -> [C]), first transposes the whole tensor. At B=128 on the SAC-AE encoder these ops cost
// more than the convolutions themselves (see lib/backend/native.ts). Here they are one pass, on all threads.
#include "elementwise.h"
#include "parallel.h"

#include <omp.h>

#include <cmath>
#include <vector>

namespace seer {

void reduce_sum(const float* x, float* out, long outer, long reduce, long inner) {
  if (inner == 1) {  // contiguous rows: a dot-free horizontal sum per output
#pragma omp parallel for if (outer * reduce >= kParallelMin) schedule(static)
    for (long o = 0; o < outer; ++o) {
      const float* row = x + o * reduce;
      double acc = 0;
      for (long r = 0; r < reduce; ++r) acc += row[r];
      out[o] = float(acc);
    }
    return;
  }
  // Strided: each thread sums a slice of the reduced axis into its own double accumulators, then they are
  // added in thread order (deterministic for a fixed thread count).
  const int threads = outer * reduce * inner >= kParallelMin ? omp_get_max_threads() : 1;
  std::vector<double> partial(size_t(threads) * outer * inner, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    double* acc = partial.data() + size_t(t) * outer * inner;
    const long r0 = reduce * t / nt, r1 = reduce * (t + 1) / nt;
    for (long o = 0; o < outer; ++o) {
      double* a = acc + o * inner;
      for (long r = r0; r < r1; ++r) {
        const float* row = x + (o * reduce + r) * inner;
        for (long i = 0; i < inner; ++i) a[i] += row[i];
      }
    }
  }
  for (long j = 0; j < outer * inner; ++j) {
    double s = 0;
    for (int t = 0; t < threads; ++t) s += partial[size_t(t) * outer * inner + j];
    out[j] = float(s);
  }
}

template <typename Op>
static void binary_loop(Op op, const float* a, long na, const float* b, long nb, float* out, long n) {
  if (na == n && nb == n) {
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long j = 0; j < n; ++j) out[j] = op(a[j], b[j]);
  } else if (na == n && nb == 1) {
    const float s = b[0];
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long j = 0; j < n; ++j) out[j] = op(a[j], s);
  } else if (na == 1 && nb == n) {
    const float s = a[0];
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long j = 0; j < n; ++j) out[j] = op(s, b[j]);
  } else if (na == n) {  // b repeats every nb elements (per-channel bias)
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long row = 0; row < n / nb; ++row)
      for (long i = 0; i < nb; ++i) out[row * nb + i] = op(a[row * nb + i], b[i]);
  } else if (nb == n) {
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long row = 0; row < n / na; ++row)
      for (long i = 0; i < na; ++i) out[row * na + i] = op(a[i], b[row * na + i]);
  } else {  // general repeat of both (not produced by the JS side, kept correct anyway)
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long j = 0; j < n; ++j) out[j] = op(a[j % na], b[j % nb]);
  }
}

void binary(Binary op, const float* a, long na, const float* b, long nb, float* out, long n) {
  switch (op) {
    case Binary::add: return binary_loop([](float x, float y) { return x + y; }, a, na, b, nb, out, n);
    case Binary::sub: return binary_loop([](float x, float y) { return x - y; }, a, na, b, nb, out, n);
    case Binary::mul: return binary_loop([](float x, float y) { return x * y; }, a, na, b, nb, out, n);
    case Binary::div: return binary_loop([](float x, float y) { return x / y; }, a, na, b, nb, out, n);
    case Binary::relu_grad:
      // Two selects, no branch: the nested form compiled to a branch per element, which mispredicts on real
      // activations (~half positive): 4.6 ms against 0.15 ms for an add of the same [32,42,42,16] size.
      return binary_loop(
          [](float dy, float x) {
            const float s = x > 0.f ? 1.f : 0.f;
            return dy * (x != x ? x : s);  // step(NaN) = NaN
          },
          a, na, b, nb, out, n);
  }
}

void unary(Unary op, const float* x, float* out, long n, float alpha) {
  if (op == Unary::relu) {
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long j = 0; j < n; ++j) out[j] = x[j] > 0.f ? x[j] : (std::isnan(x[j]) ? x[j] : 0.f);
  } else {
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (long j = 0; j < n; ++j) out[j] = std::isnan(x[j]) ? x[j] : (x[j] > 0.f ? 1.f : alpha);
  }
}

void pixels_to_float(const unsigned char* src, float* out, long n, float divisor) {
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
  for (long j = 0; j < n; ++j) out[j] = float(src[j]) / divisor;
}

}  // namespace seer
