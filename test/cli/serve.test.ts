import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/common/wait.js';
import { tempDir } from '../support/common/temp-dir.js';
import { PROJECT_ROOT } from '../support/common/paths.js';

function runServe(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'serve', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, GMP_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

describe('relay serve', () => {
  it('prints the chosen ports and the UI link, serves /health, stops on SIGTERM', async () => {
    const dataDir = tempDir();
    const p = runServe(['--port', '0', '--smtp-port', '0', '--data-dir', dataDir, '--api-token', 'cli-token-0123456789']);
    try {
      await waitFor(() => /Web UI:/.test(p.out()), 'the Web UI line', 20_000);
      const url = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(p.out())![1];
      expect(p.out()).toMatch(/#token=cli-token-0123456789/);
      expect(p.out()).toMatch(/SMTP sink:\s+127\.0\.0\.1:\d+/);
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${url}/status`, { headers: { 'X-API-Token': 'cli-token-0123456789' } })).status).toBe(200);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });

  it('keeps serving and stops on SIGTERM when its stdout reader went away (`relay serve | head -1`)', { timeout: 40_000 }, async () => {
    const port = await freePort();
    const p = runServe(['--port', String(port), '--smtp-port', '0', '--data-dir', tempDir()], { GMP_LOG_LEVEL: 'info' });
    // every write to stdout now fails with EPIPE: it used to crash the relay into pino's endless exit flush
    p.child.stdout.destroy();
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true, 'the relay to answer /health', 20_000);
      await new Promise((r) => setTimeout(r, 300));
      expect((await fetch(`http://127.0.0.1:${port}/health`)).ok).toBe(true);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });

  it('stops at start-up on invalid configuration, naming the key', async () => {
    const p = runServe(['--data-dir', tempDir()], { GMP_PORT: 'http' });
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(/invalid configuration: GMP_PORT/);
  });
});
