import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { expect } from 'vitest';
import { API_ROUTES, describeIssues, SSE_FRAMES, type ApiRoute, type SseEventName } from '../../../src/shared/api/index.js';

/** An answer as the contract test sees it. */
export interface Answer {
  status: number;
  contentType: string;
  /** parsed JSON, or the text of a non-JSON answer */
  body: unknown;
}

function templateRegex(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

export function routeOf(method: string, path: string): ApiRoute {
  const bare = path.split('?')[0];
  const route = API_ROUTES.find((r) => r.method === method.toLowerCase() && templateRegex(r.path).test(bare));
  if (!route) throw new Error(`no route in the contract for ${method} ${bare}`);
  return route;
}

/**
 * Checks real answers against the route table: the status must be declared and the body must match
 * its schema. Remembers what was seen, so that a test can require every declared answer.
 */
export class ContractChecker {
  readonly seen = new Set<string>();

  check(method: string, path: string, answer: Answer): void {
    const route = routeOf(method, path);
    const label = `${route.method.toUpperCase()} ${route.path} ${answer.status}`;
    const declared = route.responses[answer.status];
    expect(declared, `${label}: status not declared (body ${JSON.stringify(answer.body).slice(0, 300)})`).toBeDefined();
    const [mediaType, content] = Object.entries(declared.content ?? {})[0] ?? [];
    if (mediaType === 'application/json') {
      expect(answer.contentType, label).toMatch(/^application\/json/);
      const r = content!.schema.safeParse(answer.body);
      if (!r.success) throw new Error(`${label} does not match its schema: ${describeIssues(r.error, 10)}\n${JSON.stringify(answer.body).slice(0, 2000)}`);
    } else if (mediaType && mediaType !== 'application/octet-stream') {
      expect(answer.contentType.startsWith(mediaType), `${label}: content type ${answer.contentType}`).toBe(true);
    }
    this.seen.add(label);
  }

  /** Declared answers never seen. */
  missing(): string[] {
    const all = API_ROUTES.flatMap((r) => Object.keys(r.responses).map((s) => `${r.method.toUpperCase()} ${r.path} ${s}`));
    return all.filter((l) => !this.seen.has(l));
  }
}

/** One named SSE frame as received. */
export interface SseFrame {
  event: string;
  data: string;
}

/** Reads GET /api/events with a token header, collecting frames until `close()`. */
export async function openEventStream(url: string, token: string): Promise<{ frames: SseFrame[]; contentType: string; close: () => void }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events`, { headers: { 'X-API-Token': token }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const frames: SseFrame[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) frames.push({ event, data: data.join('\n') });
        }
      }
    } catch {
      // aborted
    }
  })();
  return { frames, contentType: res.headers.get('content-type') ?? '', close: () => controller.abort() };
}

/** Validates one frame strictly against the schema of its event name. */
export function checkFrame(f: SseFrame): void {
  expect(Object.keys(SSE_FRAMES), `unknown event ${f.event}`).toContain(f.event);
  const r = SSE_FRAMES[f.event as SseEventName].safeParse(JSON.parse(f.data));
  if (!r.success) throw new Error(`${f.event} frame does not match its schema: ${describeIssues(r.error, 10)}\n${f.data.slice(0, 2000)}`);
}

/** A real SMTP server on 127.0.0.1 that refuses recipients starting with `reject` (550) and takes the rest. */
export async function rejectingSmtpServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('reject')) return callback(Object.assign(new Error('5.1.1 user unknown'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The application's proxy_sync endpoint: acknowledges every delivery report. */
export async function acknowledgingApp(): Promise<{ url: string; reports: number; close: () => Promise<void> }> {
  const state = { reports: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.reports++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: true, queued: 0 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/proxy_sync`,
    get reports() {
      return state.reports;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
