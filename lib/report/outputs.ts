/**
 * Where figures and tables go, and the manifest that describes each folder of them (issue 16 §6).
 *
 *   writeOutputManifest('data/figures/01-compute', {notebook, command, scale, runs}, () => ({commit, machine, …}))
 *   defaultReportDir(['data/runs/compute']) → 'build/reports/compute'
 *
 * A manifest has two parts: what the folder holds (the description its writer gives, plus a digest of every file in
 * the folder) and where its files came from (`provenance`: commit, machine, time of the last change to a file). It is
 * rewritten only when the first part changes, and its provenance only when a file changed, so re-making the same
 * figures on another machine or commit leaves the tree clean while the manifest still says where they came from.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic';

export const MANIFEST_FILE = 'manifest.json';

/** `seer report` without `--out`: under build/ (not committed), never into data/. */
export function defaultReportDir(runs: string[]): string {
  if (!runs.length) throw new Error('defaultReportDir needs at least one runs folder');
  return join('build', 'reports', basename(resolve(runs[0])));
}

/** Short content digest (the first 16 hex digits of SHA-256): enough to tell versions of a file apart. */
export function digest(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/** Temporary siblings of atomic writes (`x.tmp-<pid>`) and dot files are not part of what a folder holds. */
function isScratch(name: string): boolean {
  return name.startsWith('.') || /\.tmp-\d+$/.test(name);
}

/** Digest of every file under `dir` (recursively, by path relative to it) except its own manifest. */
export function folderDigests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (isScratch(e.name)) continue;
      const p = join(d, e.name);
      const rel = relative(dir, p).split('\\').join('/');
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && rel !== MANIFEST_FILE) out[rel] = digest(readFileSync(p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Orders strings by UTF-16 code units (not by locale): the same order on every machine. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => byCodeUnits(a, b)))
      : v,
  );
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // absent or unreadable: written anew
  }
}

/**
 * Writes `<dir>/manifest.json` = description + `files` (digests) + `provenance` (called only when writing), unless
 * the manifest already there has the same description and files. Returns whether it wrote.
 */
export function writeOutputManifest(
  dir: string,
  description: Record<string, unknown>,
  provenance: () => Record<string, unknown>,
): boolean {
  if ('files' in description || 'provenance' in description) {
    throw new Error("an output manifest's description may not use the keys 'files' or 'provenance' (computed here)");
  }
  const file = join(dir, MANIFEST_FILE);
  const described = { ...description, files: folderDigests(dir) };
  const existing = readJson(file);
  let kept: unknown;
  if (existing) {
    const { provenance: before, ...existingDescribed } = existing;
    if (canonicalJson(existingDescribed) === canonicalJson(described)) return false;
    // Same files, another description (a notebook shows its first table before it names its runs): the provenance
    // is still that of the files, so that the last write of a re-run gives back the same bytes.
    if (before && canonicalJson(existing.files) === canonicalJson(described.files)) kept = before;
  }
  writeFileAtomic(file, JSON.stringify({ ...described, provenance: kept ?? provenance() }, null, 1) + '\n');
  return true;
}
