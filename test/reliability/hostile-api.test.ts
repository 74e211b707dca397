import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { messageKey as key } from '../../src/core/store/records.js';

let t: TestRelay;

/** Deterministic pseudo-random generator so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** every hostile request is answered within this, and so is a normal request sent meanwhile */
const BUDGET_MS = 1000;

function raw(method: string, path: string, body: Buffer | string | null, headers: Record<string, string> = {}): Promise<number> {
  const u = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method, headers: { 'X-API-Token': t.token, ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

const ROUTES: [string, string][] = [
  ['POST', '/commands/add-messages'],
  ['POST', '/commands/delete-messages'],
  ['POST', '/commands/cleanup-messages'],
  ['POST', '/account'],
  ['PATCH', '/api/settings'],
  ['POST', '/api/send'],
  ['POST', '/api/captured/1/release'],
  ['POST', '/api/messages/x/retry'],
  ['POST', '/api/accounts/x/verify'],
  ['GET', '/api/messages?limit=-1&state=%00'],
  ['GET', '/api/captured?limit=abc&cursor=%FF%FE'],
];

function hostileValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * 12);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() * 1e308 * (r() > 0.5 ? -1 : 1);
    case 2:
      return 'x'.repeat(Math.floor(r() * 200_000));
    case 3:
      return 'line\r\nBcc: victim@example.com';
    case 4:
      return depth < 3 ? [hostileValue(r, depth + 1), hostileValue(r, depth + 1)] : [];
    case 5:
      return depth < 3 ? { id: hostileValue(r, depth + 1), messages: hostileValue(r, depth + 1) } : {};
    case 6:
      return true;
    case 7:
      return '\u0000\uFFFF\uD800';
    case 8:
      return -1;
    case 9:
      return { __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } };
    case 10:
      return '😀'.repeat(1000);
    default:
      return '';
  }
}

function hostileBody(r: () => number): Buffer | string {
  const kind = Math.floor(r() * 8);
  switch (kind) {
    case 0: {
      let s = '';
      for (let i = 0; i < 5000; i++) s += '[';
      return s;
    }
    case 1: {
      let v: unknown = 1;
      for (let i = 0; i < 2000; i++) v = [v];
      return JSON.stringify(v);
    }
    case 2:
      return Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]); // invalid UTF-8
    case 3:
      return JSON.stringify({ messages: Array.from({ length: 3 }, () => ({ id: hostileValue(r), from: hostileValue(r), to: hostileValue(r), subject: hostileValue(r), body: hostileValue(r) })) });
    case 4:
      return JSON.stringify(hostileValue(r));
    case 5:
      return '{"messages": [{"id": "a", "from": "b", "to": "c", "subject": "d", "body": "e", "attachments": [{"content": "%%%"}], "account_id": "nope"}]}';
    case 6:
      return 'not json at all \u0000';
    default:
      return JSON.stringify({ id: 'acc', host: hostileValue(r), port: hostileValue(r), limit_per_minute: hostileValue(r), fallbacks: hostileValue(r) });
  }
}

/** GET /health, one after the other, for as long as it runs: the slowest answer tells a blocked loop */
function startHeartbeat() {
  let running = true;
  let answered = 0;
  let slowest = 0;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      await raw('GET', '/health', null);
      slowest = Math.max(slowest, performance.now() - start);
      answered++;
    }
  })();
  return {
    answered: () => answered,
    slowest: () => slowest,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** A message of add-messages and one of /api/send carrying `over`. */
function bothRoutes(over: Record<string, unknown>, sendOver: Record<string, unknown> = over): [string, string][] {
  const classic = { id: 'worst', account_id: 'acc', from: 'a@example.com', to: 'b@example.com', subject: 's', body: 'b', ...over };
  const send = { account_id: 'acc', from: 'a@example.com', to: 'b@example.com', subject: 's', body_text: 'b', ...sendOver };
  return [
    ['/commands/add-messages', JSON.stringify({ messages: [classic] })],
    ['/api/send', JSON.stringify(send)],
  ];
}

/** The inputs that once held the event loop: whitespace in base64 (60 KB took 1.5 s), long address runs. */
function worstCaseBodies(): [string, string][] {
  const MB = 1024 * 1024;
  const attachments = (content: string) => ({ attachments: [{ filename: 'f.bin', content }] });
  return [
    ...bothRoutes(attachments(' '.repeat(60 * 1024) + '!')),
    ...bothRoutes(attachments(' \n'.repeat(2 * MB) + '=!')),
    ...bothRoutes(attachments('QUFB'.repeat(MB / 2) + '=A')),
    ...bothRoutes({ to: 'a,'.repeat(49_000) + '!' }, { to: ' '.repeat(MB) + 'x' }),
    ...bothRoutes({ to: '"a'.repeat(MB) }, { to: '<'.repeat(MB) }),
    ...bothRoutes({ cc: '"Smith, Ann" <ann@example.com>, '.repeat(3000) }, { cc: Array.from({ length: 1000 }, () => ' '.repeat(499) + 'x') }),
    ...bothRoutes({ headers: { [`${'a'.repeat(MB)} `]: 'v' } }),
    ...bothRoutes({ from: `${' '.repeat(MB)}<a@example.com` }),
    ...bothRoutes({ attachments: [{ filename: 'f'.repeat(MB), cid: '<'.repeat(MB), content: 'aGk=' }] }),
  ];
}

beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(() => t.stop());

describe('hostile API input', () => {
  it('answers thousands of malformed requests without a single 5xx, and stays alive', async () => {
    const r = rng(20261123);
    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    const slow: string[] = [];
    const N = 2500;
    for (let i = 0; i < N; i++) {
      const [method, path] = ROUTES[Math.floor(r() * ROUTES.length)];
      const body = method === 'GET' ? null : hostileBody(r);
      const headers: Record<string, string> = r() > 0.2 ? { 'Content-Type': 'application/json' } : r() > 0.5 ? { 'Content-Type': 'text/plain' } : {};
      const start = performance.now();
      const status = await raw(method, path, body, headers);
      const ms = performance.now() - start;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) fivexx.push(`${method} ${path} ${String(body).slice(0, 120)}`);
      if (ms > BUDGET_MS) slow.push(`${Math.round(ms)} ms: ${method} ${path} ${String(body).slice(0, 120)}`);
    }
    expect(fivexx).toEqual([]);
    expect(slow).toEqual([]);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect(await t.relay.store.integrityCheck()).toBe('ok');
  });

  it('answers every worst-case input within the budget while a normal request keeps answering', async () => {
    await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } });
    // the relay shares this process: bodies are built before the heartbeat starts timing
    const bodies = worstCaseBodies();
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    const heartbeat = startHeartbeat();
    const slow: string[] = [];
    try {
      for (const [path, body] of bodies) {
        const start = performance.now();
        const status = await raw('POST', path, body, { 'Content-Type': 'application/json' });
        const ms = performance.now() - start;
        expect(status, `${path} ${body.slice(0, 120)}`).toBeLessThan(500);
        if (ms > BUDGET_MS) slow.push(`${Math.round(ms)} ms: ${path} ${body.slice(0, 160)}`);
      }
    } finally {
      await heartbeat.stop();
    }
    expect(slow).toEqual([]);
    expect(heartbeat.answered()).toBeGreaterThan(0);
    expect(heartbeat.slowest()).toBeLessThan(BUDGET_MS);
  });

  it('answers a body over the classic 64 MB limit with 413 and no partial write', async () => {
    const big = JSON.stringify({ messages: [{ id: 'huge', account_id: 'x', from: 'a@b.c', to: 'd@e.f', subject: 's', body: 'x'.repeat(70 * 1024 * 1024) }] });
    const status = await raw('POST', '/commands/add-messages', big, { 'Content-Type': 'application/json' });
    expect(status).toBe(413);
    expect(await t.relay.store.messages.get(key('huge'))).toBeNull();
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });

  it('never reflects CR/LF into a stored message', async () => {
    await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } });
    for (const field of ['subject', 'from', 'reply_to', 'return_path', 'message_id']) {
      const res = await t.api('/commands/add-messages', {
        method: 'POST',
        json: { messages: [{ id: `crlf-${field}`, account_id: 'acc', from: 'a@b.c', to: 'd@e.f', subject: 's', body: 'b', [field]: 'x\r\nBcc: evil@example.com' }] },
      });
      expect(res.status).toBe(400);
      expect(await t.relay.store.messages.get(key(`crlf-${field}`))).toBeNull();
    }
  });
});
