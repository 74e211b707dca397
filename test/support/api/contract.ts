import { expect } from 'vitest';
import { API_ROUTES, describeIssues, SSE_FRAMES, type ApiRoute, type SseEventName } from '../../../src/shared/api/index.js';
import { waitFor } from '../common/wait.js';
import { FakeUpstream } from '../report/upstream.js';
import { startSmtpTarget, type SmtpTarget } from '../smtp/smtp-target.js';
import { readEventStream, type SseFrame } from './event-stream.js';

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

/** Reads GET /api/events with a token header, collecting frames until `close()`. */
export async function openEventStream(url: string, token: string): Promise<{ frames: SseFrame[]; contentType: string; close: () => void }> {
  const stream = readEventStream(`${url}/api/events`, { 'X-API-Token': token });
  await waitFor(() => stream.status(), 'the event stream to answer');
  expect(stream.status()).toBe(200);
  expect(stream.contentType()).toMatch(/^text\/event-stream/);
  return { frames: stream.frames, contentType: stream.contentType(), close: stream.close };
}

/** Validates one frame strictly against the schema of its event name. */
export function checkFrame(f: SseFrame): void {
  expect(Object.keys(SSE_FRAMES), `unknown event ${f.event}`).toContain(f.event);
  const r = SSE_FRAMES[f.event as SseEventName].safeParse(JSON.parse(f.data));
  if (!r.success) throw new Error(`${f.event} frame does not match its schema: ${describeIssues(r.error, 10)}\n${f.data.slice(0, 2000)}`);
}

/** A real SMTP server on 127.0.0.1 that refuses recipients starting with `reject` (550) and takes the rest. */
export function rejectingSmtpServer(): Promise<SmtpTarget> {
  return startSmtpTarget({ rcpt: (address) => (address.startsWith('reject') ? { code: 550, message: '5.1.1 user unknown' } : null) });
}

/** The application's proxy_sync endpoint: acknowledges every delivery report. */
export async function acknowledgingApp(): Promise<{ url: string; reports: number; close: () => Promise<void> }> {
  const app = await new FakeUpstream().start();
  app.defaultReply = { status: 200, body: { ok: true, queued: 0 } };
  return {
    url: app.url,
    get reports() {
      return app.calls.length;
    },
    close: () => app.stop(),
  };
}
