/**
 * One headless Chromium per process, shared by the static figure renderer and the notebook browser checks.
 *
 * Launched lazily on first use (Debian `chromium` driven by playwright-core; SEER_CHROMIUM overrides the
 * executable), reused while in use, closed after `idleMs` without use so a kernel or script does not keep
 * it around, and killed with the process (playwright registers an exit handler for the browsers it starts).
 * Scripts that want to exit promptly call `closeBrowser()`.
 */
import { existsSync } from 'node:fs';
import type { Browser, LaunchOptions } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags for a quiet, offline, sandbox-free headless run (root in containers cannot use the sandbox). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--allow-file-access-from-files',
];

/** Path of the Chromium executable to drive, or undefined when none is installed. */
export function chromiumPath(): string | undefined {
  const forced = process.env.SEER_CHROMIUM;
  if (forced) {
    if (!existsSync(forced)) throw new Error(`SEER_CHROMIUM=${forced} does not exist`);
    return forced;
  }
  return CANDIDATES.find((p) => existsSync(p));
}

let browser: Promise<Browser> | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let users = 0;
let idleMs = 30_000;

/** How long an unused browser stays open (ms). */
export function setBrowserIdleTimeout(ms: number): void {
  idleMs = ms;
}

async function launch(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error(
      `No Chromium found (looked for ${CANDIDATES.join(', ')}; set SEER_CHROMIUM to override). ` +
        'Run `npm run setup` to install the Debian chromium package.',
    );
  }
  // playwright-core is loaded only when a static image is needed: notebooks that never render pay nothing.
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  // playwright gives each launch a fresh temporary profile (--user-data-dir) and removes it on close.
  const opts: LaunchOptions = { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 };
  const b = await chromium.launch(opts);
  b.on('disconnected', () => {
    browser = undefined;
  });
  return b;
}

/**
 * Runs `fn` with the shared browser. The browser closes `idleMs` after the last user finishes.
 */
export async function withBrowser<T>(fn: (b: Browser) => Promise<T>): Promise<T> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  users++;
  try {
    if (!browser) {
      browser = launch();
      browser.catch(() => (browser = undefined));
    }
    return await fn(await browser);
  } finally {
    users--;
    if (users === 0) {
      idleTimer = setTimeout(() => void closeBrowser(), idleMs);
      idleTimer.unref();
    }
  }
}

/** Closes the shared browser now (safe to call when none is open). */
export async function closeBrowser(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  const b = browser;
  browser = undefined;
  if (b) await (await b.catch(() => undefined))?.close();
}
