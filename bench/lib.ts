import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';

/** Shared helpers for bench scripts: percentiles, tables, --json output, temp dirs. */
/** The relays under test refuse tokens shorter than 16 characters. */
export const BENCH_TOKEN = 'bench-token-0123456789';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const made: string[] = [];

/** A fresh temp folder, removed when the process ends (a million-message queue leaves 2 GB behind). */
export function tempDir(prefix = 'gmr-bench-'): string {
  if (made.length === 0) {
    process.once('exit', () => {
      for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface Row {
  [k: string]: string | number;
}

export function report(title: string, rows: Row[], extra: Record<string, unknown> = {}): void {
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ bench: title, rows, ...extra, machine: machine() })}\n`);
    return;
  }
  process.stdout.write(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? '').length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`${line(cols)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => fmt(r[c] ?? '')))}\n`);
  for (const [k, v] of Object.entries(extra)) process.stdout.write(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
}

export function machine() {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
}

/** A keep-alive JSON POST, resolving with status and elapsed ms. */
export function postJson(agent: http.Agent, url: string, token: string, body: unknown): Promise<{ status: number; ms: number; body: string }> {
  const data = Buffer.from(JSON.stringify(body));
  const u = new URL(url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, 'X-API-Token': token } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
