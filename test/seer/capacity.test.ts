import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAPER_MEMORY, capacityFactor, capacityHat, paperBudgetFor, paperMemoryFor } from '../../lib/seer/capacity';
import { CONTROL_TASK_NAMES } from '../../lib/envs/control';
import { GAME_NAMES } from '../../lib/envs/games';
import { defaultBudget } from '../../lib/run/config';
import { parseMemoryBudget } from '../../lib/replay/budget';
import { FixedFreezeRule, NeverFreeze } from '../../lib/seer/rules';
import { SEER_VARIANTS, seerVariant } from '../../lib/seer/variants';

const curl = { P: 3 * 100 * 100, N: 2, K: 4, L: 50 };

test("Ĉ on the paper's numbers (seer-reference §1.6, §1.9)", () => {
  assert.equal(capacityHat({ C: 1000, ...curl }), 18750);
  assert.equal(capacityHat({ C: 2000, ...curl }), 37500);
  assert.equal(capacityHat({ C: 80000, ...curl }), 1500000);
  assert.equal(capacityHat({ C: 80000, ...curl, maxCapacity: 80000 }), 80000, 'official cap at num_train_steps');
  assert.equal(capacityFactor(84 * 84, 1, 1, 576), 3.0625);
  assert.equal(capacityHat({ C: 10000, P: 84 * 84, N: 1, K: 1, L: 576 }), 30625);
  assert.equal(capacityFactor(84 * 84, 1, 1, 3136), 0.5625, 'canonical Rainbow: a decrease');
  // go-beyond storage types
  assert.equal(capacityHat({ C: 1000, ...curl, dtype: 'float16' }), 37500);
  assert.equal(capacityHat({ C: 1000, ...curl, dtype: 'int8' }), Math.floor(30_000_000 / (8 * 54)));
  assert.throws(() => capacityHat({ C: 1000, ...curl, K: 0 }), /K must be an integer ≥ 1/);
});

test('paper memory settings: C·P matches the budget (games are rounded to 0.07 GB)', () => {
  for (const [task, s] of Object.entries(PAPER_MEMORY)) {
    const ratio = (s.C * s.P) / parseMemoryBudget(s.budget);
    if (task === 'games') assert.ok(Math.abs(ratio - 1) < 0.01, `${task}: ${ratio}`);
    else assert.equal(ratio, 1, task);
  }
  assert.equal(paperMemoryFor('minatar/breakout').C, 10000);
  assert.throws(() => paperMemoryFor('pendulum'), /No paper memory setting .*Known: cartpole-swingup/);
});

test("default budgets come from the paper's one table: its tasks', their domains', else reacher/walker's", () => {
  for (const [task, s] of Object.entries(PAPER_MEMORY))
    if (task !== 'games') assert.equal(paperBudgetFor(task), s.budget);
  for (const game of GAME_NAMES) assert.equal(paperBudgetFor(`minatar/${game}`), PAPER_MEMORY.games.budget);
  // every control task: cartpole and finger 0.03 GB, the rest 0.06 GB (the paper's §5.2 split)
  for (const task of CONTROL_TASK_NAMES) {
    const small = task.startsWith('cartpole-') || task.startsWith('finger-');
    assert.equal(paperBudgetFor(task), small ? '0.03GB' : '0.06GB', task);
    assert.equal(defaultBudget(task), paperBudgetFor(task), 'the run config asks the same table');
  }
});

test('memory budget strings', () => {
  assert.equal(parseMemoryBudget('0.03GB'), 30_000_000);
  assert.equal(parseMemoryBudget('30MB'), 30_000_000);
  assert.equal(parseMemoryBudget('30 mb'), 30_000_000);
  assert.equal(parseMemoryBudget('512KB'), 512_000);
  assert.equal(parseMemoryBudget('1GiB'), 1024 ** 3);
  assert.equal(parseMemoryBudget('2MiB'), 2 * 1024 ** 2);
  assert.equal(parseMemoryBudget('12345'), 12345);
  assert.equal(parseMemoryBudget(4096), 4096);
  for (const bad of ['0.03 gigs', 'GB', '-1MB', '0', '', 'abc'])
    assert.throws(() => parseMemoryBudget(bad), /'0\.03GB'.*KiB/, bad);
});

test('freeze rules: fixed T_f, the baseline, and bad T_f', () => {
  const r = new FixedFreezeRule(10_000, 80_000);
  assert.equal(r.shouldFreeze({ update: 9_999 }), false);
  assert.equal(r.shouldFreeze({ update: 10_000 }), true);
  assert.match(r.describe(), /10000/);
  assert.equal(new FixedFreezeRule(0).shouldFreeze({ update: 0 }), true);
  assert.equal(new NeverFreeze().shouldFreeze(), false);
  assert.throws(() => new FixedFreezeRule(-1), /T_f must be an integer ≥ 0/);
  assert.throws(() => new FixedFreezeRule(100, 50), /beyond the run \(50 updates\)/);
  assert.throws(() => new FixedFreezeRule(100).shouldFreeze({ update: 0, totalUpdates: 50 }), /beyond the run/);
});

test('the five comparison variants are distinct plain data with descriptions', () => {
  assert.equal(SEER_VARIANTS.length, 5);
  assert.deepEqual(
    SEER_VARIANTS.map((v) => v.id),
    ['baseline', 'seer', 'constrained-images', 'constrained-seer', 'capacity-control'],
  );
  for (const v of SEER_VARIANTS) {
    assert.ok(v.description.length > 20);
    assert.equal(v.freeze, v.latentCapacity !== null);
    assert.deepEqual(JSON.parse(JSON.stringify(v)), v);
  }
  assert.equal(seerVariant('capacity-control').imageCapacity, 'c-hat');
  assert.throws(() => seerVariant('nope'), /Accepted: baseline, seer/);
});
