// Convolution forward / backward-data / backward-weights in oneDNN, NHWC activations and HWIO filters
// (the tfjs layouts), with primitives cached per shape.
//
// Why the weights are created with format_tag::any and reordered on every call: forcing hwio on the
// primitive makes oneDNN 2.6 fall back to x64:gemm:jit (~110 GFLOP/s); with `any` it picks a blocked weight
// layout and the brgconv/jit avx512 kernels (~300+ GFLOP/s on this CPU) while keeping NHWC activations, so
// only the small filter is reordered (tens of KiB), never the activations.
#include "conv.h"

#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace seer {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

engine& cpu_engine() {
  static engine eng(engine::kind::cpu, 0);
  return eng;
}
stream& cpu_stream() {
  static stream s(cpu_engine());
  return s;
}

namespace {

struct Dims {
  memory::dims src, wei, bias, dst, strides, dilates, pad_l, pad_r;
};

Dims dims_of(const ConvGeom& g) {
  Dims d;
  d.src = {g.n, g.c, g.h, g.w};
  d.wei = {g.oc, g.c, g.kh, g.kw};
  d.bias = {g.oc};
  d.dst = {g.n, g.oc, g.oh, g.ow};
  d.strides = {g.sh, g.sw};
  d.dilates = {g.dh - 1, g.dw - 1};  // oneDNN counts dilation from 0
  d.pad_l = {g.pt, g.pl};
  d.pad_r = {g.pb, g.pr};
  return d;
}

void check_geom(const ConvGeom& g) {
  const int vals[] = {g.n, g.h, g.w, g.c, g.oc, g.kh, g.kw, g.oh, g.ow, g.sh, g.sw, g.dh, g.dw};
  for (int v : vals)
    if (v <= 0) throw std::invalid_argument("conv geometry: sizes, strides and dilations must be positive");
  if (g.pt < 0 || g.pl < 0 || g.pb < 0 || g.pr < 0) throw std::invalid_argument("conv geometry: negative padding");
  // The output size oneDNN will derive must equal the one tfjs allocated, or memory would be overrun.
  const int eh = (g.kh - 1) * g.dh + 1, ew = (g.kw - 1) * g.dw + 1;
  const int oh = (g.h + g.pt + g.pb - eh) / g.sh + 1, ow = (g.w + g.pl + g.pr - ew) / g.sw + 1;
  if (oh != g.oh || ow != g.ow)
    throw std::invalid_argument("conv geometry: padding gives output " + std::to_string(oh) + "x" +
                                std::to_string(ow) + " but the caller expects " + std::to_string(g.oh) + "x" +
                                std::to_string(g.ow));
}

memory::desc user_weights(const Dims& d) { return memory::desc(d.wei, dt::f32, tag::hwio); }

// Forward-training pd without bias/post-ops: the hint both backward primitives require.
convolution_forward::primitive_desc fwd_hint(const Dims& d) {
  convolution_forward::desc fd(prop_kind::forward_training, algorithm::convolution_direct,
                               memory::desc(d.src, dt::f32, tag::nhwc), memory::desc(d.wei, dt::f32, tag::any),
                               memory::desc(d.dst, dt::f32, tag::nhwc), d.strides, d.dilates, d.pad_l, d.pad_r);
  return convolution_forward::primitive_desc(fd, cpu_engine());
}

// A reorder between the caller's HWIO filter and the layout the primitive chose; skipped when they agree.
struct WeightsBridge {
  bool needed = false;
  memory internal;  // owned buffer in the primitive's layout
  reorder prim;
  void init(const memory::desc& user, const memory::desc& chosen, bool to_user) {
    needed = user != chosen;
    if (!needed) return;
    internal = memory(chosen, cpu_engine());
    prim = to_user ? reorder(reorder::primitive_desc(cpu_engine(), chosen, cpu_engine(), user))
                   : reorder(reorder::primitive_desc(cpu_engine(), user, cpu_engine(), chosen));
  }
};

struct FwdEntry {
  convolution_forward::primitive_desc pd;
  convolution_forward prim;
  WeightsBridge w;
};
struct BwdDataEntry {
  convolution_backward_data::primitive_desc pd;
  convolution_backward_data prim;
  WeightsBridge w;
};
struct BwdWeightsEntry {
  convolution_backward_weights::primitive_desc pd;
  convolution_backward_weights prim;
  WeightsBridge w;
};

using Key = std::string;
Key key_of(const ConvGeom& g, int extra0 = 0, int extra1 = 0, float alpha = 0.f) {
  std::string k(reinterpret_cast<const char*>(&g), sizeof g);
  k.append(reinterpret_cast<const char*>(&extra0), sizeof extra0);
  k.append(reinterpret_cast<const char*>(&extra1), sizeof extra1);
  k.append(reinterpret_cast<const char*>(&alpha), sizeof alpha);
  return k;
}

std::map<Key, std::unique_ptr<FwdEntry>> fwd_cache;
std::map<Key, std::unique_ptr<BwdDataEntry>> bwd_data_cache;
std::map<Key, std::unique_ptr<BwdWeightsEntry>> bwd_weights_cache;

void append_activation(post_ops& po, Activation act, float alpha) {
  switch (act) {
    case Activation::linear: return;
    case Activation::relu: po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); return;
    case Activation::relu6: po.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); return;
    case Activation::leakyrelu: po.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); return;
    case Activation::sigmoid: po.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); return;
    case Activation::elu: po.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); return;
  }
  throw std::invalid_argument("unsupported fused activation code " + std::to_string(int(act)));
}

FwdEntry& fwd_entry(const ConvGeom& g, bool has_bias, Activation act, float alpha) {
  Key k = key_of(g, has_bias, int(act), alpha);
  auto it = fwd_cache.find(k);
  if (it != fwd_cache.end()) return *it->second;
  check_geom(g);
  Dims d = dims_of(g);
  memory::desc src(d.src, dt::f32, tag::nhwc), dst(d.dst, dt::f32, tag::nhwc);
  memory::desc wei(d.wei, dt::f32, tag::any);
  auto fd = has_bias ? convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, src,
                                                 wei, memory::desc(d.bias, dt::f32, tag::a), dst, d.strides,
                                                 d.dilates, d.pad_l, d.pad_r)
                     : convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, src,
                                                 wei, dst, d.strides, d.dilates, d.pad_l, d.pad_r);
  primitive_attr attr;
  post_ops po;
  append_activation(po, act, alpha);
  attr.set_post_ops(po);
  auto e = std::make_unique<FwdEntry>();
  e->pd = convolution_forward::primitive_desc(fd, attr, cpu_engine());
  e->prim = convolution_forward(e->pd);
  e->w.init(user_weights(d), e->pd.weights_desc(), false);
  return *(fwd_cache[k] = std::move(e));
}

BwdDataEntry& bwd_data_entry(const ConvGeom& g) {
  Key k = key_of(g);
  auto it = bwd_data_cache.find(k);
  if (it != bwd_data_cache.end()) return *it->second;
  check_geom(g);
  Dims d = dims_of(g);
  convolution_backward_data::desc bd(algorithm::convolution_direct, memory::desc(d.src, dt::f32, tag::nhwc),
                                     memory::desc(d.wei, dt::f32, tag::any),
                                     memory::desc(d.dst, dt::f32, tag::nhwc), d.strides, d.dilates, d.pad_l,
                                     d.pad_r);
  auto e = std::make_unique<BwdDataEntry>();
  e->pd = convolution_backward_data::primitive_desc(bd, cpu_engine(), fwd_hint(d));
  e->prim = convolution_backward_data(e->pd);
  e->w.init(user_weights(d), e->pd.weights_desc(), false);
  return *(bwd_data_cache[k] = std::move(e));
}

BwdWeightsEntry& bwd_weights_entry(const ConvGeom& g) {
  Key k = key_of(g);
  auto it = bwd_weights_cache.find(k);
  if (it != bwd_weights_cache.end()) return *it->second;
  check_geom(g);
  Dims d = dims_of(g);
  convolution_backward_weights::desc bw(algorithm::convolution_direct, memory::desc(d.src, dt::f32, tag::nhwc),
                                        memory::desc(d.wei, dt::f32, tag::any),
                                        memory::desc(d.dst, dt::f32, tag::nhwc), d.strides, d.dilates, d.pad_l,
                                        d.pad_r);
  auto e = std::make_unique<BwdWeightsEntry>();
  e->pd = convolution_backward_weights::primitive_desc(bw, cpu_engine(), fwd_hint(d));
  e->prim = convolution_backward_weights(e->pd);
  e->w.init(user_weights(d), e->pd.diff_weights_desc(), true);
  return *(bwd_weights_cache[k] = std::move(e));
}

memory wrap(const memory::desc& md, const float* p) { return memory(md, cpu_engine(), const_cast<float*>(p)); }

}  // namespace

void conv2d_forward(const ConvGeom& g, const float* x, const float* w, const float* bias, float* y, Activation act,
                    float alpha) {
  FwdEntry& e = fwd_entry(g, bias != nullptr, act, alpha);
  Dims d = dims_of(g);
  stream& s = cpu_stream();
  memory user_w = wrap(user_weights(d), w);
  if (e.w.needed) e.w.prim.execute(s, {{DNNL_ARG_FROM, user_w}, {DNNL_ARG_TO, e.w.internal}});
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, wrap(e.pd.src_desc(), x)},
                                          {DNNL_ARG_WEIGHTS, e.w.needed ? e.w.internal : user_w},
                                          {DNNL_ARG_DST, wrap(e.pd.dst_desc(), y)}};
  if (bias) args[DNNL_ARG_BIAS] = wrap(e.pd.bias_desc(), bias);
  e.prim.execute(s, args);
  s.wait();
}

void conv2d_backward_data(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  BwdDataEntry& e = bwd_data_entry(g);
  Dims d = dims_of(g);
  stream& s = cpu_stream();
  memory user_w = wrap(user_weights(d), w);
  if (e.w.needed) e.w.prim.execute(s, {{DNNL_ARG_FROM, user_w}, {DNNL_ARG_TO, e.w.internal}});
  e.prim.execute(s, {{DNNL_ARG_DIFF_DST, wrap(e.pd.diff_dst_desc(), dy)},
                     {DNNL_ARG_WEIGHTS, e.w.needed ? e.w.internal : user_w},
                     {DNNL_ARG_DIFF_SRC, wrap(e.pd.diff_src_desc(), dx)}});
  s.wait();
}

void conv2d_backward_weights(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  BwdWeightsEntry& e = bwd_weights_entry(g);
  Dims d = dims_of(g);
  stream& s = cpu_stream();
  memory user_dw = wrap(user_weights(d), dw);
  e.prim.execute(s, {{DNNL_ARG_SRC, wrap(e.pd.src_desc(), x)},
                     {DNNL_ARG_DIFF_DST, wrap(e.pd.diff_dst_desc(), dy)},
                     {DNNL_ARG_DIFF_WEIGHTS, e.w.needed ? e.w.internal : user_dw}});
  if (e.w.needed) e.w.prim.execute(s, {{DNNL_ARG_FROM, e.w.internal}, {DNNL_ARG_TO, user_dw}});
  s.wait();
}

std::string conv2d_impls(const ConvGeom& g) {
  return std::string("fwd=") + fwd_entry(g, false, Activation::linear, 0.f).pd.impl_info_str() +
         " bwd_data=" + bwd_data_entry(g).pd.impl_info_str() +
         " bwd_weights=" + bwd_weights_entry(g).pd.impl_info_str();
}

size_t conv_cache_size() { return fwd_cache.size() + bwd_data_cache.size() + bwd_weights_cache.size(); }

}  // namespace seer
