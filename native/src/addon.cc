// N-API entry points. Every call is synchronous on the JS thread and works in place on the Float32Arrays it
// is given (in practice, views on the tfjs wasm heap), so it must never call back into JS or allocate there.
// Any exception — a dnnl::error carries oneDNN's status and message — becomes a thrown JS Error.
#define NAPI_VERSION 8
#include <node_api.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "c51.h"
#include "conv.h"
#include "elementwise.h"
#include "frames.h"
#include "gemm.h"
#include "noisy.h"
#include "optim.h"
#include "pool.h"
#include "rainbow_loss.h"

extern "C" {
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}

namespace {

struct JsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

#define NAPI_OK(call)                                                   \
  do {                                                                  \
    if ((call) != napi_ok) throw JsError("node-api call failed: " #call); \
  } while (0)

// A typed array argument's data and element count, in place (on the wasm heap for tensor views); throws
// "<name> must be <what>" when v is not a typed array of `type`.
struct View {
  void* data = nullptr;
  size_t len = 0;
};

View typed_arg(napi_env env, napi_value v, const char* name, napi_typedarray_type type, const std::string& what) {
  bool is_ta = false;
  NAPI_OK(napi_is_typedarray(env, v, &is_ta));
  napi_typedarray_type got = napi_int8_array;
  View view;
  if (is_ta) NAPI_OK(napi_get_typedarray_info(env, v, &got, &view.len, &view.data, nullptr, nullptr));
  if (!is_ta || got != type) throw JsError(std::string(name) + " must be " + what);
  return view;
}

struct F32 {
  float* data = nullptr;
  size_t len = 0;
};

F32 f32_arg(napi_env env, napi_value v, const char* name, bool nullable = false) {
  napi_valuetype t;
  NAPI_OK(napi_typeof(env, v, &t));
  if (nullable && (t == napi_null || t == napi_undefined)) return {};
  View view = typed_arg(env, v, name, napi_float32_array, "a Float32Array");
  // A view whose wasm heap grew after it was taken is detached (length 0, data null): say so plainly.
  if (view.data == nullptr && view.len == 0)
    throw JsError(std::string(name) + " is empty or detached (wasm heap grew?)");
  return {static_cast<float*>(view.data), view.len};
}

// A Uint8Array argument's bytes (null data with length 0 when empty).
struct U8 {
  unsigned char* data = nullptr;
  size_t len = 0;
};

U8 u8_arg(napi_env env, napi_value v, const char* name) {
  View view = typed_arg(env, v, name, napi_uint8_array, "a Uint8Array");
  return {static_cast<unsigned char*>(view.data), view.len};
}

// An Int32Array argument of length n, in place (a view on the wasm heap).
const int* i32_arg(napi_env env, napi_value v, const char* name, size_t n) {
  const std::string what = "an Int32Array of length " + std::to_string(n);
  View view = typed_arg(env, v, name, napi_int32_array, what);
  if (view.len != n) throw JsError(std::string(name) + " must be " + what);
  return static_cast<const int*>(view.data);
}

void int32_arg(napi_env env, napi_value v, const char* name, int* out, size_t n) {
  std::memcpy(out, i32_arg(env, v, name, n), n * sizeof(int));
}

double number_arg(napi_env env, napi_value v, const char* name) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw JsError(std::string(name) + " must be a number");
  return d;
}

void need(const F32& a, size_t n, const char* name) {
  if (a.len < n)
    throw JsError(std::string(name) + " has " + std::to_string(a.len) + " floats, needs " + std::to_string(n));
}

seer::Activation activation_arg(napi_env env, napi_value v) {
  int code = int(number_arg(env, v, "activation"));
  switch (code) {
    case 0: case 1: case 2: case 4: case 5: case 6: return seer::Activation(code);
  }
  throw JsError("activation code " + std::to_string(code) +
                " not supported natively (accepted: 0 linear, 1 relu, 2 relu6, 4 leakyrelu, 5 sigmoid, 6 elu)");
}

template <size_t N>
void get_args(napi_env env, napi_callback_info info, napi_value (&argv)[N], size_t min_args) {
  size_t argc = N;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < min_args) throw JsError("expected " + std::to_string(min_args) + " arguments");
  for (size_t i = argc; i < N; ++i) NAPI_OK(napi_get_undefined(env, &argv[i]));
}

// One call at a time per process: the primitive caches are shared by every worker thread that loads the addon.
std::mutex call_mutex;

// Runs body, turning any C++ exception into a JS Error (dnnl::error's what() is oneDNN's message).
template <typename F>
napi_value guarded(napi_env env, const char* op, F body) {
  try {
    std::lock_guard<std::mutex> lock(call_mutex);
    return body();
  } catch (const dnnl::error& e) {
    std::string msg = std::string(op) + ": oneDNN status " + std::to_string(int(e.status)) + ": " + e.what();
    napi_throw_error(env, nullptr, msg.c_str());
  } catch (const std::exception& e) {
    std::string msg = std::string(op) + ": " + e.what();
    napi_throw_error(env, nullptr, msg.c_str());
  }
  return nullptr;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

seer::ConvGeom conv_geom(napi_env env, napi_value v) {
  seer::ConvGeom g;
  static_assert(sizeof(seer::ConvGeom) == seer::kConvGeomLen * sizeof(int), "ConvGeom layout");
  int32_arg(env, v, "geom", reinterpret_cast<int*>(&g), seer::kConvGeomLen);
  return g;
}

size_t x_size(const seer::ConvGeom& g) { return size_t(g.n) * g.h * g.w * g.c; }
size_t w_size(const seer::ConvGeom& g) { return size_t(g.kh) * g.kw * g.c * g.oc; }
size_t y_size(const seer::ConvGeom& g) { return size_t(g.n) * g.oh * g.ow * g.oc; }

// conv2dForward(x, w, bias|null, y, geom, activation, alpha)
napi_value Conv2dForward(napi_env env, napi_callback_info info) {
  return guarded(env, "conv2dForward", [&]() {
    napi_value argv[7];
    get_args(env, info, argv, 5);
    F32 x = f32_arg(env, argv[0], "x"), w = f32_arg(env, argv[1], "filter");
    F32 bias = f32_arg(env, argv[2], "bias", true), y = f32_arg(env, argv[3], "out");
    seer::ConvGeom g = conv_geom(env, argv[4]);
    napi_valuetype t;
    NAPI_OK(napi_typeof(env, argv[5], &t));
    seer::Activation act = t == napi_undefined ? seer::Activation::linear : activation_arg(env, argv[5]);
    NAPI_OK(napi_typeof(env, argv[6], &t));
    float alpha = t == napi_undefined ? 0.f : float(number_arg(env, argv[6], "alpha"));
    need(x, x_size(g), "x");
    need(w, w_size(g), "filter");
    need(y, y_size(g), "out");
    if (bias.data) need(bias, size_t(g.oc), "bias");
    seer::conv2d_forward(g, x.data, w.data, bias.data, y.data, act, alpha);
    return undefined(env);
  });
}

// conv2dBackwardData(dy, w, dx, geom)
napi_value Conv2dBackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, "conv2dBackwardData", [&]() {
    napi_value argv[4];
    get_args(env, info, argv, 4);
    F32 dy = f32_arg(env, argv[0], "dy"), w = f32_arg(env, argv[1], "filter"), dx = f32_arg(env, argv[2], "dx");
    seer::ConvGeom g = conv_geom(env, argv[3]);
    need(dy, y_size(g), "dy");
    need(w, w_size(g), "filter");
    need(dx, x_size(g), "dx");
    seer::conv2d_backward_data(g, dy.data, w.data, dx.data);
    return undefined(env);
  });
}

// conv2dBackwardWeights(x, dy, dw, geom)
napi_value Conv2dBackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, "conv2dBackwardWeights", [&]() {
    napi_value argv[4];
    get_args(env, info, argv, 4);
    F32 x = f32_arg(env, argv[0], "x"), dy = f32_arg(env, argv[1], "dy"), dw = f32_arg(env, argv[2], "dw");
    seer::ConvGeom g = conv_geom(env, argv[3]);
    need(x, x_size(g), "x");
    need(dy, y_size(g), "dy");
    need(dw, w_size(g), "dw");
    seer::conv2d_backward_weights(g, x.data, dy.data, dw.data);
    return undefined(env);
  });
}

// matmul(a, b, bias|null, out, geom, activation, alpha)
napi_value Matmul(napi_env env, napi_callback_info info) {
  return guarded(env, "matmul", [&]() {
    napi_value argv[7];
    get_args(env, info, argv, 5);
    F32 a = f32_arg(env, argv[0], "a"), b = f32_arg(env, argv[1], "b");
    F32 bias = f32_arg(env, argv[2], "bias", true), out = f32_arg(env, argv[3], "out");
    seer::GemmGeom g;
    static_assert(sizeof(seer::GemmGeom) == seer::kGemmGeomLen * sizeof(int), "GemmGeom layout");
    int32_arg(env, argv[4], "geom", reinterpret_cast<int*>(&g), seer::kGemmGeomLen);
    napi_valuetype t;
    NAPI_OK(napi_typeof(env, argv[5], &t));
    seer::Activation act = t == napi_undefined ? seer::Activation::linear : activation_arg(env, argv[5]);
    NAPI_OK(napi_typeof(env, argv[6], &t));
    float alpha = t == napi_undefined ? 0.f : float(number_arg(env, argv[6], "alpha"));
    need(a, size_t(g.batch_a) * g.m * g.k, "a");
    need(b, size_t(g.batch_b) * g.k * g.n, "b");
    need(out, size_t(g.batch) * g.m * g.n, "out");
    seer::batch_matmul(g, a.data, b.data, bias.data, int(bias.len), out.data, act, alpha);
    return undefined(env);
  });
}

// reduceSum(x, out, outer, reduce, inner): out[o,i] = sum_r x[o,r,i].
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  return guarded(env, "reduceSum", [&]() {
    napi_value argv[5];
    get_args(env, info, argv, 5);
    F32 x = f32_arg(env, argv[0], "x"), out = f32_arg(env, argv[1], "out");
    long outer = long(number_arg(env, argv[2], "outer")), reduce = long(number_arg(env, argv[3], "reduce"));
    long inner = long(number_arg(env, argv[4], "inner"));
    if (outer < 1 || reduce < 1 || inner < 1) throw JsError("reduceSum: sizes must be positive");
    need(x, size_t(outer) * reduce * inner, "x");
    need(out, size_t(outer) * inner, "out");
    seer::reduce_sum(x.data, out.data, outer, reduce, inner);
    return undefined(env);
  });
}

// binary(op, a, b, out): op 0 add, 1 sub, 2 mul, 3 div, 4 relu_grad (a * step(b));
// a and b broadcast by repetition (their lengths divide out's).
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, "binary", [&]() {
    napi_value argv[4];
    get_args(env, info, argv, 4);
    int op = int(number_arg(env, argv[0], "op"));
    if (op < 0 || op > 4) throw JsError("binary: op must be 0 add, 1 sub, 2 mul, 3 div or 4 relu_grad");
    F32 a = f32_arg(env, argv[1], "a"), b = f32_arg(env, argv[2], "b"), out = f32_arg(env, argv[3], "out");
    if (a.len == 0 || b.len == 0 || out.len % a.len != 0 || out.len % b.len != 0)
      throw JsError("binary: input lengths " + std::to_string(a.len) + " and " + std::to_string(b.len) +
                    " must divide the output length " + std::to_string(out.len));
    seer::binary(seer::Binary(op), a.data, long(a.len), b.data, long(b.len), out.data, long(out.len));
    return undefined(env);
  });
}

// unary(op, x, out, alpha): op 0 relu, 1 step (x > 0 ? 1 : alpha).
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, "unary", [&]() {
    napi_value argv[4];
    get_args(env, info, argv, 3);
    int op = int(number_arg(env, argv[0], "op"));
    if (op < 0 || op > 1) throw JsError("unary: op must be 0 relu or 1 step");
    F32 x = f32_arg(env, argv[1], "x"), out = f32_arg(env, argv[2], "out");
    napi_valuetype t;
    NAPI_OK(napi_typeof(env, argv[3], &t));
    float alpha = t == napi_undefined ? 0.f : float(number_arg(env, argv[3], "alpha"));
    need(out, x.len, "out");
    seer::unary(seer::Unary(op), x.data, out.data, long(x.len), alpha);
    return undefined(env);
  });
}

seer::PoolGeom pool_geom(napi_env env, napi_value v) {
  seer::PoolGeom g;
  static_assert(sizeof(seer::PoolGeom) == seer::kPoolGeomLen * sizeof(int), "PoolGeom layout");
  int32_arg(env, v, "geom", reinterpret_cast<int*>(&g), seer::kPoolGeomLen);
  seer::check_pool_geom(g);
  return g;
}

size_t pool_in_size(const seer::PoolGeom& g) { return size_t(g.n) * g.h * g.w * g.c; }
size_t pool_out_size(const seer::PoolGeom& g) { return size_t(g.n) * g.oh * g.ow * g.c; }

// maxPool(x, y, geom)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  return guarded(env, "maxPool", [&]() {
    napi_value argv[3];
    get_args(env, info, argv, 3);
    F32 x = f32_arg(env, argv[0], "x"), y = f32_arg(env, argv[1], "out");
    seer::PoolGeom g = pool_geom(env, argv[2]);
    need(x, pool_in_size(g), "x");
    need(y, pool_out_size(g), "out");
    seer::max_pool(g, x.data, y.data);
    return undefined(env);
  });
}

// maxPoolGrad(x, y, dy, dx, geom): y is the forward output; dx is overwritten.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, "maxPoolGrad", [&]() {
    napi_value argv[5];
    get_args(env, info, argv, 5);
    F32 x = f32_arg(env, argv[0], "x"), y = f32_arg(env, argv[1], "y"), dy = f32_arg(env, argv[2], "dy");
    F32 dx = f32_arg(env, argv[3], "dx");
    seer::PoolGeom g = pool_geom(env, argv[4]);
    need(x, pool_in_size(g), "x");
    need(y, pool_out_size(g), "y");
    need(dy, pool_out_size(g), "dy");
    need(dx, pool_in_size(g), "dx");
    seer::max_pool_grad(g, x.data, y.data, dy.data, dx.data);
    return undefined(env);
  });
}

// adamStep(p, m, v, g, pOut, mOut, vOut, beta1, beta2, c1, c2, step, eps): one fused Adam update
// (seer::AdamScalars says what the scalars are); all seven arrays have the parameter's length.
napi_value AdamStep(napi_env env, napi_callback_info info) {
  return guarded(env, "adamStep", [&]() {
    napi_value argv[13];
    get_args(env, info, argv, 13);
    const char* names[7] = {"p", "m", "v", "g", "pOut", "mOut", "vOut"};
    F32 a[7];
    for (int i = 0; i < 7; ++i) a[i] = f32_arg(env, argv[i], names[i]);
    for (int i = 1; i < 7; ++i)
      if (a[i].len != a[0].len)
        throw JsError(std::string(names[i]) + " has " + std::to_string(a[i].len) + " floats, p has " +
                      std::to_string(a[0].len));
    seer::AdamScalars k;
    k.beta1 = float(number_arg(env, argv[7], "beta1"));
    k.beta2 = float(number_arg(env, argv[8], "beta2"));
    k.c1 = float(number_arg(env, argv[9], "c1"));
    k.c2 = float(number_arg(env, argv[10], "c2"));
    k.step = float(number_arg(env, argv[11], "step"));
    k.eps = float(number_arg(env, argv[12], "eps"));
    seer::adam_step(k, a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, a[5].data, a[6].data, long(a[0].len));
    return undefined(env);
  });
}

// adamStepMulti(arrays, scalars): one fused Adam update of several parameters (seer::adam_step_multi); arrays holds
// 7 Float32Arrays per parameter (p, m, v, g, pOut, mOut, vOut, all of p's length), scalars 6 numbers per parameter
// (beta1, beta2, c1, c2, step, eps as adamStep takes them).
napi_value AdamStepMulti(napi_env env, napi_callback_info info) {
  return guarded(env, "adamStepMulti", [&]() {
    napi_value argv[2];
    get_args(env, info, argv, 2);
    bool is_array = false;
    NAPI_OK(napi_is_array(env, argv[0], &is_array));
    if (!is_array) throw JsError("arrays must be an Array of Float32Arrays");
    uint32_t len = 0;
    NAPI_OK(napi_get_array_length(env, argv[0], &len));
    if (len % 7 != 0) throw JsError("arrays must hold 7 Float32Arrays per parameter, got " + std::to_string(len));
    const int count = int(len / 7);
    F32 k = f32_arg(env, argv[1], "scalars");
    need(k, size_t(count) * 6, "scalars");
    std::vector<seer::AdamParam> params(static_cast<size_t>(count));
    const char* names[7] = {"p", "m", "v", "g", "pOut", "mOut", "vOut"};
    for (int i = 0; i < count; ++i) {
      F32 a[7];
      for (int j = 0; j < 7; ++j) {
        napi_value el;
        NAPI_OK(napi_get_element(env, argv[0], uint32_t(7 * i + j), &el));
        a[j] = f32_arg(env, el, names[j]);
        if (a[j].len != a[0].len)
          throw JsError(std::string(names[j]) + " of parameter " + std::to_string(i) + " has " +
                        std::to_string(a[j].len) + " floats, p has " + std::to_string(a[0].len));
      }
      const float* s = k.data + 6 * i;
      params[size_t(i)] = {a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, a[5].data, a[6].data,
                           long(a[0].len), {s[0], s[1], s[2], s[3], s[4], s[5]}};
    }
    seer::adam_step_multi(params.data(), count);
    return undefined(env);
  });
}

// sumSquares(x) -> sum of x[j]² (accumulated in double).
napi_value SumSquares(napi_env env, napi_callback_info info) {
  return guarded(env, "sumSquares", [&]() {
    napi_value argv[1];
    get_args(env, info, argv, 1);
    F32 x = f32_arg(env, argv[0], "x");
    napi_value r;
    NAPI_OK(napi_create_double(env, seer::sum_squares(x.data, long(x.len)), &r));
    return r;
  });
}

// noisyParams(wMu, wSigma, bMu, bSigma, epsIn, epsOut, w, b): a factorised noisy layer's weight [in, out] and
// bias [out] (seer::noisy_params); in and out are epsIn's and epsOut's lengths.
napi_value NoisyParams(napi_env env, napi_callback_info info) {
  return guarded(env, "noisyParams", [&]() {
    napi_value argv[8];
    get_args(env, info, argv, 8);
    const char* names[8] = {"wMu", "wSigma", "bMu", "bSigma", "epsIn", "epsOut", "w", "b"};
    F32 a[8];
    for (int i = 0; i < 8; ++i) a[i] = f32_arg(env, argv[i], names[i]);
    const size_t in = a[4].len, out = a[5].len;
    for (int i : {0, 1, 6}) need(a[i], in * out, names[i]);
    for (int i : {2, 3, 7}) need(a[i], out, names[i]);
    seer::noisy_params(a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, a[5].data, a[6].data, a[7].data,
                       long(in), long(out));
    return undefined(env);
  });
}

// noisySigmaGrad(dy, epsIn, epsOut, dSigma): dSigma = dy ⊙ (epsIn ⊗ epsOut), all [in, out] but the two ε.
napi_value NoisySigmaGrad(napi_env env, napi_callback_info info) {
  return guarded(env, "noisySigmaGrad", [&]() {
    napi_value argv[4];
    get_args(env, info, argv, 4);
    F32 dy = f32_arg(env, argv[0], "dy"), ei = f32_arg(env, argv[1], "epsIn"), eo = f32_arg(env, argv[2], "epsOut");
    F32 ds = f32_arg(env, argv[3], "dSigma");
    need(dy, ei.len * eo.len, "dy");
    need(ds, ei.len * eo.len, "dSigma");
    seer::noisy_sigma_grad(dy.data, ei.data, eo.data, ds.data, long(ei.len), long(eo.len));
    return undefined(env);
  });
}

// pixelsToFloat(src: Uint8Array, out: Float32Array, divisor): out[j] = src[j] / divisor in float32, n = out's length.
napi_value PixelsToFloat(napi_env env, napi_callback_info info) {
  return guarded(env, "pixelsToFloat", [&]() {
    napi_value argv[3];
    get_args(env, info, argv, 3);
    U8 src = u8_arg(env, argv[0], "src");
    F32 out = f32_arg(env, argv[1], "out");
    if (src.len < out.len)
      throw JsError("src has " + std::to_string(src.len) + " bytes, out needs " + std::to_string(out.len));
    float divisor = float(number_arg(env, argv[2], "divisor"));
    seer::pixels_to_float(src.data, out.data, long(out.len), divisor);
    return undefined(env);
  });
}

// stackFrames(out: Uint8Array, payloads: Uint8Array[], refs: Float64Array, pixels, channels, frames): a batch of
// the image replay's frame stacks (seer::stack_frames); n = refs' length / (2·frames). Every reference is checked
// against its payload before anything is written.
napi_value StackFrames(napi_env env, napi_callback_info info) {
  return guarded(env, "stackFrames", [&]() {
    napi_value argv[6];
    get_args(env, info, argv, 6);
    U8 out = u8_arg(env, argv[0], "out");
    bool is_array = false;
    NAPI_OK(napi_is_array(env, argv[1], &is_array));
    if (!is_array) throw JsError("payloads must be an Array of Uint8Arrays");
    uint32_t count = 0;
    NAPI_OK(napi_get_array_length(env, argv[1], &count));
    std::vector<const unsigned char*> payloads(count);
    std::vector<size_t> sizes(count);
    for (uint32_t i = 0; i < count; ++i) {
      napi_value el;
      NAPI_OK(napi_get_element(env, argv[1], i, &el));
      U8 p = u8_arg(env, el, "payloads[i]");
      payloads[i] = p.data;
      sizes[i] = p.len;
    }
    View rview = typed_arg(env, argv[2], "refs", napi_float64_array, "a Float64Array");
    const size_t nrefs = rview.len;
    const double* refs = static_cast<const double*>(rview.data);
    const double pixels = number_arg(env, argv[3], "pixels"), channels = number_arg(env, argv[4], "channels");
    const double frames = number_arg(env, argv[5], "frames");
    if (!(pixels >= 1 && channels >= 1 && frames >= 1) || pixels != long(pixels) || channels != int(channels) ||
        frames != int(frames))
      throw JsError("pixels, channels and frames must be positive integers");
    const long P = long(pixels), C = long(channels), k = long(frames);
    if (nrefs % size_t(2 * k)) throw JsError("refs must hold 2·frames numbers per stack");
    const long n = long(nrefs) / (2 * k);
    if (out.len != size_t(n * P * C * k))
      throw JsError("out has " + std::to_string(out.len) + " bytes, the stacks need " + std::to_string(n * P * C * k));
    const double frame = double(P * C);
    const auto num = [](double v) { return v == double(long(v)) ? std::to_string(long(v)) : std::to_string(v); };
    for (size_t r = 0; r < nrefs; r += 2) {
      const double p = refs[r], o = refs[r + 1];
      if (!(p >= 0 && p < count && p == long(p)) || !(o >= 0 && o == long(o) && o + frame <= double(sizes[long(p)])))
        throw JsError("refs[" + std::to_string(r) + "]: payload " + num(p) + " at " + num(o) + " (frames of " +
                      num(frame) + " bytes) is outside the " + std::to_string(count) + " payloads given");
    }
    seer::stack_frames(out.data, payloads.data(), refs, n, P, int(C), int(k));
    return undefined(env);
  });
}

// c51Project(probs, returns, discounts, z, out, vmin, vmax, dz): Rainbow's projected target distribution
// (seer::c51_project); batch = returns' length, atoms = z's length.
napi_value C51Project(napi_env env, napi_callback_info info) {
  return guarded(env, "c51Project", [&]() {
    napi_value argv[8];
    get_args(env, info, argv, 8);
    F32 probs = f32_arg(env, argv[0], "probs"), ret = f32_arg(env, argv[1], "returns");
    F32 disc = f32_arg(env, argv[2], "discounts"), z = f32_arg(env, argv[3], "z"), out = f32_arg(env, argv[4], "out");
    const size_t batch = ret.len, atoms = z.len;
    need(disc, batch, "discounts");
    need(probs, batch * atoms, "probs");
    need(out, batch * atoms, "out");
    seer::c51_project(probs.data, ret.data, disc.data, z.data, long(batch), long(atoms),
                      float(number_arg(env, argv[5], "vmin")), float(number_arg(env, argv[6], "vmax")),
                      float(number_arg(env, argv[7], "dz")), out.data);
    return undefined(env);
  });
}

// Rainbow's loss shapes from weights [batch], v [batch, atoms] and a [batch, A·atoms]; every action in [0, A).
struct LossDims {
  size_t batch, actions, atoms;
};

LossDims loss_dims(const F32& weights, size_t v_len, size_t a_len, const int* actions) {
  const size_t batch = weights.len, atoms = batch ? v_len / batch : 0;
  if (batch == 0 || atoms == 0 || v_len != batch * atoms || a_len % v_len != 0 || a_len == 0)
    throw JsError("v must hold batch·atoms and a batch·actions·atoms floats (batch = weights' length)");
  const size_t A = a_len / v_len;
  for (size_t b = 0; b < batch; ++b)
    if (actions[b] < 0 || size_t(actions[b]) >= A)
      throw JsError("actions[" + std::to_string(b) + "] = " + std::to_string(actions[b]) + " is outside [0, " +
                    std::to_string(A) + ")");
  return {batch, A, atoms};
}

// rainbowLossForward(v, a, actions: Int32Array, target, weights, loss, perSample, logp): Rainbow's online loss
// (seer::rainbow_loss_forward); loss has one float, logp a's length.
napi_value RainbowLossForward(napi_env env, napi_callback_info info) {
  return guarded(env, "rainbowLossForward", [&]() {
    napi_value argv[8];
    get_args(env, info, argv, 8);
    F32 v = f32_arg(env, argv[0], "v"), a = f32_arg(env, argv[1], "a"), weights = f32_arg(env, argv[4], "weights");
    const int* actions = i32_arg(env, argv[2], "actions", weights.len);
    const LossDims d = loss_dims(weights, v.len, a.len, actions);
    F32 target = f32_arg(env, argv[3], "target"), loss = f32_arg(env, argv[5], "loss");
    F32 per_sample = f32_arg(env, argv[6], "perSample"), logp = f32_arg(env, argv[7], "logp");
    need(target, v.len, "target");
    need(loss, 1, "loss");
    need(per_sample, d.batch, "perSample");
    need(logp, a.len, "logp");
    seer::rainbow_loss_forward(v.data, a.data, actions, target.data, weights.data, long(d.batch), long(d.actions),
                               long(d.atoms), loss.data, per_sample.data, logp.data);
    return undefined(env);
  });
}

// rainbowLossBackward(dy, dyPerSample | null, logp, actions, target, weights, dv, da): the loss's gradients with
// respect to v and a (seer::rainbow_loss_backward); dv has batch·atoms floats, da logp's length.
napi_value RainbowLossBackward(napi_env env, napi_callback_info info) {
  return guarded(env, "rainbowLossBackward", [&]() {
    napi_value argv[8];
    get_args(env, info, argv, 8);
    const float dy = float(number_arg(env, argv[0], "dy"));
    F32 dps = f32_arg(env, argv[1], "dyPerSample", true), logp = f32_arg(env, argv[2], "logp");
    F32 weights = f32_arg(env, argv[5], "weights"), target = f32_arg(env, argv[4], "target");
    F32 dv = f32_arg(env, argv[6], "dv"), da = f32_arg(env, argv[7], "da");
    const int* actions = i32_arg(env, argv[3], "actions", weights.len);
    const LossDims d = loss_dims(weights, target.len, logp.len, actions);
    if (dps.data) need(dps, d.batch, "dyPerSample");
    need(dv, target.len, "dv");
    need(da, logp.len, "da");
    seer::rainbow_loss_backward(dy, dps.data, logp.data, actions, target.data, weights.data, long(d.batch),
                                long(d.actions), long(d.atoms), dv.data, da.data);
    return undefined(env);
  });
}

// convImpls(geom) -> string naming the oneDNN implementations for that shape.
napi_value ConvImpls(napi_env env, napi_callback_info info) {
  return guarded(env, "convImpls", [&]() {
    napi_value argv[1];
    get_args(env, info, argv, 1);
    std::string s = seer::conv2d_impls(conv_geom(env, argv[0]));
    napi_value r;
    NAPI_OK(napi_create_string_utf8(env, s.c_str(), s.size(), &r));
    return r;
  });
}

// setThreads(n): one OpenMP pool serves both oneDNN and OpenBLAS.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, "setThreads", [&]() {
    napi_value argv[1];
    get_args(env, info, argv, 1);
    int n = int(number_arg(env, argv[0], "threads"));
    if (n < 1 || n > 1024) throw JsError("threads must be between 1 and 1024, got " + std::to_string(n));
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
    return undefined(env);
  });
}

napi_value Info(napi_env env, napi_callback_info) {
  return guarded(env, "info", [&]() {
    napi_value o, v;
    NAPI_OK(napi_create_object(env, &o));
    const dnnl_version_t* ver = dnnl_version();
    std::string dv = std::to_string(ver->major) + "." + std::to_string(ver->minor) + "." + std::to_string(ver->patch);
    NAPI_OK(napi_create_string_utf8(env, dv.c_str(), dv.size(), &v));
    NAPI_OK(napi_set_named_property(env, o, "onednn", v));
    const char* cfg = openblas_get_config();
    NAPI_OK(napi_create_string_utf8(env, cfg ? cfg : "", NAPI_AUTO_LENGTH, &v));
    NAPI_OK(napi_set_named_property(env, o, "openblas", v));
    NAPI_OK(napi_create_int32(env, omp_get_max_threads(), &v));
    NAPI_OK(napi_set_named_property(env, o, "threads", v));
    NAPI_OK(napi_create_int32(env, openblas_get_num_threads(), &v));
    NAPI_OK(napi_set_named_property(env, o, "openblasThreads", v));
    NAPI_OK(napi_create_int32(env, int(seer::conv_cache_size()), &v));
    NAPI_OK(napi_set_named_property(env, o, "cachedConvPrimitives", v));
    return o;
  });
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv2dForward", nullptr, Conv2dForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackwardData", nullptr, Conv2dBackwardData, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackwardWeights", nullptr, Conv2dBackwardWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceSum", nullptr, ReduceSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStepMulti", nullptr, AdamStepMulti, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"noisyParams", nullptr, NoisyParams, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"noisySigmaGrad", nullptr, NoisySigmaGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pixelsToFloat", nullptr, PixelsToFloat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stackFrames", nullptr, StackFrames, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"c51Project", nullptr, C51Project, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rainbowLossForward", nullptr, RainbowLossForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rainbowLossBackward", nullptr, RainbowLossBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convImpls", nullptr, ConvImpls, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
