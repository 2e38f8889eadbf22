/**
 * The committed notebooks carry their results, made from the current tree (issue 17): every notebook in notebooks/
 * was published by `npm run notebooks -- --publish` from the committed data/, its own cells and the code that draws
 * and tabulates (lib/notebook/inputs.ts), and none of those changed since. Digests only: no kernel, a second or two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inGitWorkTree, publishCommand, stalenessProblems } from '../../lib/notebook/publish';
import { REPO_ROOT } from '../../lib/util/paths';

const notebooks = readdirSync(join(REPO_ROOT, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

for (const file of notebooks) {
  const notebook = `notebooks/${file}`;
  test(`${notebook} is published with outputs made from the current inputs`, (t) => {
    if (!inGitWorkTree()) return t.skip('not a git checkout: listing the data a notebook read needs git');
    const problems = stalenessProblems(notebook);
    if (problems.length) {
      assert.fail(
        `${notebook} is stale:\n  - ${problems.join('\n  - ')}\n` +
          `Refresh it (laptop scale, committed data/, no training; then commit it): ${publishCommand(notebook)}\n` +
          `All notebooks at once: ${publishCommand()}`,
      );
    }
  });
}
