// oneDNN convolutions on caller-owned NHWC/HWIO float32 buffers (see conv.cc for the layout choice).
#pragma once
#include <cstddef>
#include <string>

#include "dnnl.hpp"

namespace seer {

// Mirrors the int32 `geom` array the JS side passes (same order). Dilations are tfjs-style (1 = none).
struct ConvGeom {
  int n, h, w, c;     // input NHWC
  int oc, kh, kw;     // filter HWIO = [kh, kw, c, oc]
  int oh, ow;         // output spatial size tfjs computed
  int sh, sw, dh, dw; // strides, dilations
  int pt, pl, pb, pr; // explicit padding top/left/bottom/right
};
constexpr int kConvGeomLen = 17;

// Same codes as tfjs-backend-wasm's FusableActivation (prelu, 3, is handled by the JS fallback).
enum class Activation : int { linear = 0, relu = 1, relu6 = 2, leakyrelu = 4, sigmoid = 5, elu = 6 };

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

void conv2d_forward(const ConvGeom& g, const float* x, const float* w, const float* bias, float* y, Activation act,
                    float alpha);
void conv2d_backward_data(const ConvGeom& g, const float* dy, const float* w, float* dx);
void conv2d_backward_weights(const ConvGeom& g, const float* x, const float* dy, float* dw);
// The oneDNN implementation names chosen for a shape (diagnostics: e.g. "brg_conv_fwd:avx512_core").
std::string conv2d_impls(const ConvGeom& g);
size_t conv_cache_size();

}  // namespace seer
