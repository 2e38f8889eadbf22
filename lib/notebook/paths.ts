import { resolve } from 'node:path';

/** The repository root (lib/notebook/../..): notebooks run here, outputs are placed relative to it. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
