#!/usr/bin/env node
// The `seer` command: registers tsx so the TypeScript library runs without a build step, then hands over.
require('tsx/cjs');
require('../lib/cli.ts').main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    console.error(`seer: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
