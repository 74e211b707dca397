import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { messageKey as key } from '../../../../src/core/store/records.js';
import { startTestRelay, type ConfigPatch, type TestRelay } from '../../../support/relay/test-relay.js';

let t: TestRelay | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

async function pausedRelay(patch: ConfigPatch = {}): Promise<TestRelay> {
  t = await startTestRelay(patch);
  await t.relay.ctx.settings.update({ paused: true });
  expect((await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } })).status).toBe(200);
  return t;
}

/** n messages whose HTML bodies are `bodyBytes` long each, as a Genropy newsletter batch. */
function batch(n: number, bodyBytes: number, prefix = 'big'): { messages: Record<string, unknown>[] } {
  const para = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n';
  const body = para.repeat(Math.ceil(bodyBytes / para.length)).slice(0, bodyBytes);
  return {
    messages: Array.from({ length: n }, (_, i) => ({
      id: `${prefix}-${String(i).padStart(4, '0')}`,
      account_id: 'acc',
      from: 'news@example.com',
      to: [`reader${i}@example.com`],
      subject: `Newsletter ${i}`,
      body: `<!-- ${i} -->${body}`,
      content_type: 'html',
      priority: null,
      headers: { message_date: '2026-01-01' },
    })),
  };
}

/** A raw POST: Content-Length given, or chunked (no length) when `chunked`. */
function post(url: string, token: string, data: Buffer, chunked = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Token': token, ...(chunked ? {} : { 'Content-Length': data.length }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    if (chunked) {
      for (let o = 0; o < data.length; o += 256 * 1024) req.write(data.subarray(o, o + 256 * 1024));
      req.end();
    } else req.end(data);
  });
}

describe('add-messages: big batches (issue #14.5)', () => {
  it('accepts 1,000 messages of 21 KB (over 20 MB) in one call, well within Genropy\'s 60 s', async () => {
    const relay = await pausedRelay();
    const data = Buffer.from(JSON.stringify(batch(1000, 21 * 1024)));
    expect(data.length).toBeGreaterThanOrEqual(20 * 1024 * 1024);
    const t0 = performance.now();
    const r = await post(`${relay.url}/commands/add-messages`, relay.token, data);
    const seconds = (performance.now() - t0) / 1000;
    expect(r).toEqual({ status: 200, body: { ok: true, queued: 1000, rejected: [] } });
    expect(seconds).toBeLessThan(30);
    const last = await relay.relay.store.messages.get(key('big-0999'));
    expect(last?.state).toBe('queued');
    expect(last?.payload.body.length).toBe(21 * 1024 + '<!-- 999 -->'.length);
    expect((await relay.relay.store.messages.countByState()).queued).toBe(1000);
  });

  it('accepts the same batch sent chunked, without a Content-Length', async () => {
    const relay = await pausedRelay();
    const r = await post(`${relay.url}/commands/add-messages`, relay.token, Buffer.from(JSON.stringify(batch(1000, 21 * 1024, 'chunked'))), true);
    expect(r).toEqual({ status: 200, body: { ok: true, queued: 1000, rejected: [] } });
  });

  it('refuses a body over the configured classic limit with 413, declared or chunked, and stores nothing', async () => {
    const relay = await pausedRelay({ http: { classicBodyLimitBytes: 1024 * 1024 } });
    const data = Buffer.from(JSON.stringify(batch(100, 15 * 1024, 'over')));
    expect(data.length).toBeGreaterThan(1024 * 1024);
    for (const chunked of [false, true]) {
      expect(await post(`${relay.url}/commands/add-messages`, relay.token, data, chunked)).toEqual({ status: 413, body: { detail: 'request entity too large' } });
    }
    expect(await relay.relay.store.messages.get(key('over-0000'))).toBeNull();
    // under the limit it is taken, on the same relay
    const small = Buffer.from(JSON.stringify(batch(10, 15 * 1024, 'under')));
    expect((await post(`${relay.url}/commands/add-messages`, relay.token, small)).body).toEqual({ ok: true, queued: 10, rejected: [] });
  });
});
