/**
 * `npm run bench:svcca` — wall time of SVCCA on one core (it is single-threaded JS) for layer sizes the
 * workbook meets. Target (issue 8): a 32-channel layer over 50,000 datapoints in under a second.
 * Prints one JSON object; `ratioToTarget` < 1 meets it.
 */
import { svcca, svccaActivations } from '../lib/analysis/svcca';
import { makeInitRng } from '../lib/nets/layers';

function representation(seed: number, n: number, d: number, shared?: Float32Array): Float32Array {
  const rng = makeInitRng(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, (shared ? shared[i % shared.length] : 0) + rng.normal()); // ReLU-like
  return x;
}

function time(fn: () => unknown, repeats: number): { medianMs: number; minMs: number } {
  fn(); // warm-up (JIT)
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { medianMs: ms[Math.floor(ms.length / 2)], minMs: ms[0] };
}

const cases: {
  name: string;
  n: number;
  d: number;
  method?: 'svcca' | 'pwcca';
  conv?: [number, number, number, number];
}[] = [
  { name: 'target: 32 ch × 50,000 datapoints', n: 50_000, d: 32 },
  { name: '32 ch × 50,000 (pwcca)', n: 50_000, d: 32, method: 'pwcca' },
  { name: '32 ch × 10,000', n: 10_000, d: 32 },
  { name: '64 ch × 50,000', n: 50_000, d: 64 },
  { name: 'fc 50 × 10,000 (CURL latent)', n: 10_000, d: 50 },
  { name: 'fc 256 × 20,000', n: 20_000, d: 256 },
  { name: 'conv fold 100 obs × 35×35×32 (122,500 datapoints)', n: 0, d: 32, conv: [100, 35, 35, 32] },
];

const results = cases.map((c) => {
  const repeats = c.d >= 256 ? 1 : 3;
  if (c.conv) {
    const size = c.conv.reduce((p, v) => p * v, 1);
    const a = { data: representation(1, size, 1), shape: c.conv };
    const b = { data: representation(2, size, 1, a.data), shape: c.conv };
    return { case: c.name, ...time(() => svccaActivations(a, b), repeats) };
  }
  const a = representation(1, c.n, c.d);
  const b = representation(2, c.n, c.d, a);
  const r = svcca(a, b, { da: c.d, db: c.d, method: c.method });
  return {
    case: c.name,
    n: c.n,
    d: c.d,
    kept: [r.keptA, r.keptB],
    mean: Number(r.mean.toFixed(4)),
    ...time(() => svcca(a, b, { da: c.d, db: c.d, method: c.method }), repeats),
  };
});

const target = results[0];
console.log(
  JSON.stringify(
    {
      bench: 'svcca',
      node: process.version,
      targetMs: 1000,
      ratioToTarget: Number((target.medianMs / 1000).toFixed(3)),
      results: results.map((r) => ({
        ...r,
        medianMs: Number(r.medianMs.toFixed(1)),
        minMs: Number(r.minMs.toFixed(1)),
      })),
    },
    null,
    2,
  ),
);
