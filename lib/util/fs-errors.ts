/**
 * File-system problems said in words: which path, what is wrong with it, and what to do — instead of a raw
 * `EEXIST: file already exists, mkdir 'runs/x'` or `EPERM: operation not permitted`.
 */
import * as fs from 'fs';
import * as path from 'path';

/** What to do about each error code, given the path it concerns. */
const ADVICE: Record<string, (p: string, syscall: string) => string> = {
  EEXIST: (p, sys) =>
    sys === 'mkdir'
      ? `${p} exists and is not a directory: choose another path, or move that file away`
      : `${p} already exists (${sys})`,
  ENOTDIR: (p) => `a part of ${p} is a file, not a directory: choose another path`,
  EISDIR: (p) => `${p} is a directory where a file was expected: choose another path`,
  ENOENT: (p, sys) => `${p} does not exist (${sys}): check the path`,
  EACCES: (p, sys) =>
    `permission denied on ${p} (${sys}): choose a directory you can write to, or change its permissions`,
  EPERM: (p, sys) =>
    `operation not permitted on ${p} (${sys}): the directory is read-only or immutable; ` +
    'choose another directory, or make it writable',
  EROFS: (p) => `${p} is on a read-only file system: choose a directory on a writable one`,
  ENOSPC: (p) => `no space left on the device holding ${p}: free some space, then continue with --resume`,
  EDQUOT: (p) => `disk quota exceeded writing ${p}: free some space, then continue with --resume`,
};

/** A sentence for a Node file-system error that carries a path, or undefined for any other error. */
export function describeFsError(err: unknown): string | undefined {
  const e = err as (NodeJS.ErrnoException & { dest?: string }) | null;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.path !== 'string') return undefined;
  const advice = ADVICE[e.code];
  const p = e.dest && e.code === 'EEXIST' ? e.dest : e.path;
  return advice ? advice(p, e.syscall ?? 'access') : `${e.code} on ${p} (${e.syscall ?? 'access'}): ${e.message}`;
}

/**
 * Whether `dir` can be used as an output directory — it is one, or can be created, and can be written to — without
 * creating it: returns what is wrong (which path, what to do), or undefined when it is usable.
 */
export function checkOutputDir(dir: string): string | undefined {
  const target = path.resolve(dir);
  let p = target;
  while (!fs.existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  try {
    if (!fs.statSync(p).isDirectory()) {
      return p === target
        ? `${dir} is a file, not a directory: choose another path, or move that file away`
        : `${p} is a file, so ${dir} cannot be created under it: choose another path`;
    }
    fs.accessSync(p, fs.constants.W_OK);
    return undefined;
  } catch (err) {
    return describeFsError(err) ?? `cannot use ${target} as an output directory: ${(err as Error).message}`;
  }
}

/** Checks that `dir` exists and is a directory (an input); returns what is wrong, or undefined. */
export function checkInputDir(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return `${dir} does not exist: check the path`;
  if (!fs.statSync(dir).isDirectory()) return `${dir} is a file, not a directory`;
  return undefined;
}
