import type http from 'node:http';
import { AttachmentError, networkCause, shortText, statusLine } from './errors.js';
import { authorization, type AttachmentEndpoint } from './endpoints.js';
import { BodyTooLarge, declaredLength, discard, httpRequest, readBody } from './http-request.js';

/** What an attachment endpoint's answer head means (reference §2.2). */
export type EndpointAnswer =
  | { kind: 'file' }
  /** `reason` is the status line; the application's own `error` text may follow */
  | { kind: 'failed'; temporary: boolean; reason: string; readError: boolean };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * 2xx with anything but JSON is the file. A JSON body is never a file (Genropy refuses credentials
 * with 200 and `{"error"}`); 3xx (not followed), 404 and other 4xx are final; 5xx may pass.
 */
export function endpointAnswer(status: number, contentType: string | undefined): EndpointAnswer {
  const json = JSON_TYPE.test((contentType ?? '').trim());
  if (status >= 200 && status < 300) {
    return json ? { kind: 'failed', temporary: false, reason: `${statusLine(status)} with a JSON answer instead of the file`, readError: true } : { kind: 'file' };
  }
  if (status >= 300 && status < 400) return { kind: 'failed', temporary: false, reason: `${statusLine(status)} (redirects are not followed)`, readError: false };
  return { kind: 'failed', temporary: status >= 500, reason: statusLine(status), readError: json };
}

/** The `error` text of an application's JSON answer, shortened to one line; null when there is none. */
export function applicationError(body: string): string | null {
  try {
    const data: unknown = JSON.parse(body);
    const error = data && typeof data === 'object' ? (data as { error?: unknown }).error : undefined;
    return typeof error === 'string' && error.trim() ? shortText(error) : null;
  } catch {
    return null;
  }
}

const ERROR_BODY_BYTES = 4096;

/**
 * POSTs `{"storage_path"}` to the endpoint with its credentials and returns the file's bytes. Errors
 * start with `prefix`; timeouts and network failures are temporary. The endpoint is the operator's:
 * it is not subject to the private-network guard.
 */
export async function fetchFromEndpoint(
  endpoint: AttachmentEndpoint,
  storagePath: string,
  prefix: string,
  o: { timeoutMs: number; maxBytes: number; signal?: AbortSignal },
): Promise<Buffer> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const fail = (err: unknown, what: string): never => {
    if (err instanceof AttachmentError) throw err;
    throw new AttachmentError(`${prefix}${timeout.aborted ? `${what} within ${o.timeoutMs} ms` : networkCause(err)}`, { temporary: true });
  };
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    throw new AttachmentError(`${prefix}the attachment endpoint URL is invalid`);
  }
  let res: http.IncomingMessage;
  try {
    res = await httpRequest({
      url,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/octet-stream', ...authorization(endpoint.auth) },
      body: Buffer.from(JSON.stringify({ storage_path: storagePath })),
      signal,
    });
  } catch (err) {
    return fail(err, 'no answer');
  }
  const answer = endpointAnswer(res.statusCode ?? 0, res.headers['content-type']);
  if (answer.kind === 'failed') {
    const detail = answer.readError ? await readBody(res, ERROR_BODY_BYTES).then((b) => applicationError(b.toString('utf8')), () => null) : null;
    discard(res);
    throw new AttachmentError(`${prefix}${answer.reason}${detail ? ` (${detail})` : ''}`, { temporary: answer.temporary });
  }
  const declared = declaredLength(res);
  if (declared !== null && declared > o.maxBytes) {
    discard(res);
    throw new AttachmentError(`${prefix}${declared} bytes exceed the size limit of ${o.maxBytes} bytes`);
  }
  try {
    return await readBody(res, o.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new AttachmentError(`${prefix}more than ${o.maxBytes} bytes (size limit)`);
    return fail(err, 'download not finished');
  }
}
