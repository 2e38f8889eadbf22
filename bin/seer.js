#!/usr/bin/env node
// The `seer` command: registers tsx so the TypeScript library runs without a build step, then hands over.
require('tsx/cjs');
require('../lib/cli.ts')
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code ?? 0),
    (err) => {
      console.error(`seer: ${err && err.message ? err.message : err}`);
      // A run stopped by Ctrl-C / SIGTERM exits 130 / 143 (lib/run/stop.ts); other failures 1.
      process.exit(err && Number.isInteger(err.exitCode) ? err.exitCode : 1);
    },
  );
