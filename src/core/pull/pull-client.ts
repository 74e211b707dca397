import { fetchMessagesAnswer, type FetchAck, type PullDeliveryReport } from '../../shared/api/pull.js';
import { errorMessage } from '../errors.js';
import { RELAY_VERSION } from '../version.js';

/** The application in pull mode: `[client] fetch_url`, with the `[client]` sync credentials. */
export interface PullTarget {
  baseUrl: string;
  user: string | null;
  password: string | null;
  token: string | null;
}

/** A call that did not get a 2xx answer (status undefined: no answer at all). */
export class PullFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PullFailure';
  }
}

const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export function pullUrl(target: PullTarget, suffix: string): string {
  return `${target.baseUrl.replace(/\/+$/, '')}/${suffix}`;
}

function headers(target: PullTarget, json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', 'User-Agent': `genro-mail-relay/${RELAY_VERSION}` };
  if (json) h['Content-Type'] = 'application/json';
  if (target.token) h.Authorization = `Bearer ${target.token}`;
  else if (target.user) h.Authorization = `Basic ${Buffer.from(`${target.user}:${target.password ?? ''}`, 'utf8').toString('base64')}`;
  return h;
}

async function call(target: PullTarget, suffix: string, opts: { body?: unknown; timeoutMs: number; signal?: AbortSignal }): Promise<string> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const url = pullUrl(target, suffix);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: opts.body === undefined ? 'GET' : 'POST',
      headers: headers(target, opts.body !== undefined),
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal,
      redirect: 'manual',
    });
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_ANSWER_BYTES) throw new PullFailure(`${suffix}: answer of ${length} bytes is too large`, res.status);
    text = await res.text();
  } catch (err) {
    if (err instanceof PullFailure) throw err;
    if (timeout.aborted) throw new PullFailure(`${suffix}: no answer within ${opts.timeoutMs} ms`);
    const cause = (err as { cause?: unknown }).cause;
    throw new PullFailure(`${suffix}: ${cause instanceof Error ? cause.message || errorMessage(err) : errorMessage(err)}`);
  }
  if (res.status < 200 || res.status > 299) throw new PullFailure(`${suffix}: HTTP ${res.status}${text ? ` ${text.slice(0, 200)}` : ''}`, res.status);
  return text;
}

/** `GET <fetch_url>/fetch-messages`: the messages the application hands over (unparsed, one by one later). */
export async function fetchMessages(target: PullTarget, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<unknown[]> {
  const text = await call(target, 'fetch-messages', opts);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new PullFailure('fetch-messages: the answer is not JSON', 200);
  }
  const parsed = fetchMessagesAnswer.safeParse(data);
  if (!parsed.success) throw new PullFailure('fetch-messages: expected {"messages": [...]}', 200);
  return parsed.data.messages;
}

/** `POST <fetch_url>/fetch-ack` once the batch is committed. */
export async function postFetchAck(target: PullTarget, ack: FetchAck, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  await call(target, 'fetch-ack', { ...opts, body: ack });
}

/** `POST <fetch_url>/delivery-report`: one event per POST, as the legacy Fetcher did. */
export async function postPullReport(target: PullTarget, report: PullDeliveryReport, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  await call(target, 'delivery-report', { ...opts, body: report });
}
