// Why native: tfjs-backend-wasm's MaxPoolGrad routes gradients to the wrong input for 'same' padding, and its
// replacement (lib/backend/kernels/max_pool_grad.ts) is a single-threaded JS loop: 37-54 ms of a 210-270 ms
// IMPALA fwd+bwd step at B=32 (loaded 2-vCPU VM). The same search here: 6.6 ms. The forward came along (a little
// faster than wasm's single-threaded one).
#include "pool.h"
#include "parallel.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace seer {

namespace {
// Channels per slice. Gradient tasks own disjoint channel slices of one sample, so threads never write the same
// dx element; 16 floats = one 64-byte line, so slices do not share lines when c is a multiple of 16.
constexpr int kBlock = 16;

// GCC/Clang vector extensions: SSE2 on the baseline x86-64 build, no intrinsics. Left to itself the compiler kept
// a branch per channel in the gradient, which mispredicts on real data and ran slower than the JS loop.
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

inline v4f load4(const float* p) {
  v4f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, v4f v) { std::memcpy(p, &v, sizeof v); }

// The clipped window of output (oy, ox): rows [y0, y1), columns [x0, x1).
struct Window {
  int y0, y1, x0, x1;
};
inline Window window(const PoolGeom& g, int oy, int ox) {
  return {std::max(0, oy * g.sh - g.pt), std::min(g.h, oy * g.sh - g.pt + g.kh), std::max(0, ox * g.sw - g.pl),
          std::min(g.w, ox * g.sw - g.pl + g.kw)};
}

// Max over one window for a slice of cw <= kBlock channels (V = cw / 4 when known at compile time), held in
// registers. `a > m ? a : m` is maxps exactly and lets NaN never win, as tfjs cpu's `pixel > max`; an empty
// window gives -inf, as there. xs points at the slice's channel 0 of pixel (0, 0) of the sample.
template <int V>
inline void max_slice(const PoolGeom& g, const float* xs, float* yp, Window win, int cw) {
  const int nv = V > 0 ? V : cw / 4;
  const float lowest = -std::numeric_limits<float>::infinity();
  v4f m[kBlock / 4];
  float tail[3] = {lowest, lowest, lowest};
  for (int v = 0; v < nv; ++v) m[v] = v4f{} + lowest;
  for (int iy = win.y0; iy < win.y1; ++iy)
    for (int ix = win.x0; ix < win.x1; ++ix) {
      const float* xp = xs + (long(iy) * g.w + ix) * g.c;
      for (int v = 0; v < nv; ++v) {
        const v4f a = load4(xp + 4 * v);
        m[v] = a > m[v] ? a : m[v];
      }
      for (int c = 4 * nv; c < cw; ++c) tail[c - 4 * nv] = xp[c] > tail[c - 4 * nv] ? xp[c] : tail[c - 4 * nv];
    }
  for (int v = 0; v < nv; ++v) store4(yp + 4 * v, m[v]);
  for (int c = 4 * nv; c < cw; ++c) yp[c] = tail[c - 4 * nv];
}

// Gradient of one output for a slice of cw <= kBlock channels: adds dy at the first window input (row-major)
// equal to y, the forward output, which is an exact copy of its window's max. Branch-free: every window position
// is visited and a lane adds +0 once found, leaving dx unchanged (dx starts at +0 and so never holds -0).
template <int V>
inline void route_slice(const PoolGeom& g, const float* xs, const float* yp, const float* dyp, float* dxs, Window win,
                        int cw) {
  const int nv = V > 0 ? V : cw / 4;
  v4i pending[kBlock / 4];
  bool tail_pending[3] = {true, true, true};
  for (int v = 0; v < nv; ++v) pending[v] = v4i{} == v4i{};  // all lanes set
  for (int iy = win.y0; iy < win.y1; ++iy)
    for (int ix = win.x0; ix < win.x1; ++ix) {
      const long i = (long(iy) * g.w + ix) * g.c;
      for (int v = 0; v < nv; ++v) {
        const v4i hit = (load4(xs + i + 4 * v) == load4(yp + 4 * v)) & pending[v];
        store4(dxs + i + 4 * v, load4(dxs + i + 4 * v) + (v4f)((v4i)load4(dyp + 4 * v) & hit));
        pending[v] &= ~hit;
      }
      for (int c = 4 * nv; c < cw; ++c) {
        const bool hit = tail_pending[c - 4 * nv] && xs[i + c] == yp[c];
        dxs[i + c] += hit ? dyp[c] : 0.f;
        tail_pending[c - 4 * nv] = tail_pending[c - 4 * nv] && !hit;
      }
    }
}
}  // namespace

void check_pool_geom(const PoolGeom& g) {
  const int vals[] = {g.n, g.h, g.w, g.c, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw};
  for (int v : vals)
    if (v <= 0) throw std::invalid_argument("pool geometry: sizes, window and strides must be positive");
  if (g.pt < 0 || g.pl < 0) throw std::invalid_argument("pool geometry: negative padding");
}

void max_pool(const PoolGeom& g, const float* x, float* y) {
  const long sample = long(g.h) * g.w * g.c;
#pragma omp parallel for collapse(2) if (g.n * sample >= kParallelMin) schedule(static)
  for (int n = 0; n < g.n; ++n) {
    for (int oy = 0; oy < g.oh; ++oy) {
      for (int ox = 0; ox < g.ow; ++ox) {
        const Window win = window(g, oy, ox);
        float* yp = y + ((long(n) * g.oh + oy) * g.ow + ox) * g.c;
        for (int c0 = 0; c0 < g.c; c0 += kBlock) {
          const float* xs = x + n * sample + c0;
          if (g.c - c0 >= kBlock) {
            max_slice<kBlock / 4>(g, xs, yp + c0, win, kBlock);
          } else {
            max_slice<0>(g, xs, yp + c0, win, g.c - c0);
          }
        }
      }
    }
  }
}

void max_pool_grad(const PoolGeom& g, const float* x, const float* y, const float* dy, float* dx) {
  const int blocks = (g.c + kBlock - 1) / kBlock;
  const long sample = long(g.h) * g.w * g.c;
#pragma omp parallel for collapse(2) if (g.n * sample >= kParallelMin) schedule(static)
  for (int n = 0; n < g.n; ++n) {
    for (int b = 0; b < blocks; ++b) {
      const int c0 = b * kBlock, cw = std::min(kBlock, g.c - c0);
      float* dxs = dx + n * sample + c0;
      const float* xs = x + n * sample + c0;
      if (cw == g.c) {
        std::memset(dxs, 0, sizeof(float) * sample);
      } else {
        for (long p = 0; p < long(g.h) * g.w; ++p) std::memset(dxs + p * g.c, 0, sizeof(float) * cw);
      }
      // Outputs in row-major order, so each dx element adds its contributions in the JS kernel's order.
      for (int oy = 0; oy < g.oh; ++oy) {
        for (int ox = 0; ox < g.ow; ++ox) {
          const Window win = window(g, oy, ox);
          const long o = ((long(n) * g.oh + oy) * g.ow + ox) * g.c + c0;
          if (cw == kBlock) {
            route_slice<kBlock / 4>(g, xs, y + o, dy + o, dxs, win, cw);
          } else {
            route_slice<0>(g, xs, y + o, dy + o, dxs, win, cw);
          }
        }
      }
    }
  }
}

}  // namespace seer
