#!/usr/bin/env node
// Starts the project's tslab kernel (registered by scripts/setup.sh as the `tslab` kernelspec under build/jupyter).
// Two fixes over a plain `tslab kernel`:
// - It runs in the repository root whatever directory Jupyter launches it from: tslab compiles local imports
//   with rootDir = its working directory, so notebooks import `./lib/...` and read/write `data/...` from here.
// - TypeScript's directory watchers are switched off. tslab runs one watch program per kernel and assumes only
//   it schedules rebuilds; a watched directory changing between cells (a figure written under data/, another
//   process editing the tree) leaves a second timer pending and every later cell fails with
//   "Unexpected pending rebuildTimer". File watchers stay on, so edits to lib/ files are still picked up.
// - Node's require() learns TypeScript (tsx's CommonJS hook): tslab compiles only the files a cell imports
//   statically, so a lazy `require('./wasm')` inside lib/ would otherwise fail to find a .ts file.
'use strict';
const path = require('path');
const root = path.resolve(__dirname, '..');
process.chdir(root);
require(require.resolve('tsx/cjs/api', { paths: [root] })).register();
const tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [root] }));
const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] }));
ts.sys.watchDirectory = (dir) => {
  if (process.env.SEER_TSLAB_DEBUG) console.error(`[tslab-kernel] not watching directory ${dir}`);
  return { close() {} };
};
require(path.join(tslabDir, 'dist', 'main.js')).main();
