/**
 * Writes what a person looks at to check the control suite: one 84×84 PNG per task after a few steps of a fixed
 * open-loop policy, a contact sheet of all tasks, and a manifest (command, commit, machine, date).
 *
 * Run: `node --import tsx lib/envs/control/frames.ts [outDir] [size]` (default data/frames/control, 84).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodePng } from '../png';
import { CONTROL_TASK_NAMES, makeControlTask } from './index';

export interface FramesManifest {
  command: string;
  commit: string;
  machine: { cpu: string; cores: number; platform: string; node: string };
  date: string;
  size: number;
  seed: number;
  steps: number;
  policy: string;
  files: Record<string, string>;
  contactSheet: string;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Renders every task and writes the PNGs, the contact sheet (4 columns) and manifest.json into `outDir`. */
export async function writeControlFrames(outDir: string, size = 84, seed = 3, steps = 10): Promise<FramesManifest> {
  fs.mkdirSync(outDir, { recursive: true });
  const cols = 4;
  const rows = Math.ceil(CONTROL_TASK_NAMES.length / cols);
  const pad = 2;
  const sheetW = cols * (size + pad) + pad;
  const sheetH = rows * (size + pad) + pad;
  const sheet = new Uint8Array(sheetW * sheetH * 3).fill(255);
  const files: Record<string, string> = {};
  for (let n = 0; n < CONTROL_TASK_NAMES.length; n++) {
    const name = CONTROL_TASK_NAMES[n];
    const env = await makeControlTask(name, { size, frameStack: 1, seed });
    env.reset();
    const nu = env.actionSpace.shape[0];
    for (let t = 0; t < steps; t++) env.step(Array.from({ length: nu }, (_, k) => 0.5 * Math.sin(0.4 * t + k)));
    const img = env.render();
    env.close();
    const file = `${name}.png`;
    fs.writeFileSync(path.join(outDir, file), encodePng(img, size, size, 3));
    files[name] = file;
    const r0 = pad + Math.floor(n / cols) * (size + pad);
    const c0 = pad + (n % cols) * (size + pad);
    for (let y = 0; y < size; y++)
      sheet.set(img.subarray(y * size * 3, (y + 1) * size * 3), ((r0 + y) * sheetW + c0) * 3);
  }
  const contactSheet = `contact-sheet-${size}.png`;
  fs.writeFileSync(path.join(outDir, contactSheet), encodePng(sheet, sheetW, sheetH, 3));
  const manifest: FramesManifest = {
    command: `node --import tsx lib/envs/control/frames.ts ${outDir} ${size}`,
    commit: commit(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
    },
    date: new Date().toISOString(),
    size,
    seed,
    steps,
    policy: `a_k(t) = 0.5 sin(0.4 t + k) for ${steps} agent steps at the task's default action repeat, after reset(seed ${seed})`,
    files,
    contactSheet,
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  const outDir = process.argv[2] ?? 'data/frames/control';
  const size = Number(process.argv[3] ?? 84);
  writeControlFrames(outDir, size).then(
    (m) => console.log(`wrote ${Object.keys(m.files).length} frames and ${m.contactSheet} to ${outDir}`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
