/**
 * Shared by the browser-dependent tests: whether Chromium is usable, and if not, whether that is a reason to
 * skip (not installable here) or to fail (setup would install it — skipping would hide a broken setup).
 */
import { execFileSync } from 'node:child_process';
import { chromiumPath } from '../../lib/plots/browser';

/** True when this process could install Debian packages (root with apt-get). */
export function canInstallDebianPackages(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * undefined when Chromium is present; a skip message when it is missing and cannot be installed here;
 * throws when it is missing but installable (run `npm run setup`).
 */
export function chromiumSkipReason(): string | undefined {
  if (chromiumPath()) return undefined;
  if (canInstallDebianPackages()) {
    throw new Error(
      'Chromium is missing but installable here: run `npm run setup` (installs the Debian chromium package)',
    );
  }
  return 'Chromium is not installed and this user cannot install Debian packages: browser checks skipped';
}
