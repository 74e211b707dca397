import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_ERROR_TEXT } from '../index.js';
import { registeredApp, type Setup } from './registered-app.js';
import { callApp, fetchAttachment } from './stub-relay.js';

let s: Setup;
beforeEach(async () => {
  s = await registeredApp();
});
afterEach(() => s.stop());

const PDF = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x7b]);

describe('proxy_get_attachments (reference §2.2)', () => {
  it('answers 200 with the raw bytes as application/octet-stream', async () => {
    const file = s.app.storage.put('home:mail/a.pdf', PDF);
    const answer = await fetchAttachment(s.app, file.storage_path);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/octet-stream');
    expect(answer.bytes.equals(PDF)).toBe(true);
    expect(crypto.createHash('md5').update(answer.bytes).digest('hex')).toBe(file.md5);
    expect(s.app.counters.attachmentsServed).toBe(1);
  });

  it('answers 400 without storage_path, 404 for a missing file, 503 when the storage fails', async () => {
    s.app.storage.put('home:b.pdf', PDF);
    const cases: [unknown, number, unknown][] = [
      [undefined, 400, { error: 'Missing required parameter: storage_path' }],
      ['', 400, { error: 'Missing required parameter: storage_path' }],
      ['home:none.pdf', 404, { error: 'Attachment not found: home:none.pdf' }],
      ['no-volume.pdf', 404, { error: 'Attachment not found: no-volume.pdf' }],
    ];
    for (const [path, status, json] of cases) {
      const answer = await fetchAttachment(s.app, path);
      expect([answer.status, answer.json], String(path)).toEqual([status, json]);
    }
    s.app.storage.fail('home:b.pdf', 'S3 timeout', 'check');
    expect((await fetchAttachment(s.app, 'home:b.pdf')).json).toEqual({ error: 'Storage error for attachment home:b.pdf: S3 timeout' });
    s.app.storage.heal();
    s.app.storage.fail('*', 'disk error', 'read');
    const read = await fetchAttachment(s.app, 'home:b.pdf');
    expect([read.status, read.json]).toEqual([503, { error: 'Error reading attachment home:b.pdf: disk error' }]);
    s.app.storage.heal();
    expect((await fetchAttachment(s.app, 'home:b.pdf')).status).toBe(200);
  });

  it('answers an authentication failure 200 with a JSON error, never with file content', async () => {
    const file = s.app.storage.put('home:c.pdf', PDF);
    for (const auth of [null, `Basic ${Buffer.from('mailproxy:old').toString('base64')}`]) {
      const answer = await fetchAttachment(s.app, file.storage_path, auth);
      expect([answer.status, answer.contentType.split(';')[0], answer.json]).toEqual([200, 'application/json', { error: AUTH_ERROR_TEXT }]);
    }
    s.app.faults.refuseAuth.attachments = true;
    expect((await fetchAttachment(s.app, file.storage_path)).json).toEqual({ error: AUTH_ERROR_TEXT });
    expect(s.app.counters.attachmentAuthFailures).toBe(3);
    expect(s.app.counters.attachmentsServed).toBe(0);
  });

  it('injects endpoint faults: 404, 503, a 200 JSON error, on chosen paths, for a number of calls', async () => {
    const a = s.app.storage.put('home:a.pdf', PDF);
    const b = s.app.storage.put('home:b.pdf', PDF);
    s.app.faults.attachments = { mode: 'not-found', paths: [a.storage_path] };
    expect((await fetchAttachment(s.app, a.storage_path)).json).toEqual({ error: 'Attachment not found: home:a.pdf' });
    expect((await fetchAttachment(s.app, b.storage_path)).status).toBe(200);
    s.app.faults.attachments = { mode: 'json-error' };
    expect(await fetchAttachment(s.app, b.storage_path)).toMatchObject({ status: 200, json: { error: AUTH_ERROR_TEXT } });
    // an outage that recovers after two calls
    s.app.faults.attachments = { mode: 'unavailable', times: 2 };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetchAttachment(s.app, a.storage_path)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(s.app.faults.attachments).toBeNull();
    expect(s.app.counters.attachmentFaults).toBe(4);
  });

  it('hangs when asked to, until the hanging answers are released', async () => {
    const a = s.app.storage.put('home:a.pdf', PDF);
    s.app.faults.attachments = { mode: 'hang', times: 1 };
    const hanging = callApp(s.app.attachmentsUrl, { storage_path: a.storage_path }, s.app.basicAuth());
    const outcome = await Promise.race([hanging.then(() => 'answered', () => 'dropped'), new Promise((r) => setTimeout(() => r('still open'), 200))]);
    expect(outcome).toBe('still open');
    expect((await fetchAttachment(s.app, a.storage_path)).status).toBe(200);
    s.app.releaseHanging();
    await expect(hanging).rejects.toThrow();
    expect(s.app.log.find('in', '/proxy_get_attachments')[0]).toMatchObject({ status: null, note: 'fault hang' });
  });
});
