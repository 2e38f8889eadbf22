// Rainbow's online loss (lib/backend/kernels/rainbow_loss.ts): the dueling combination, the log-softmax over atoms
// and the importance-weighted cross-entropy against the projected target, forward and backward, in one call each
// instead of ~25 tfjs dispatches apiece.
#pragma once

namespace seer {

// Forward, per sample b (float32 in this order, as the op composition of lib/nets/heads.ts and RainbowAgent.update
// computes it; actions[b] in [0, num_actions)):
//   mean[j] = (Σ_a a[b, a, j], a float sum in order of a) / num_actions,  q[a, j] = v[b, j] + (a[b, a, j] − mean[j]),
//   shifted = q − max_j q,  logp = shifted − log((float) Σ_j exp(shifted)   (double sum in order of j)),
//   logpA[j] = Σ_a logp[a, j]·onehot[a]   (double),  per_sample[b] = −(float) Σ_j target[b, j]·logpA[j]   (double),
//   loss = (Σ_b weights[b]·per_sample[b], a float sum in order of b) / batch.
// logp [batch, num_actions, atoms] is kept for the backward pass.
void rainbow_loss_forward(const float* v, const float* a, const int* actions, const float* target,
                          const float* weights, long batch, long num_actions, long atoms, float* loss,
                          float* per_sample, float* logp);

// Backward of the loss scaled by dy (and of per_sample by dy_per_sample, nullptr when none reaches it; a zero adds
// nothing): g = (dy / batch)·weights[b] (+ dy_per_sample[b]), dlogp[a, j] = (−g·target[b, j])·onehot[a],
// dq = dlogp − (Σ_j dlogp)·exp(logp), dv[b, j] = Σ_a dq[a, j], da = dq + (−dv / num_actions): the gradients tfjs
// forms for that composition, element for element.
void rainbow_loss_backward(float dy, const float* dy_per_sample, const float* logp, const int* actions,
                           const float* target, const float* weights, long batch, long num_actions, long atoms,
                           float* dv, float* da);

}  // namespace seer
