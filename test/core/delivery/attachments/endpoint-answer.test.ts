import { describe, expect, it } from 'vitest';
import { applicationError, endpointAnswer } from '../../../../src/core/delivery/attachments/endpoint-fetch.js';
import { networkCause, shortText, statusLine } from '../../../../src/core/delivery/attachments/errors.js';

describe('endpointAnswer: what an attachment endpoint answered (reference §2.2)', () => {
  it('200 with bytes is the file', () => {
    expect(endpointAnswer(200, 'application/octet-stream')).toEqual({ kind: 'file' });
    expect(endpointAnswer(200, undefined)).toEqual({ kind: 'file' });
    expect(endpointAnswer(200, 'application/pdf')).toEqual({ kind: 'file' });
  });

  it('a JSON body is never the file: final, its error text is read', () => {
    expect(endpointAnswer(200, 'application/json')).toEqual({ kind: 'failed', temporary: false, reason: 'HTTP 200 OK with a JSON answer instead of the file', readError: true });
    expect(endpointAnswer(200, 'application/problem+json; charset=utf-8')).toMatchObject({ kind: 'failed', temporary: false });
  });

  it('404, other 4xx and redirects are final; 503 and other 5xx are temporary', () => {
    expect(endpointAnswer(404, 'application/json')).toEqual({ kind: 'failed', temporary: false, reason: 'HTTP 404 Not Found', readError: true });
    expect(endpointAnswer(400, 'application/json')).toMatchObject({ temporary: false, reason: 'HTTP 400 Bad Request' });
    expect(endpointAnswer(401, 'text/plain')).toEqual({ kind: 'failed', temporary: false, reason: 'HTTP 401 Unauthorized', readError: false });
    expect(endpointAnswer(302, 'text/html')).toMatchObject({ temporary: false, reason: 'HTTP 302 Found (redirects are not followed)' });
    expect(endpointAnswer(503, 'application/json')).toEqual({ kind: 'failed', temporary: true, reason: 'HTTP 503 Service Unavailable', readError: true });
    expect(endpointAnswer(500, 'text/html')).toMatchObject({ temporary: true, reason: 'HTTP 500 Internal Server Error' });
    expect(endpointAnswer(599, undefined)).toMatchObject({ temporary: true, reason: 'HTTP 599' });
  });

  it("the application's own error text, on one short line", () => {
    expect(applicationError('{"error":"Attachment not found: home:a.pdf"}')).toBe('Attachment not found: home:a.pdf');
    expect(applicationError('{"error":"line one\\nline\\ttwo"}')).toBe('line one line two');
    expect(applicationError(JSON.stringify({ error: 'x'.repeat(500) }))?.length).toBe(161);
    expect(applicationError('{"error":{"code":1}}')).toBeNull();
    expect(applicationError('<html>')).toBeNull();
  });
});

describe('error wording', () => {
  it('status lines come from the code, network failures from their code only', () => {
    expect(statusLine(404)).toBe('HTTP 404 Not Found');
    expect(statusLine(299)).toBe('HTTP 299');
    expect(networkCause(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED' }))).toBe('connection refused');
    expect(networkCause(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe('connection reset');
    expect(networkCause(Object.assign(new Error('odd'), { code: 'EWEIRD' }))).toBe('network error (EWEIRD)');
    expect(networkCause(new Error('no code'))).toBe('network error');
    expect(shortText('  a\r\n b  ')).toBe('a b');
  });
});
