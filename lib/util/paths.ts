import { resolve } from 'node:path';

/** The repository root (lib/util/../..): notebooks run here, outputs are placed relative to it. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
