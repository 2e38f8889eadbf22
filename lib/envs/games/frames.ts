/**
 * Writes a strip of 84×84 pixel frames per game (PNG) and a manifest, for people to look at:
 *   npx tsx lib/envs/games/frames.ts [outDir=data/frames/minatar]
 * Each strip shows the newest frame of every `stride`-th step of a seeded uniformly random policy (full action
 * set, sticky actions), from the first seeded episode long enough to fill the strip.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodePng } from '../png';
import { Rng } from '../rng';
import { GAME_NAMES, makeMinAtar } from './index';

export interface StripOptions {
  frames?: number;
  stride?: number;
  seed?: number;
  /** Gray value of the separator columns between frames. */
  separator?: number;
}

/** The strip for one game: frames side by side with 2-pixel separators, as 8-bit gray [84, W]. */
export function frameStrip(
  game: string,
  opts: StripOptions = {},
): { pixels: Uint8Array; width: number; height: number; episodeSeed: number } {
  const nFrames = opts.frames ?? 8;
  const stride = opts.stride ?? 3;
  const sep = 2;
  const env = makeMinAtar(game, { obs: 'pixels', frameStack: 1 });
  const S = env.size;
  for (let episodeSeed = opts.seed ?? 0; ; episodeSeed++) {
    const policy = new Rng(episodeSeed);
    const shots: Uint8Array[] = [env.reset({ seed: episodeSeed }).obs as Uint8Array];
    let ended = false;
    for (let t = 1; shots.length < nFrames && !ended; t++) {
      const s = env.step(policy.int(env.actionSpace.n));
      if (t % stride === 0) shots.push(s.obs as Uint8Array);
      ended = s.terminated || s.truncated;
    }
    if (shots.length < nFrames) continue;
    const width = nFrames * S + (nFrames - 1) * sep;
    const pixels = new Uint8Array(width * S).fill(opts.separator ?? 128);
    shots.forEach((f, k) => {
      for (let y = 0; y < S; y++) pixels.set(f.subarray(y * S, (y + 1) * S), y * width + k * (S + sep));
    });
    return { pixels, width, height: S, episodeSeed };
  }
}

function git(args: string): string {
  try {
    return execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

export function writeFrameStrips(outDir: string, opts: StripOptions = {}): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const games: Record<string, unknown> = {};
  for (const g of GAME_NAMES) {
    const strip = frameStrip(g, opts);
    const file = `${g}.png`;
    fs.writeFileSync(path.join(outDir, file), encodePng(strip.pixels, strip.width, strip.height, 1));
    const env = makeMinAtar(g);
    games[g] = {
      file,
      episodeSeed: strip.episodeSeed,
      channels: env.game.channels,
      grayLevels: Array.from(env.grayLevels),
      drawOrderBackToFront: env.game.drawOrder.map((c) => env.game.channels[c]),
    };
    written.push(path.join(outDir, file));
  }
  const manifest = {
    command: 'npx tsx lib/envs/games/frames.ts ' + path.relative(process.cwd(), outDir),
    commit: git('rev-parse HEAD'),
    dirty: git('status --porcelain --untracked-files=no') !== '',
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
    },
    date: new Date().toISOString(),
    what:
      'One PNG per game: 84×84 grayscale frames (newest channel of the pixel observation) at every ' +
      `${opts.stride ?? 3}rd step of a uniformly random policy (full action set, sticky p=0.1), left to right, ` +
      `${opts.frames ?? 8} frames, 2-pixel gray separators. Pixel row/col p belongs to cell floor(p*10/84).`,
    games,
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  written.push(path.join(outDir, 'manifest.json'));
  return written;
}

if (require.main === module) {
  const out = process.argv[2] ?? 'data/frames/minatar';
  for (const f of writeFrameStrips(out)) console.log(f);
}
