// Shared OpenMP policy of the memory-bound loops (element-wise ops, Sum, the fused optimizer step).
#pragma once

namespace seer {

// Below this many floats the fork/join costs more than it saves.
constexpr long kParallelMin = 1 << 15;

}  // namespace seer
