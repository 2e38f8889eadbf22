#include "frames.h"

#include <cstdint>
#include <cstring>

namespace seer {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "stack4_grey writes pixel words little-endian");

namespace {

// Four grey frames (Atari/MinAtar pixels, C = 1, k = 4): one 32-bit word per pixel, which GCC vectorises.
void stack4_grey(unsigned char* out, const unsigned char* f0, const unsigned char* f1, const unsigned char* f2,
                 const unsigned char* f3, long pixels) {
  for (long i = 0; i < pixels; ++i) {
    const uint32_t w = uint32_t(f0[i]) | (uint32_t(f1[i]) << 8) | (uint32_t(f2[i]) << 16) | (uint32_t(f3[i]) << 24);
    std::memcpy(out + 4 * i, &w, 4);
  }
}

}  // namespace

void stack_frames(unsigned char* out, const unsigned char* const* payloads, const double* refs, long n, long pixels,
                  int C, int k) {
  const long stride = long(C) * k, stack = pixels * stride;
  for (long s = 0; s < n; ++s) {
    const double* r = refs + 2 * s * k;
    unsigned char* o = out + s * stack;
    if (C == 1 && k == 4) {
      const auto frame = [&](int j) { return payloads[long(r[2 * j])] + long(r[2 * j + 1]); };
      stack4_grey(o, frame(0), frame(1), frame(2), frame(3), pixels);
      continue;
    }
    for (int j = 0; j < k; ++j) {
      const unsigned char* f = payloads[long(r[2 * j])] + long(r[2 * j + 1]);
      unsigned char* d = o + long(j) * C;
      for (long i = 0; i < pixels; ++i, d += stride, f += C) std::memcpy(d, f, size_t(C));
    }
  }
}

}  // namespace seer
