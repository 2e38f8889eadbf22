// Why native: as tfjs ops the online loss of a Rainbow update (dueling mean, log-softmax, one-hot selection, the
// weighted cross-entropy) and its gradient are ~65 dispatches on tensors of B·|A|·51 floats (issue 21), more engine
// time than arithmetic. The arithmetic here is the composition's, kernel by kernel: float32 element-wise ops (no FMA
// contraction), the reductions in the order the kernels use (tfjs-backend-wasm's Mean and Max: float, in order; the
// native Sum: a double accumulator, in order), and exp/log as wasm's Exp and Log compute them (below). So every output
// equals the composition's bit for bit (test/backend/rainbow_loss.test.ts).
#pragma GCC optimize("fp-contract=off")
#include "rainbow_loss.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace seer {

// exp as tfjs-backend-wasm's Exp computes it (Emscripten's musl expf). The inputs here are ≤ 0 (x − max, logp) or
// NaN. Over every float32 x ≤ 0, glibc's expf (2.36, x86-64, the FMA variant current CPUs get) gives the same bits
// but at one x: −63.0994606 (0xc27c65d9), where it rounds up to 0x11fa2993 and musl gives the correctly rounded
// 0x11fa2992. glibc's logf equals wasm's Log on every float32 in [1, 65536), where the log-sum-exp lies.
static inline float wasm_exp(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if (u == 0xc27c65d9u) {
    const uint32_t r = 0x11fa2992u;
    float y;
    std::memcpy(&y, &r, sizeof y);
    return y;
  }
  return std::exp(x);
}

// tfjs-backend-wasm's Max over a row: the first largest element, NaN when any element is NaN.
static float row_max(const float* x, long n) {
  float m = x[0];
  for (long j = 1; j < n; ++j)
    if (x[j] > m || x[j] != x[j]) m = x[j];
  return m;
}

void rainbow_loss_forward(const float* v, const float* a, const int* actions, const float* target,
                          const float* weights, long batch, long num_actions, long atoms, float* loss,
                          float* per_sample, float* logp) {
  const long A = num_actions, J = atoms;
  std::vector<float> mean(J), weighted(batch);
  for (long b = 0; b < batch; ++b) {
    const float* vb = v + b * J;
    const float* ab = a + b * A * J;
    float* lb = logp + b * A * J;
    // The dueling combination (Mean over actions, then Sub and Add), q kept in logp's rows.
    for (long j = 0; j < J; ++j) {
      float s = 0.f;
      for (long k = 0; k < A; ++k) s += ab[k * J + j];
      mean[j] = s / float(A);
    }
    for (long k = 0; k < A; ++k)
      for (long j = 0; j < J; ++j) {
        const float d = ab[k * J + j] - mean[j];
        lb[k * J + j] = vb[j] + d;
      }
    // tf.logSoftmax: q − max, exp, Sum, log, then the subtraction.
    for (long k = 0; k < A; ++k) {
      float* row = lb + k * J;
      const float m = row_max(row, J);
      double acc = 0;
      for (long j = 0; j < J; ++j) {
        row[j] = row[j] - m;
        acc += wasm_exp(row[j]);
      }
      const float ls = std::log(float(acc));
      for (long j = 0; j < J; ++j) row[j] = row[j] - ls;
    }
    // Σ_A logp·onehot (Sum over actions of the product with the one-hot mask), then −Σ_j target·logpA.
    const float* tb = target + b * J;
    double ce = 0;
    for (long j = 0; j < J; ++j) {
      double sel = 0;
      for (long k = 0; k < A; ++k) sel += lb[k * J + j] * (k == actions[b] ? 1.f : 0.f);
      ce += tb[j] * float(sel);
    }
    per_sample[b] = -float(ce);
    weighted[b] = weights[b] * per_sample[b];
  }
  float s = 0.f;
  for (long b = 0; b < batch; ++b) s += weighted[b];
  *loss = s / float(batch);
}

void rainbow_loss_backward(float dy, const float* dy_per_sample, const float* logp, const int* actions,
                           const float* target, const float* weights, long batch, long num_actions, long atoms,
                           float* dv, float* da) {
  const long A = num_actions, J = atoms;
  const float dmean = dy / float(batch);  // Mean's gradient: dy·1 / batch
  std::vector<float> dlogp_a(J);
  for (long b = 0; b < batch; ++b) {
    float g = dmean * weights[b];  // Multiply's gradient for per_sample
    if (dy_per_sample && dy_per_sample[b] != 0.f) g = g + dy_per_sample[b];
    const float ng = -g;  // Neg
    const float* tb = target + b * J;
    for (long j = 0; j < J; ++j) dlogp_a[j] = ng * tb[j];  // Multiply's gradient for logpA
    const float* lb = logp + b * A * J;
    float* db = da + b * A * J;
    for (long k = 0; k < A; ++k) {
      const float hot = k == actions[b] ? 1.f : 0.f;
      double acc = 0;
      for (long j = 0; j < J; ++j) {
        db[k * J + j] = dlogp_a[j] * hot;  // the one-hot product's gradient
        acc += db[k * J + j];
      }
      // logSoftmax's gradient dy − Σdy·exp(logp). For a row off the action Σdy is +0 and, with logp ≤ 0,
      // +0·exp(logp) is +0: the exp is skipped there, the value is the same.
      const float s = float(acc);
      for (long j = 0; j < J; ++j) {
        const float l = lb[k * J + j];
        const float t = (s == 0.f && l <= 0.f) ? 0.f : s * wasm_exp(l);
        db[k * J + j] = db[k * J + j] - t;
      }
    }
    // Add's gradient for v (Sum over actions) and Sub's and Mean's for a: dq + (−Σ_a dq) / |A|.
    for (long j = 0; j < J; ++j) {
      double acc = 0;
      for (long k = 0; k < A; ++k) acc += db[k * J + j];
      const float sv = float(acc);
      dv[b * J + j] = sv;
      const float dm = -sv / float(A);
      for (long k = 0; k < A; ++k) db[k * J + j] = db[k * J + j] + dm;
    }
  }
}

}  // namespace seer
