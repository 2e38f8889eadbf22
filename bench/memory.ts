/**
 * Memory accounting of SEER's replay in the paper's constrained settings: for each task, C and Ĉ by the paper's
 * formula and by fitting the budget to the bytes really allocated, and paper bytes next to allocated bytes, for
 * float32 (the paper), float16 and int8 latents. Buffers are really filled (synthetic frames, latents) and
 * measured with bytesAllocated(); one switch per task is run with a stand-in encoder to measure the peak.
 * Prints JSON. Run: npm run bench:memory (package.json: "bench:memory": "tsx bench/memory.ts").
 */
import { ImageReplay, imageReplayForBudget } from '../lib/replay/image-replay';
import { LatentReplay } from '../lib/replay/latent-replay';
import { parseMemoryBudget } from '../lib/replay/budget';
import { LATENT_DTYPES } from '../lib/replay/latent-codec';
import { PAPER_MEMORY, capacityHat } from '../lib/seer/capacity';
import { switchReportOf, switchToLatentReplay } from '../lib/seer/switch';
import type { SeerHooks } from '../lib/agents/types';
import type { ActionSpec } from '../lib/replay/step-ring';

interface TaskCfg {
  task: string;
  side: number;
  channels: number;
  frameStack: number;
  action: ActionSpec;
  episodeSteps: number;
  batchSize: number;
}

const TASKS: TaskCfg[] = [
  {
    task: 'cartpole-swingup',
    side: 100,
    channels: 3,
    frameStack: 3,
    action: { discrete: false, dim: 1 },
    episodeSteps: 125,
    batchSize: 128,
  },
  {
    task: 'finger-spin',
    side: 100,
    channels: 3,
    frameStack: 3,
    action: { discrete: false, dim: 2 },
    episodeSteps: 500,
    batchSize: 128,
  },
  {
    task: 'reacher-easy',
    side: 100,
    channels: 3,
    frameStack: 3,
    action: { discrete: false, dim: 2 },
    episodeSteps: 250,
    batchSize: 128,
  },
  {
    task: 'walker-walk',
    side: 100,
    channels: 3,
    frameStack: 3,
    action: { discrete: false, dim: 6 },
    episodeSteps: 500,
    batchSize: 128,
  },
  { task: 'games', side: 84, channels: 1, frameStack: 4, action: { discrete: true }, episodeSteps: 200, batchSize: 32 },
];

function actionOf(cfg: TaskCfg, t: number): number | Float32Array {
  return cfg.action.discrete ? t % 4 : new Float32Array(cfg.action.dim).fill(0.1);
}

/** Fills an image replay with `steps` synthetic transitions (frames differ; stacks follow the wrapper rules). */
function fillImages(buf: ImageReplay, cfg: TaskCfg, steps: number): void {
  const C = cfg.channels;
  const k = cfg.frameStack;
  const pixels = cfg.side * cfg.side;
  const frameOf = (id: number) => {
    const f = new Uint8Array(pixels * C);
    f.fill(id & 255);
    f[0] = (id >> 8) & 255;
    return f;
  };
  const stackOf = (frames: Uint8Array[]) => {
    const out = new Uint8Array(pixels * C * k);
    for (let j = 0; j < k; j++)
      for (let i = 0; i < pixels; i++) for (let c = 0; c < C; c++) out[i * C * k + j * C + c] = frames[j][i * C + c];
    return out;
  };
  let id = 0;
  let frames: Uint8Array[] = [];
  let t = 0;
  let obs = new Uint8Array(0);
  for (let s = 0; s < steps; s++, t++) {
    if (t % cfg.episodeSteps === 0) {
      frames = Array(k).fill(frameOf(id++));
      obs = stackOf(frames);
    }
    frames = frames.slice(1).concat([frameOf(id++)]);
    const next = stackOf(frames);
    buf.add({
      obs,
      action: actionOf(cfg, s),
      reward: 0,
      nextObs: next,
      terminated: false,
      truncated: (t + 1) % cfg.episodeSteps === 0,
    });
    obs = next;
  }
}

function fillLatents(buf: LatentReplay, cfg: TaskCfg, steps: number): void {
  const z = new Float32Array(buf.copies * buf.heads * buf.dim).fill(0.5);
  for (let s = 0; s < steps; s++) {
    buf.addLatents({
      obs: s % cfg.episodeSteps === 0 ? z : null,
      nextObs: z,
      action: actionOf(cfg, s),
      reward: 0,
      terminated: false,
      truncated: (s + 1) % cfg.episodeSteps === 0,
    });
  }
}

/** Stand-in encoder: latents are cheap functions of the pixels (the bytes, not the network, are measured here). */
function fakeAgent(N: number, L: number, obsSize: number): SeerHooks {
  const a = {
    frozen: false,
    latentHeads: N,
    latentDim: L,
    freezeEncoder() {
      a.frozen = true;
    },
    encodeLatents(obs: Uint8Array, n: number) {
      const z = new Float32Array(n * N * L);
      for (let i = 0; i < n; i++) z.fill(obs[i * obsSize] / 255, i * N * L, (i + 1) * N * L);
      return z;
    },
  };
  return a;
}

const rows: Record<string, unknown>[] = [];
const t0 = Date.now();
for (const cfg of TASKS) {
  const paper = PAPER_MEMORY[cfg.task];
  const budget = parseMemoryBudget(paper.budget);
  const obsShape = [cfg.side, cfg.side, cfg.channels * cfg.frameStack];
  const obsSize = obsShape[0] * obsShape[1] * obsShape[2];
  const P = cfg.side * cfg.side * cfg.channels;
  const imgOpts = { obsShape, frameStack: cfg.frameStack, action: cfg.action, seed: 0 };
  const images = imageReplayForBudget(imgOpts, budget, cfg.batchSize);
  fillImages(images, cfg, images.capacity + 2 * cfg.episodeSteps);
  const imageAllocated = images.bytesAllocated();
  // the official CURL buffer stores obs and next_obs stacks per transition: 2·k·P bytes
  const officialImageBytes = cfg.action.discrete ? paper.C * P : paper.C * 2 * cfg.frameStack * P;
  for (const dtype of LATENT_DTYPES) {
    const latOpts = { heads: paper.N, dim: paper.L, copies: paper.K, dtype, action: cfg.action, obsSize };
    const cHatPaper = capacityHat({ C: paper.C, P, N: paper.N, K: paper.K, L: paper.L, dtype });
    let cHatBudget = 0;
    {
      // the largest Ĉ that fits the budget, found by the same code the switch uses
      const probe = new ImageReplay({ ...imgOpts, capacity: 4 });
      fillImages(probe, cfg, 8);
      const lat = switchToLatentReplay(fakeAgent(paper.N, paper.L, obsSize), probe, {
        copies: paper.K,
        dtype,
        memoryBudget: budget,
        batchSize: cfg.batchSize,
      });
      cHatBudget = lat.capacity;
    }
    const latent = new LatentReplay({ ...latOpts, capacity: cHatBudget });
    fillLatents(latent, cfg, cHatBudget + 2 * cfg.episodeSteps);
    rows.push({
      task: cfg.task,
      dtype,
      budget: paper.budget,
      budgetBytes: budget,
      P,
      paperC: paper.C,
      imagePaperBytes: paper.C * P,
      officialCodeImageBytes: officialImageBytes,
      budgetC: images.capacity,
      imageAllocatedBytes: imageAllocated,
      imageBytesPerSlot: +(imageAllocated / (images.capacity + cfg.frameStack - 1)).toFixed(1),
      cHatPaper,
      latentPaperBytes:
        cHatPaper *
        paper.N *
        paper.K *
        (dtype === 'float32' ? 4 * paper.L : dtype === 'float16' ? 2 * paper.L : paper.L + 4),
      cHatBudget,
      latentAllocatedBytes: latent.bytesAllocated(),
      latentBytesPerSlot: +(latent.bytesAllocated() / cHatBudget).toFixed(1), // filled via addLatents: no raw obs held
      withinBudget: imageAllocated <= budget && latent.bytesAllocated() <= budget,
    });
  }
  // one real switch from the full image buffer, to measure the transient peak
  const lat = switchToLatentReplay(fakeAgent(paper.N, paper.L, obsSize), images, {
    copies: paper.K,
    memoryBudget: budget,
    batchSize: cfg.batchSize,
  });
  const rep = switchReportOf(lat)!;
  rows.push({
    task: cfg.task,
    switch: true,
    encodedObservations: rep.encodedObservations,
    encoderPasses: rep.encoderPasses,
    peakBytes: rep.peakBytes,
    peakOverBudget: rep.peakBytes - budget,
    latentBytesAfter: rep.latentBytesAfter,
    imageBytesAfter: images.bytesAllocated(),
  });
}
console.log(JSON.stringify({ bench: 'memory', seconds: (Date.now() - t0) / 1000, rows }, null, 1));
