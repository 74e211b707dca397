import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/common/wait.js';
import { tempDir } from '../support/common/temp-dir.js';
import { PROJECT_ROOT } from '../support/common/paths.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Linux only: elsewhere there is always a display, and npm start would launch (or download) Electron
describe.skipIf(process.platform !== 'linux')('npm start without an Electron runtime', () => {
  it('says why in one line and serves the relay headless, with the same flags and GMP_* env', { timeout: 90_000 }, async () => {
    const dataDir = tempDir('gmr-start-');
    const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', GMP_API_TOKEN: 'start-token-0123456789', GMP_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--smtp-port', '0', '--data-dir', dataDir], {
      cwd: PROJECT_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] ?? null, `the API address (stdout: ${stdout} stderr: ${stderr})`, 60_000);
      const health = await waitFor(
        async () => {
          try {
            const r = await fetch(`${url}/health`);
            return r.status === 200 ? r : null;
          } catch {
            return null;
          }
        },
        '/health',
        20_000,
      );
      expect(await health.json()).toMatchObject({ status: 'ok' });
      // the token came from GMP_API_TOKEN, the data folder from --data-dir
      expect((await fetch(`${url}/api/settings`, { headers: { 'X-API-Token': 'start-token-0123456789' } })).status).toBe(200);
      expect(stdout).toContain(`Data:       ${dataDir}`);

      const reasons = stderr.split('\n').filter((l) => l.includes('starting the headless relay instead'));
      expect(reasons).toEqual(['no display (DISPLAY and WAYLAND_DISPLAY are unset); starting the headless relay instead']);
      expect(stderr.split('\n')[0]).toBe(reasons[0]);

      // SIGTERM to npm start reaches the relay, which shuts down cleanly
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      if (alive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    }
    // nothing of the group is left
    await waitFor(() => {
      try {
        process.kill(-child.pid!, 0);
        return null;
      } catch {
        return true;
      }
    }, 'the process group to end', 10_000);
  });
});
