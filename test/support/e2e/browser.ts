import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../common/paths.js';

export const UI_DIR = path.join(PROJECT_ROOT, 'out', 'renderer');
export const SCREENSHOTS = path.join(PROJECT_ROOT, 'test', 'e2e', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests run wherever Chromium is installed, and always in CI (.ci/run installs it; there a
 * missing browser fails the run). On a developer machine without it they are skipped, saying why.
 */
export const BROWSER_AVAILABLE = fs.existsSync(CHROMIUM) || !!process.env.CI;
if (!BROWSER_AVAILABLE) {
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH)`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when out/renderer is missing or older than its sources (src/renderer, src/shared). */
export function ensureRendererBuilt(): string {
  const index = path.join(UI_DIR, 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  if (built === 0 || Math.max(newestMtime(path.join(PROJECT_ROOT, 'src', 'renderer')), newestMtime(path.join(PROJECT_ROOT, 'src', 'shared'))) > built) {
    try {
      execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src/renderer/vite.config.ts'], {
        cwd: PROJECT_ROOT,
        stdio: 'pipe',
        timeout: 180_000,
        // vitest sets NODE_ENV=test, which would make Vite bundle React's development build
        env: { ...process.env, NODE_ENV: 'production' },
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
      throw new Error(
        `The web UI could not be built (npx vite build --config src/renderer/vite.config.ts):\n${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}${e.message}`,
      );
    }
  }
  if (!fs.existsSync(index)) throw new Error(`The web UI build did not produce ${index}; run: npm run build`);
  return UI_DIR;
}

/** Debian's Chromium, headless, driven by playwright-core. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with 'apt-get install -y chromium' (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** How long and how often a browser test polls the page: a real browser on a shared machine is slow. */
export const BROWSER_PACE = { timeoutMs: 20_000, intervalMs: 100 };
