/**
 * The switch at T_f: freeze the encoder, re-encode every stored observation K times, release the images and
 * continue with a latent replay of capacity Ĉ (paper §4.1–4.2; official behaviour in seer-reference §1.7, §1.9).
 *
 * Differences from the official code, on purpose: the transition collected at T_f is not lost (the runner adds
 * it to the returned buffer); the image storage is really released (official DMC keeps it); latents are stored
 * once per time step (see lib/replay/latent-replay.ts).
 */
import type { SeerHooks } from '../agents/types';
import type { ImageReplay } from '../replay/image-replay';
import { LatentReplay, type SwitchReport } from '../replay/latent-replay';
import { checkDtype, type LatentDtype } from '../replay/latent-codec';
import { fitCapacity, parseMemoryBudget } from '../replay/budget';
import { capacityHat } from './capacity';

export interface SwitchOptions {
  /** K augmented copies per observation; default 4 for actor-critic agents (N = 2, CURL), 1 for N = 1 (Rainbow). */
  copies?: number;
  /** Latent storage; the paper's is float32. */
  dtype?: LatentDtype;
  /** Ĉ given directly (e.g. the capacity control run). */
  capacity?: number;
  /** Ĉ = the largest latent capacity whose real bytes fit this budget ('0.03GB', '30MB', bytes). */
  memoryBudget?: string | number;
  /** Upper bound on Ĉ, e.g. the run's training steps (official DMC: min(num_train_steps, Ĉ)). */
  maxCapacity?: number;
  /** Random crops when encoding (default true; Rainbow's encoder ignores it). */
  augment?: boolean;
  /** What to freeze: the whole encoder (default, as the official CURL code) or the convolutions only. */
  scope?: 'all' | 'convs';
  /** Smallest acceptable Ĉ (the batch size), checked against the budget. */
  batchSize?: number;
  /** Bound on the raw observations held at once while re-encoding (default 8 MB). */
  chunkBytes?: number;
  seed?: number;
}

export type { SwitchReport };

const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** Freezes `agent`, converts `images` into latents and returns the buffer to continue with. */
export function switchToLatentReplay(agent: SeerHooks, images: ImageReplay, opts: SwitchOptions = {}): LatentReplay {
  const N = agent.latentHeads;
  const L = agent.latentDim;
  const K = opts.copies ?? (N > 1 ? 4 : 1);
  if (!Number.isInteger(K) || K < 1) throw new Error(`copies (K) must be an integer ≥ 1, got ${K}`);
  const dtype = checkDtype(opts.dtype ?? 'float32');
  if (images.dtype !== 'uint8') throw new Error('switchToLatentReplay needs a pixel (uint8) image replay');
  if (images.isReleased) throw new Error('switchToLatentReplay: this image replay was already switched/released');
  if (agent.frozen) throw new Error('switchToLatentReplay: the agent is already frozen (switch once, at T_f)');
  if (opts.capacity !== undefined && opts.memoryBudget !== undefined) {
    throw new Error('switchToLatentReplay: give capacity or memoryBudget, not both');
  }

  const ringBase = {
    heads: N,
    dim: L,
    copies: K,
    dtype,
    action: images.action,
    nStep: images.nStep,
    gamma: images.gamma,
    prioritized: images.prioritized ? { exponent: images.priorityExponent, beta: images.beta } : undefined,
    obsSize: images.obsSize,
  };
  const paperCapacity = capacityHat({
    C: images.capacity,
    P: images.frameSize,
    N,
    K,
    L,
    dtype,
    maxCapacity: opts.maxCapacity,
  });
  let capacity: number;
  let capacityRule: SwitchReport['capacityRule'];
  if (opts.capacity !== undefined) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1)
      throw new Error(`capacity must be an integer ≥ 1, got ${opts.capacity}`);
    capacity = opts.capacity;
    capacityRule = 'given';
  } else if (opts.memoryBudget !== undefined) {
    const budget = parseMemoryBudget(opts.memoryBudget);
    capacity = fitCapacity(
      budget,
      (c) => LatentReplay.bytesAtCapacity({ ...ringBase, capacity: c }),
      opts.batchSize ?? 1,
      'latent replay',
    );
    capacityRule = 'budget';
  } else {
    capacity = paperCapacity;
    capacityRule = 'paper';
  }
  if (opts.maxCapacity !== undefined) capacity = Math.min(capacity, opts.maxCapacity);
  if (capacity < 1) throw new Error(`switchToLatentReplay: Ĉ came out as ${capacity}; it must be ≥ 1`);

  const imageBytesBefore = images.bytesAllocated();
  const imagePaperBytes = images.paperBytes();
  const lastRaw = images.isOpen ? (images.newestStack() as Uint8Array) : null;

  agent.freezeEncoder(opts.scope ? { scope: opts.scope } : undefined);
  if (!agent.frozen) throw new Error('switchToLatentReplay: agent.freezeEncoder() did not freeze the agent');

  const latent = new LatentReplay({
    ...ringBase,
    capacity,
    seed: opts.seed,
    encoder: (obs, n, augment) => agent.encodeLatents(obs, n, augment),
    augment: opts.augment ?? true,
  });

  // Re-encode the newest min(stored, Ĉ) observations in order, K crops each, in bounded chunks; release image
  // chunks as soon as no later stack needs them.
  const [lo, hi] = images.storedRange();
  const first = Math.max(lo, hi - capacity);
  const S = images.obsSize;
  const perChunk = Math.max(1, Math.floor((opts.chunkBytes ?? DEFAULT_CHUNK_BYTES) / (K * S)));
  const raw = new Uint8Array(Math.min(perChunk, Math.max(1, hi - first)) * K * S);
  const perSlot = K * N * L;
  let peakBytes = imageBytesBefore;
  for (let start = first; start < hi; start += perChunk) {
    const n = Math.min(perChunk, hi - start);
    for (let i = 0; i < n; i++) {
      images.stackInto(start + i, raw, i * K * S);
      for (let k = 1; k < K; k++) raw.copyWithin((i * K + k) * S, i * K * S, (i * K + 1) * S);
    }
    const z = agent.encodeLatents(raw.subarray(0, n * K * S), n * K, opts.augment ?? true);
    if (!(z instanceof Float32Array) || z.length !== n * perSlot) {
      throw new Error(
        `agent.encodeLatents returned ${z?.length} values; expected [${n * K}, ${N}, ${L}] = ${n * perSlot}`,
      );
    }
    for (let i = 0; i < n; i++) latent.importSlot(images.metaAt(start + i), z, i * perSlot);
    peakBytes = Math.max(peakBytes, images.bytesAllocated() + latent.bytesAllocated());
    images.releaseBefore(start + n);
  }
  latent.finishImport(images.isOpen, lastRaw);
  images.release();

  latent.switchReport = {
    capacity,
    capacityRule,
    paperCapacity,
    encodedObservations: hi - first,
    encoderPasses: (hi - first) * K,
    transitions: latent.size,
    imageBytesBefore,
    imagePaperBytes,
    latentBytesAfter: latent.bytesAllocated(),
    latentPaperBytes: latent.paperBytes(),
    peakBytes,
  };
  return latent;
}

/** The report of a buffer made by switchToLatentReplay (null for buffers built directly). */
export function switchReportOf(latent: LatentReplay): SwitchReport | null {
  return latent.switchReport;
}
