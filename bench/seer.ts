/**
 * What SEER's freeze buys, measured on the real agents and replay buffers (issue 7):
 *  - update time (sample + update) before and after the freeze, CURL at 84×84 batch 128, Rainbow at batch 32;
 *  - bytes per stored transition as images and as latents (float32, float16, int8), allocated and paper;
 *  - process RSS before and after switchToLatentReplay releases the image storage.
 * Buffers are filled with C transitions of random frames (C = 1,000 for cartpole at 100×100×9, 10,000 for games
 * at 84×84×4), so the released pages really were touched. Prints one JSON object; ratios come from this run.
 *
 *   node --expose-gc --import tsx bench/seer.ts [--reps 3] [--curl-c 1000] [--games-c 10000]
 *        [--curl-batch 128] [--rainbow-batch 32] [--only curl|rainbow]
 * (npm run bench:seer). Without --expose-gc, RSS is still printed but `gcForced` says it was not forced.
 *
 * RSS and glibc: freed typed arrays go back to malloc, which returns big blocks to the OS only while they are
 * above its mmap threshold. glibc raises that threshold each time a large mmapped block is freed (here: every
 * sampled image batch, ~11 MB), so the image chunks (~2 MB) land in the heap and the pages stay mapped, reused
 * by later allocations but still counted in RSS. `npm run bench:seer` fixes the threshold
 * (MALLOC_MMAP_THRESHOLD_=131072) so RSS shows the release; `arrayBuffersMB` shows it under either allocator.
 */
import { initBackend } from '../lib/backend/select';
import { makeCurl } from '../lib/agents/curl';
import { makeRainbow } from '../lib/agents/rainbow';
import type { Agent, SeerHooks } from '../lib/agents/types';
import { Rng } from '../lib/envs/rng';
import { ImageReplay } from '../lib/replay/image-replay';
import { LatentReplay } from '../lib/replay/latent-replay';
import { LATENT_DTYPES, bytesPerVector } from '../lib/replay/latent-codec';
import type { ActionSpec } from '../lib/replay/step-ring';
import type { Batch } from '../lib/replay/types';
import { switchReportOf, switchToLatentReplay } from '../lib/seer/switch';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

function only(): string | null {
  const i = process.argv.indexOf('--only');
  if (i < 0) return null;
  const v = process.argv[i + 1];
  if (v !== 'curl' && v !== 'rainbow') throw new Error(`--only must be 'curl' or 'rainbow', got ${v}`);
  return v;
}

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

/** Process memory after forcing full collections (when node runs with --expose-gc). */
function memory(): { rssMB: number; heapUsedMB: number; arrayBuffersMB: number } {
  if (gc) for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  const r = (x: number) => +(x / MB).toFixed(1);
  return { rssMB: r(m.rss), heapUsedMB: r(m.heapUsed), arrayBuffersMB: r(m.arrayBuffers) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Task {
  name: string;
  side: number;
  channels: number;
  frameStack: number;
  action: ActionSpec;
  episodeSteps: number;
  nStep: number;
  prioritized: boolean;
}

/** Fills `buf` with `steps` transitions of random frames that obey the frame-stack rules of the env wrapper. */
function fill(buf: ImageReplay, task: Task, steps: number, rng: Rng): void {
  const { channels: C, frameStack: k } = task;
  const pixels = task.side * task.side;
  const randomFrame = () => {
    const words = new Uint32Array(Math.ceil((pixels * C) / 4));
    for (let i = 0; i < words.length; i++) words[i] = rng.uint32();
    return new Uint8Array(words.buffer, 0, pixels * C);
  };
  const stackOf = (frames: Uint8Array[]) => {
    const out = new Uint8Array(pixels * C * k);
    for (let j = 0; j < k; j++)
      for (let i = 0; i < pixels; i++) for (let c = 0; c < C; c++) out[i * C * k + j * C + c] = frames[j][i * C + c];
    return out;
  };
  const action = () =>
    task.action.discrete ? rng.int(6) : Float32Array.from({ length: task.action.dim }, () => rng.uniform(-1, 1));
  let frames: Uint8Array[] = [];
  let obs = new Uint8Array(0);
  for (let s = 0; s < steps; s++) {
    const t = s % task.episodeSteps;
    if (t === 0) {
      frames = Array(k).fill(randomFrame());
      obs = stackOf(frames);
    }
    frames = frames.slice(1).concat([randomFrame()]);
    const next = stackOf(frames);
    buf.add({
      obs,
      action: action(),
      reward: rng.random(),
      nextObs: next,
      terminated: false,
      truncated: t === task.episodeSteps - 1,
    });
    obs = next;
  }
}

/** Median ms of sampling and of updating, over `reps` rounds of `perRound` updates each (after one warm-up round). */
function timeUpdates(
  agent: Agent,
  replay: ImageReplay | LatentReplay,
  batchSize: number,
  reps: number,
  perRound: number,
): { sampleMs: number; updateMs: number } {
  let step = 0;
  const round = () => {
    let sampleMs = 0;
    let updateMs = 0;
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      const batch: Batch = replay.sample(batchSize);
      const t1 = performance.now();
      agent.update(batch, step++);
      const prios = agent.lastPriorities?.();
      if (prios && replay.prioritized) replay.updatePriorities(batch.indices, prios);
      sampleMs += t1 - t0;
      updateMs += performance.now() - t1;
    }
    return { sampleMs: sampleMs / perRound, updateMs: updateMs / perRound };
  };
  round(); // warm-up: kernels compile, chunks allocate
  const rounds = Array.from({ length: reps }, round);
  return {
    sampleMs: +median(rounds.map((r) => r.sampleMs)).toFixed(2),
    updateMs: +median(rounds.map((r) => r.updateMs)).toFixed(2),
  };
}

/** Encodes one chunk of the switch's size (switch.ts: 8 MB of raw stacks, K copies each) and drops it. */
function warmEncoder(agent: SeerHooks, images: ImageReplay, copies: number): void {
  const n = Math.min(Math.max(1, Math.floor((8 * MB) / (copies * images.obsSize))), images.size) * copies;
  const obs = new Uint8Array(n * images.obsSize);
  const [lo, hi] = images.storedRange();
  for (let i = 0; i < n; i++) images.stackInto(lo + (i % (hi - lo)), obs, i * images.obsSize);
  agent.encodeLatents(obs, n, true);
}

interface AgentBench {
  task: Task;
  capacity: number;
  batchSize: number;
  agent: Agent & SeerHooks;
  copies: number;
  /** Updates per timing round: 2 for CURL (the actor steps every other update). */
  perRound: number;
}

async function benchAgent(b: AgentBench, reps: number): Promise<Record<string, unknown>> {
  const { task, agent } = b;
  const obsShape = [task.side, task.side, task.channels * task.frameStack];
  const images = new ImageReplay({
    obsShape,
    frameStack: task.frameStack,
    action: task.action,
    capacity: b.capacity,
    nStep: task.nStep,
    gamma: 0.99,
    prioritized: task.prioritized ? { exponent: 0.5, beta: 0.4 } : undefined,
    seed: 1,
  });
  const tFill = performance.now();
  fill(images, task, b.capacity + task.episodeSteps, new Rng(7));
  const fillS = (performance.now() - tFill) / 1000;
  const before = timeUpdates(agent, images, b.batchSize, reps, b.perRound);
  const imageBytes = images.bytesAllocated();
  const imageSize = images.size;
  const imageBytesAtC = ImageReplay.bytesAtCapacity({
    obsShape,
    frameStack: task.frameStack,
    action: task.action,
    capacity: b.capacity,
    prioritized: task.prioritized,
  });
  // Encode one switch-sized chunk first so the backend's encoder workspace exists before the first RSS
  // reading: the difference then measures the buffers, not a first-use allocation of the switch's batch shape.
  warmEncoder(agent, images, b.copies);
  const rssBefore = memory();

  const tSwitch = performance.now();
  const latent = switchToLatentReplay(agent, images, { copies: b.copies, seed: 2 });
  const switchS = (performance.now() - tSwitch) / 1000;
  const rssAfter = memory();
  const after = timeUpdates(agent, latent, b.batchSize, reps, b.perRound);
  const report = switchReportOf(latent)!;

  // Bytes per transition at full capacity: the allocated layout (per slot, metadata and trees included) and
  // the paper's accounting (P per image transition; N·K·L·4 per latent one, 4 → 2 or 1 + scale for our dtypes).
  const latentBytes: Record<string, unknown> = {};
  for (const dtype of LATENT_DTYPES) {
    const opts = {
      capacity: report.capacity,
      heads: latent.heads,
      dim: latent.dim,
      copies: latent.copies,
      dtype,
      action: task.action,
      prioritized: task.prioritized,
    };
    latentBytes[dtype] = {
      allocatedPerTransition: +(LatentReplay.bytesAtCapacity(opts) / report.capacity).toFixed(1),
      payloadPerTransition: latent.heads * latent.copies * bytesPerVector(dtype, latent.dim),
    };
  }
  const out = {
    batch: b.batchSize,
    obsShape,
    C: b.capacity,
    storedBeforeSwitch: imageSize,
    fillSeconds: +fillS.toFixed(1),
    beforeFreeze: before,
    afterFreeze: after,
    updateSpeedup: +(before.updateMs / after.updateMs).toFixed(1),
    stepSpeedup: +((before.updateMs + before.sampleMs) / (after.updateMs + after.sampleMs)).toFixed(1),
    switch: {
      seconds: +switchS.toFixed(1),
      K: latent.copies,
      N: latent.heads,
      L: latent.dim,
      cHat: report.capacity,
      encoderPasses: report.encoderPasses,
    },
    bytesPerTransition: {
      images: {
        allocatedPerTransition: +(imageBytesAtC / b.capacity).toFixed(1),
        paperPerTransition: images.frameSize,
      },
      latents: latentBytes,
    },
    buffers: {
      imageBytesBefore: imageBytes,
      imageBytesAfter: images.bytesAllocated(),
      latentBytesAfter: latent.bytesAllocated(),
      peakBytesDuringSwitch: report.peakBytes,
    },
    rss: {
      before: rssBefore,
      after: rssAfter,
      deltaMB: +(rssAfter.rssMB - rssBefore.rssMB).toFixed(1),
      falls: rssAfter.rssMB < rssBefore.rssMB,
    },
  };
  agent.dispose();
  return out;
}

async function main(): Promise<void> {
  process.env.SEER_QUIET ??= '1'; // stdout is the JSON alone; the backend's name is in it
  const backend = await initBackend();
  const reps = arg('reps', 3);
  const which = only();
  const out: Record<string, unknown> = {
    bench: 'seer',
    backend,
    reps,
    gcForced: gc !== undefined,
    mallocMmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? 'glibc default (dynamic)',
  };
  const t0 = performance.now();
  if (which !== 'rainbow') {
    const task: Task = {
      name: 'cartpole-swingup',
      side: 100,
      channels: 3,
      frameStack: 3,
      action: { discrete: false, dim: 1 },
      episodeSteps: 125,
      nStep: 1,
      prioritized: false,
    };
    const agent = makeCurl({ obsShape: [100, 100, 9], actionDim: 1, seed: 0 });
    out.curl = await benchAgent(
      { task, capacity: arg('curl-c', 1000), batchSize: arg('curl-batch', 128), agent, copies: 4, perRound: 2 },
      reps,
    );
  }
  if (which !== 'curl') {
    const task: Task = {
      name: 'games',
      side: 84,
      channels: 1,
      frameStack: 4,
      action: { discrete: true },
      episodeSteps: 500,
      nStep: 20,
      prioritized: true,
    };
    const agent = makeRainbow({ obsShape: [84, 84, 4], numActions: 6, seed: 0 });
    out.rainbow = await benchAgent(
      { task, capacity: arg('games-c', 10000), batchSize: arg('rainbow-batch', 32), agent, copies: 1, perRound: 8 },
      reps,
    );
  }
  const c = out.curl as { updateSpeedup: number; rss: { falls: boolean } } | undefined;
  const r = out.rainbow as { rss: { falls: boolean } } | undefined;
  out.targets = {
    curlUpdateSpeedupAtLeast10x: c ? c.updateSpeedup >= 10 : null,
    rssFallsAfterSwitch: [c, r].filter((x) => x).every((x) => x!.rss.falls),
  };
  out.seconds = +((performance.now() - t0) / 1000).toFixed(1);
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
