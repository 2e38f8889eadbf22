/**
 * Feedback on long work (issue 17): lines off a terminal, an ETA from the current phase's rate, the freeze said when
 * it happens, and `k of n` with an ETA for a queue of runs. A clock is injected: nothing here waits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, runPhase, SweepProgress, type ProgressStream } from '../../lib/run/progress';

function fakeStream(isTTY = false): ProgressStream & { text: string } {
  const s = { isTTY, text: '', write: (t: string) => void (s.text += t) };
  return s;
}

function clock(): { now: () => number; advance: (seconds: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (s) => void (t += s * 1000) };
}

test('off a terminal, a line every N seconds with step, steps/s, ETA and the last return', () => {
  const out = fakeStream(false);
  const c = clock();
  const p = new Progress('minatar/breakout seer s0', 1000, 0, {
    stream: out,
    everySeconds: 10,
    quiet: false,
    now: c.now,
  });
  for (let step = 1; step <= 100; step++) {
    c.advance(0.5); // 2 steps/s
    if (step === 40) p.setReturn(2.25);
    p.update(step, 'updates');
  }
  const lines = out.text.trim().split('\n');
  assert.equal(lines.length, 5, out.text); // 50 s: one line per 10 s
  assert.match(
    lines[4],
    /^\[minatar\/breakout seer s0\] step 100\/1000 · updates · 2\.0 steps\/s · ETA 7m30s · last return 2\.3$/,
  );
});

test("the ETA uses the current phase's rate, not the run's average with the fast warm-up in it", () => {
  const out = fakeStream(false);
  const c = clock();
  const p = new Progress('r', 6000, 0, { stream: out, everySeconds: 1e9, quiet: false, now: c.now });
  for (let step = 1; step <= 1000; step++) {
    c.advance(0.01); // warm-up: 100 steps/s, no updates
    p.update(step, runPhase(step, 1000, false));
  }
  assert.equal(p.eta(1000), undefined); // no update has run: its rate is unknown
  for (let step = 1001; step <= 1612; step++) {
    c.advance(0.1); // updates: 10 steps/s
    p.update(step, runPhase(step, 1000, false));
  }
  // 4,388 steps left at 10 steps/s; the whole-run average (1,612 steps in 71 s) would say 193 s
  assert.ok(Math.abs(p.eta(1612)! - 438.8) < 1e-6, String(p.eta(1612)));
  for (let step = 1613; step <= 2000; step++) {
    c.advance(0.025); // after T_f: 40 steps/s
    p.update(step, runPhase(step, 1000, true));
  }
  assert.ok(Math.abs(p.eta(2000)! - 100) < 1e-6, String(p.eta(2000)));
  p.update(2000, 'frozen', true);
  assert.match(out.text, /step 2000\/6000 · after T_f, encoder frozen · 40\.0 steps\/s · ETA 1m40s/);
});

test('the freeze is printed when it happens: the update, what froze, replay bytes before → after', () => {
  const out = fakeStream(false);
  const p = new Progress('cartpole-swingup seer s0', 5000, 0, { stream: out, quiet: false });
  p.froze(
    1500,
    { kind: 'curl', latentHeads: 2, latentDim: 50 },
    { imageBytesBefore: 76_913_040, latentBytesAfter: 4_209_040, capacity: 5000, encodedObservations: 2522 },
  );
  assert.equal(
    out.text,
    '[cartpole-swingup seer s0] froze the encoder at update 1,500: convs + fc of both heads, ' +
      '2 × 50 latents per observation; replay 76.9 MB of images → 4.2 MB of latents ' +
      '(2,522 observations re-encoded, capacity 5,000)\n',
  );
});

test('on a terminal the bar is redrawn in place; SEER_QUIET prints nothing at all', () => {
  const tty = fakeStream(true);
  const c = clock();
  const p = new Progress('r', 10, 0, { stream: tty, quiet: false, now: c.now });
  c.advance(1);
  p.update(5, 'updates');
  assert.match(tty.text, /^\rr █+░+ step 5\/10/);
  const quiet = fakeStream(false);
  const q = new Progress('r', 10, 0, { stream: quiet, quiet: true, everySeconds: 1, now: c.now });
  c.advance(5);
  q.update(5, 'updates', true);
  q.froze(3, { kind: 'rainbow', latentHeads: 1, latentDim: 576 }, null);
  q.done();
  assert.equal(quiet.text, '');
});

test("a queue of runs says k of n and an ETA from the runs' estimates, shared among the processes", () => {
  const c = clock();
  const sp = new SweepProgress(
    new Map([
      ['a', 100],
      ['b', 100],
      ['c', 300],
      ['d', 100],
    ]),
    2,
    c.now,
  );
  assert.match(sp.event('a', 'start'), /^0 of 4 finished · ETA 5m00s$/); // 600 s of work, 2 at a time
  sp.event('b', 'start');
  c.advance(60);
  assert.equal(sp.eta(), (40 + 40 + 300 + 100) / 2);
  assert.match(sp.event('a', 'done'), /^1 of 4 finished · ETA /);
  assert.match(sp.event('b', 'failed'), /^2 of 4 finished \(1 failed\)/);
  sp.event('c', 'skipped');
  assert.equal(sp.event('d', 'skipped'), '4 of 4 finished (1 failed)');
});

test("a run without an estimate takes the mean time of the queue's finished runs (before any: no ETA)", () => {
  const c = clock();
  const sp = new SweepProgress(
    new Map<string, number | undefined>([
      ['a', undefined],
      ['b', undefined],
    ]),
    1,
    c.now,
  );
  assert.match(sp.event('a', 'start'), /ETA --$/);
  c.advance(120);
  sp.event('a', 'done');
  assert.equal(sp.eta(), 120);
});

test('once runs finish, the remaining estimates are scaled by how long those took against theirs', () => {
  const c = clock();
  const sp = new SweepProgress(
    new Map([
      ['a', 100],
      ['b', 100],
      ['c', 50],
    ]),
    1,
    c.now,
  );
  sp.event('a', 'start');
  c.advance(200); // twice its estimate: this machine is slower than the one that measured
  sp.event('a', 'done');
  assert.equal(sp.eta(), 2 * (100 + 50));
});
