import { describe, expect, it } from 'vitest';
import { addMessagesTimeout, interpretReply, usesAdminToken, type RawReply } from '../index.js';

const URL_ = 'http://127.0.0.1:8000/commands/add-messages?tenant_id=acme';
const reply = (status: number, body: unknown, reason = ''): RawReply => ({
  status,
  reason,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

describe('Genropy client reply rules (mailproxy.py _request, reference §1.1)', () => {
  it('returns a JSON object with a top-level rejected as a normal result, whatever the status', () => {
    for (const status of [400, 413, 422, 500, 503]) {
      const body = { ok: false, queued: 0, rejected: [{ id: 'm1', reason: 'missing to' }] };
      expect(interpretReply(reply(status, body), URL_)).toEqual({ kind: 'result', value: body });
    }
    // the key counts even when its value is null
    expect(interpretReply(reply(400, { error: 'too many', rejected: null }), URL_)).toEqual({ kind: 'result', value: { error: 'too many', rejected: null } });
  });

  it('raises on a rejected list nested in detail (the v0.6.10 400), quoting it as Python prints it', () => {
    const out = interpretReply(reply(400, { detail: { error: null, rejected: [{ id: 'm1', reason: 'missing to' }] } }), URL_);
    expect(out).toEqual({ kind: 'error', message: "Mail proxy request failed: 400 - {'error': None, 'rejected': [{'id': 'm1', 'reason': 'missing to'}]}" });
  });

  it('takes detail, then error, then message, then the whole body as the error text', () => {
    const text = (body: unknown, status = 401) => {
      const out = interpretReply(reply(status, body), URL_);
      return out.kind === 'error' ? out.message : `result ${JSON.stringify(out.value)}`;
    };
    expect(text({ detail: 'Invalid or missing API token' })).toBe('Mail proxy request failed: 401 - Invalid or missing API token');
    expect(text({ detail: '', error: 'boom', message: 'm' })).toBe('Mail proxy request failed: 401 - boom');
    expect(text({ detail: null, error: null, message: 'only message' })).toBe('Mail proxy request failed: 401 - only message');
    expect(text({ code: 7, why: "it's" }, 500)).toBe(`Mail proxy request failed: 500 - {'code': 7, 'why': "it's"}`);
    expect(text({ detail: [{ loc: ['body', 'messages', 0, 'subject'], msg: 'too short' }] }, 422)).toBe(
      "Mail proxy request failed: 422 - [{'loc': ['body', 'messages', 0, 'subject'], 'msg': 'too short'}]",
    );
  });

  it("raises requests' HTTPError text when the error body is not JSON or is empty", () => {
    expect(interpretReply(reply(500, '<html>oops</html>', 'Internal Server Error'), URL_)).toEqual({
      kind: 'error',
      message: `Mail proxy request failed: 500 Server Error: Internal Server Error for url: ${URL_}`,
    });
    expect(interpretReply(reply(404, '', 'Not Found'), URL_)).toEqual({
      kind: 'error',
      message: `Mail proxy request failed: 404 Client Error: Not Found for url: ${URL_}`,
    });
    expect(interpretReply(reply(413, {}, 'Payload Too Large'), URL_)).toEqual({
      kind: 'error',
      message: `Mail proxy request failed: 413 Client Error: Payload Too Large for url: ${URL_}`,
    });
  });

  it('fails as Python does on a truthy error body that is not an object', () => {
    expect(interpretReply(reply(400, ['a']), URL_)).toEqual({ kind: 'error', message: "'list' object has no attribute 'get'" });
    expect(interpretReply(reply(400, '"no"'), URL_)).toEqual({ kind: 'error', message: "'str' object has no attribute 'get'" });
  });

  it('gives {} for 204 or an empty body, raises on non-JSON, and adds status next to ok', () => {
    expect(interpretReply(reply(204, ''), URL_)).toEqual({ kind: 'result', value: {} });
    expect(interpretReply(reply(200, ''), URL_)).toEqual({ kind: 'result', value: {} });
    expect(interpretReply(reply(200, 'OK'), URL_)).toEqual({ kind: 'error', message: 'Mail proxy returned a non-JSON response' });
    expect(interpretReply(reply(200, { ok: true, queued: 2 }), URL_)).toEqual({ kind: 'result', value: { ok: true, queued: 2, status: 'ok' } });
    expect(interpretReply(reply(200, { ok: 0 }), URL_)).toEqual({ kind: 'result', value: { ok: 0, status: 'error' } });
    expect(interpretReply(reply(200, { ok: true, status: 'x' }), URL_)).toEqual({ kind: 'result', value: { ok: true, status: 'x' } });
    expect(interpretReply(reply(200, [1, 2]), URL_)).toEqual({ kind: 'result', value: [1, 2] });
  });
});

describe('Genropy client token and timeout rules', () => {
  it('uses the admin token for paths starting /tenant, /tenants, /instance, /command-log only', () => {
    for (const p of ['/tenant', '/tenant/acme', '/tenants', '/tenants/sync-status', '/instance', '/command-log']) expect(usesAdminToken(p), p).toBe(true);
    for (const p of ['/account', '/accounts', '/account/a1', '/messages', '/commands/run-now', '/commands/add-messages', '/health']) {
      expect(usesAdminToken(p), p).toBe(false);
    }
  });

  it('waits min(60, 10 + 0.05·n) seconds for add-messages', () => {
    expect(addMessagesTimeout(0)).toBe(10);
    expect(addMessagesTimeout(1)).toBeCloseTo(10.05, 10);
    expect(addMessagesTimeout(100)).toBe(15);
    expect(addMessagesTimeout(999)).toBeCloseTo(59.95, 10);
    expect(addMessagesTimeout(1000)).toBe(60);
    expect(addMessagesTimeout(5000)).toBe(60);
  });
});
