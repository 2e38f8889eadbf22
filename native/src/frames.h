// Frame stacks for the image replay (lib/replay/image-replay.ts `stacksAt`): a sampled batch rebuilt from its
// stored frames in one call instead of a JS loop per stack (issue 21: 1.3 ms of a Rainbow sample at B=32).
#pragma once

namespace seer {

// For each stack s < n and frame j < k, frame (payloads[refs[2(s·k + j)]] + refs[2(s·k + j) + 1]) holds `pixels`
// pixels of C bytes (refs are whole numbers in doubles, as JS hands them over). Stack s of `out` (pixels · C·k
// bytes) gets, per pixel, frame 0's C bytes, then frame 1's, ...: the same bytes as the JS loop writes.
void stack_frames(unsigned char* out, const unsigned char* const* payloads, const double* refs, long n, long pixels,
                  int C, int k);

}  // namespace seer
