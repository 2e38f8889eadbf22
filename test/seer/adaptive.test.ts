import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADAPTIVE_DEFAULTS,
  AdaptiveFreezeRule,
  adaptiveFreezeForEncoder,
  type SimilaritySource,
} from '../../lib/seer/adaptive';
import type { FreezeRule } from '../../lib/seer/rules';
import { initBackend } from '../../lib/backend/select';
import { makeEncoder } from '../../lib/nets/encoders';
import { makeInitRng } from '../../lib/nets/layers';

/** A source replaying a synthetic sequence: call i returns seq[i] (undefined first, like a live source). */
function replay(seq: (Record<string, number> | undefined)[]): SimilaritySource & { calls: number[] } {
  const calls: number[] = [];
  const fn = ((ctx: { update: number }) => {
    calls.push(ctx.update);
    return seq[Math.min(calls.length - 1, seq.length - 1)];
  }) as SimilaritySource & { calls: number[] };
  fn.calls = calls;
  return fn;
}

/** Runs the rule for updates 0..last and returns the first update it says freeze (or undefined). */
function firstFreeze(rule: FreezeRule, last: number): number | undefined {
  for (let u = 0; u <= last; u++) if (rule.shouldFreeze({ update: u })) return u;
  return undefined;
}

const both = (conv: number, fc: number) => ({ conv1: conv, fc });

test('fires after m consecutive checks with every layer ≥ τ, checking every Δ updates', () => {
  const src = replay([
    undefined,
    both(0.5, 0.4),
    both(0.92, 0.91),
    both(0.95, 0.93),
    both(0.97, 0.95),
    both(0.99, 0.99),
  ]);
  const rule = new AdaptiveFreezeRule(src, { tau: 0.9, checks: 3, interval: 10 });
  assert.equal(firstFreeze(rule, 100), 40);
  assert.deepEqual(src.calls, [0, 10, 20, 30, 40], 'the source runs once per check only');
  assert.equal(rule.freezeUpdate, 40);
  assert.deepEqual(
    rule.history().map((c) => c.streak),
    [0, 0, 1, 2, 3],
  );
  assert.ok(rule.shouldFreeze({ update: 41 }), 'stays frozen');
  assert.match(rule.describe(), /τ = 0.9.*m = 3.*Δ = 10 updates.*fired at update 40 \(converged\)/);
});

test('a dip resets the streak, and the slowest layer decides', () => {
  const dip = replay([
    undefined,
    both(0.95, 0.95),
    both(0.95, 0.95),
    both(0.95, 0.85),
    both(0.95, 0.95),
    both(0.95, 0.95),
    both(0.95, 0.95),
  ]);
  assert.equal(firstFreeze(new AdaptiveFreezeRule(dip, { tau: 0.9, checks: 3, interval: 5 }), 100), 30);
  const fcNever = replay([undefined, both(0.99, 0.5)]);
  assert.equal(firstFreeze(new AdaptiveFreezeRule(fcNever, { tau: 0.9, checks: 2, interval: 5 }), 200), undefined);
  const convOnly = replay([undefined, both(0.99, 0.5)]);
  assert.equal(
    firstFreeze(new AdaptiveFreezeRule(convOnly, { tau: 0.9, checks: 2, interval: 5, layers: ['conv1'] }), 200),
    10,
  );
  const nan = replay([undefined, both(NaN, 0.99)]);
  assert.equal(
    firstFreeze(new AdaptiveFreezeRule(nan, { tau: 0.9, checks: 1, interval: 5 }), 100),
    undefined,
    'NaN never passes',
  );
});

test('minUpdate delays, maxUpdate caps', () => {
  const stable = () => replay([undefined, both(1, 1)]);
  assert.equal(firstFreeze(new AdaptiveFreezeRule(stable(), { checks: 1, interval: 10, minUpdate: 55 }), 200), 60);
  const capped = new AdaptiveFreezeRule(replay([undefined, both(0.1, 0.1)]), { interval: 10, maxUpdate: 77 });
  assert.equal(firstFreeze(capped, 200), 77);
  assert.match(capped.describe(), /at 77 at the latest.*cap reached/);
  // Checks are Δ apart from the last check, whatever update the runner starts asking at.
  const late = replay([undefined, both(1, 1)]);
  const rule = new AdaptiveFreezeRule(late, { checks: 2, interval: 10, minUpdate: 0 });
  for (let u = 1000; u <= 1030 && !rule.shouldFreeze({ update: u }); u++);
  assert.deepEqual(late.calls, [1000, 1010, 1020]);
});

test('bad options and sources get clear errors', () => {
  const src = replay([undefined]);
  assert.throws(() => new AdaptiveFreezeRule(src, { tau: 1.5 }), /tau must be in \(0, 1\]/);
  assert.throws(() => new AdaptiveFreezeRule(src, { checks: 0 }), /checks \(m\) must be an integer ≥ 1/);
  assert.throws(() => new AdaptiveFreezeRule(src, { interval: 2.5 }), /interval \(Δ\) must be an integer ≥ 1/);
  assert.throws(
    () => new AdaptiveFreezeRule(src, { interval: 10, maxUpdate: 5 }),
    /maxUpdate must be an integer ≥ minUpdate \(20\)/,
  );
  const missing = new AdaptiveFreezeRule(replay([undefined, { conv1: 1 }]), { interval: 1, layers: ['conv1', 'fc'] });
  assert.throws(() => firstFreeze(missing, 5), /lacks layer\(s\) fc; it reports conv1/);
  assert.deepEqual(ADAPTIVE_DEFAULTS, { tau: 0.9, checks: 3, interval: 1000 });
});

test('live wiring on an encoder: unchanged weights converge at the earliest allowed check', async () => {
  await initBackend();
  const enc = makeEncoder({ kind: 'rainbow', inputShape: [30, 30, 2], seed: 3, name: 'adaptive_enc' });
  try {
    const rng = makeInitRng(4);
    const n = 80;
    const probe = {
      data: Uint8Array.from({ length: n * 30 * 30 * 2 }, () => Math.floor(rng.uniform() * 256)),
      shape: [n, 30, 30, 2] as [number, number, number, number],
    };
    const rule = adaptiveFreezeForEncoder(enc, probe, { interval: 4, checks: 2, tau: 0.95 });
    assert.equal(firstFreeze(rule, 50), 8);
    assert.deepEqual(Object.keys(rule.history()[1].similarity ?? {}), ['conv1', 'conv2']);
    for (const v of Object.values(rule.history()[1].similarity ?? {})) assert.ok(Math.abs(v - 1) < 1e-6);
  } finally {
    enc.dispose();
  }
});

test('checkpoint state: a resumed rule checks and fires exactly as an uninterrupted one', async () => {
  await initBackend();
  const enc = makeEncoder({ kind: 'rainbow', inputShape: [30, 30, 2], seed: 5, name: 'adaptive_resume' });
  try {
    const rng = makeInitRng(6);
    const n = 80;
    const probe = {
      data: Uint8Array.from({ length: n * 30 * 30 * 2 }, () => Math.floor(rng.uniform() * 256)),
      shape: [n, 30, 30, 2] as [number, number, number, number],
    };
    const opts = { interval: 4, checks: 3, tau: 0.95, minUpdate: 0 };
    const whole = adaptiveFreezeForEncoder(enc, probe, opts);
    const first = adaptiveFreezeForEncoder(enc, probe, opts);
    const seen: number[] = [];
    for (let u = 0; u <= 6; u++) assert.equal(first.shouldFreeze({ update: u }), false);
    const state = JSON.parse(JSON.stringify({ scalars: first.exportState().scalars })) as {
      scalars: ReturnType<typeof first.exportState>['scalars'];
    };
    const tensors = first.exportState().tensors;
    assert.deepEqual(Object.keys(tensors), ['conv1', 'conv2']);
    const resumed = adaptiveFreezeForEncoder(enc, probe, { ...opts, onCheck: (c) => seen.push(c.update) });
    resumed.importState({ tensors, scalars: state.scalars });
    assert.equal(firstFreeze(whole, 50), 12);
    let fired: number | undefined;
    for (let u = 7; u <= 50 && fired === undefined; u++) if (resumed.shouldFreeze({ update: u })) fired = u;
    assert.equal(fired, 12);
    assert.deepEqual(seen, [8, 12], 'checks continue on the same Δ grid');
    assert.ok(
      resumed.history()[0].similarity !== undefined,
      'the first check after resume compares with the checkpointed activations',
    );
    // A fresh rule without the state would need 3 more checks.
    const fresh = adaptiveFreezeForEncoder(enc, probe, opts);
    let freshFired: number | undefined;
    for (let u = 7; u <= 50 && freshFired === undefined; u++) if (fresh.shouldFreeze({ update: u })) freshFired = u;
    assert.equal(freshFired, 19);
  } finally {
    enc.dispose();
  }
});
