import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import { RelayError } from '../../errors.js';

export interface JsonBodyOptions {
  /** the largest body the request's route takes, in bytes */
  limitFor(ctx: Koa.Context): number;
}

const tooLarge = () => new RelayError(413, 'payload_too_large', 'request entity too large');
const invalidJson = (why: string) => new RelayError(400, 'invalid_json', `invalid JSON body: ${why}`);

/** genro-mail-proxy clients always send JSON; a body without a content type is taken as JSON too. */
function isJson(ctx: Koa.Context): boolean {
  const type = ctx.get('Content-Type');
  return !type || ctx.is('json', '+json') !== false;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Reads the body into one buffer: sized by Content-Length when given (no list of chunks and their
 * concatenated copy); a declared or received size over `limit` is refused with 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null && declared > limit) return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    let buf: Buffer | null = declared !== null ? Buffer.allocUnsafe(declared) : null;
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (err: Error | null) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        buf = null;
        chunks.length = 0;
        // the rest is read and dropped, so the answer can go out
        req.resume();
        reject(err);
      } else resolve(buf ? buf.subarray(0, received) : Buffer.concat(chunks, received));
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (declared ?? limit)) return finish(tooLarge());
      if (buf) chunk.copy(buf, received);
      else chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => finish(declared !== null && received !== declared ? invalidJson('the body ended early') : null);
    const onError = (err: Error) => finish(new RelayError(400, 'bad_request', `could not read the body: ${err.message}`));
    const onAborted = () => finish(new RelayError(400, 'bad_request', 'the request was aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Parses a JSON object or array (as @koa/bodyparser's strict mode); anything else is a 400. */
export function parseJson(text: string): unknown {
  const start = /^[\s\uFEFF]*(.)/.exec(text)?.[1];
  if (start !== '{' && start !== '[') throw invalidJson('only objects and arrays are accepted');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw invalidJson(err instanceof Error ? err.message : String(err));
  }
}

/** The parsed body (undefined when empty); the bytes and the text live only in here. */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = (await readBody(req, limit)).toString('utf8');
  return text.trim() === '' ? undefined : parseJson(text);
}

/**
 * JSON request bodies with a limit per route family. The body is decoded once and parsed; neither the
 * bytes nor the text outlive the parse, so a 20 MB batch is held once while its messages are queued.
 */
export function jsonBody(opts: JsonBodyOptions): Koa.Middleware {
  return async (ctx, next) => {
    if (!hasBody(ctx.req) || !isJson(ctx)) return next();
    const body = await readJson(ctx.req, opts.limitFor(ctx));
    if (body !== undefined) (ctx.request as { body?: unknown }).body = body;
    return next();
  };
}
