import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import { tableMarkdown } from '../../lib/util/table-markdown';

test('not-applicable cells are blank and each numeric column has one number format', () => {
  const t = aq.from([
    { env: 'breakout', 'final return': 2.6, 'freeze at env step': NaN, seeds: 3 },
    { env: 'space', 'final return': 2.5712, 'freeze at env step': 3000, seeds: 3 },
    { env: 'none', 'final return': null, 'freeze at env step': 1500.5, seeds: 1 },
  ]);
  const md = tableMarkdown(t, { maxdigits: 2 });
  assert.ok(!md.includes('NaN') && !md.includes('null'), md);
  const rows = md
    .trim()
    .split('\n')
    .slice(2)
    .map((l) => l.split('|').slice(1, -1));
  assert.deepEqual(
    rows.map((r) => r[1]),
    ['2.60', '2.57', ''],
  );
  assert.deepEqual(
    rows.map((r) => r[2]),
    ['', '3000.0', '1500.5'],
  );
  assert.deepEqual(
    rows.map((r) => r[3]),
    ['3', '3', '1'],
  );
});
