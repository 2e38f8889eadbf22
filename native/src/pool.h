// Max pooling forward and gradient on NHWC float32 buffers, multi-threaded with OpenMP (see pool.cc).
#pragma once

namespace seer {

// Mirrors the int32 `geom` array the JS side passes (same order).
struct PoolGeom {
  int n, h, w, c;      // input NHWC
  int oh, ow;          // output spatial size tfjs computed
  int kh, kw, sh, sw;  // window and strides
  int pt, pl;          // padding before (top, left); windows are clipped to the input, padding never wins
};
constexpr int kPoolGeomLen = 12;

// Throws std::invalid_argument for non-positive sizes or negative padding.
void check_pool_geom(const PoolGeom& g);

// y[n,oy,ox,c] = max of x over the clipped window (NaN never wins; an empty window gives -inf, as on tfjs cpu).
void max_pool(const PoolGeom& g, const float* x, float* y);

// dx = 0, then each dy[n,oy,ox,c] is added at the FIRST input of its window, in row-major order, equal to the
// forward output y[n,oy,ox,c] (tfjs cpu semantics; NaN outputs pass no gradient). dx must not alias the inputs.
void max_pool_grad(const PoolGeom& g, const float* x, const float* y, const float* dy, float* dx);

}  // namespace seer
