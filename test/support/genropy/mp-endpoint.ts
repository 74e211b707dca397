/**
 * The two methods of Genropy's mp_endpoint page (mp_endpoint.py, reference §2.1-§2.3):
 * proxy_sync (apply the report, push the queue inside the request, answer) and
 * proxy_get_attachments (200 bytes / 400 / 404 / 503), with the faults a test can inject.
 */
import { AUTH_ERROR_TEXT, MAILPROXY_TAG } from './auth.js';
import type { GenropyClient } from './client.js';
import type { Counters } from './observe.js';
import type { Outbox } from './outbox.js';
import { truthy } from './py.js';
import { pushQueued } from './push.js';
import { applyDeliveryReport } from './report.js';
import type { Reply, RpcMethod, RpcRequest } from './server.js';
import type { Storage } from './storage.js';

/** An attachment endpoint outage: answers as Genropy would for `mode`, on `paths` (all when absent), `times` times (always when absent). */
export interface AttachmentFault {
  mode: 'not-found' | 'unavailable' | 'hang' | 'json-error';
  paths?: string[];
  times?: number;
}

export interface Faults {
  /** answer proxy_sync this much later (after its work is committed) */
  syncDelayMs: number;
  /** never answer proxy_sync (its work is still done) */
  syncHang: boolean;
  /** refuse the credentials of every call to that method */
  refuseAuth: { sync: boolean; attachments: boolean };
  attachments: AttachmentFault | null;
}

export function noFaults(): Faults {
  return { syncDelayMs: 0, syncHang: false, refuseAuth: { sync: false, attachments: false }, attachments: null };
}

export interface EndpointDeps {
  outbox: Outbox;
  storage: Storage;
  client: GenropyClient;
  counters: Counters;
  faults: Faults;
  nowSec(): number;
}

export function mpEndpointMethods(d: EndpointDeps): Record<string, RpcMethod> {
  return {
    proxy_sync: {
      tags: MAILPROXY_TAG,
      refuseAuth: () => d.faults.refuseAuth.sync,
      onRefused: () => void d.counters.syncAuthFailures++,
      handle: syncHandler(d),
    },
    proxy_get_attachments: {
      tags: MAILPROXY_TAG,
      refuseAuth: () => d.faults.refuseAuth.attachments,
      onRefused: () => void d.counters.attachmentAuthFailures++,
      handle: (req) => attachment(d, req),
    },
  };
}

/** Genropy's row locks serialise concurrent syncs; the counter shows whether the relay overlapped them. */
function syncHandler(d: EndpointDeps): (req: RpcRequest) => Promise<Reply> {
  let chain: Promise<unknown> = Promise.resolve();
  let open = 0;
  return async (req) => {
    d.counters.syncs++;
    open++;
    d.counters.maxConcurrentSyncs = Math.max(d.counters.maxConcurrentSyncs, open);
    try {
      const turn = chain.then(() => sync(d, req));
      chain = turn.catch(() => undefined);
      const answer = await turn;
      if (d.faults.syncHang) return { hang: true };
      if (d.faults.syncDelayMs > 0) await new Promise((r) => setTimeout(r, d.faults.syncDelayMs));
      return { status: 200, json: answer };
    } catch (err) {
      d.counters.syncFailures++;
      throw err;
    } finally {
      open--;
    }
  };
}

async function sync(d: EndpointDeps, req: RpcRequest): Promise<Record<string, unknown>> {
  if (typeof req.json !== 'object' || req.json === null || Array.isArray(req.json)) throw new TypeError('request body is not a JSON object');
  const report = applyDeliveryReport(d.outbox, d.storage, (req.json as Record<string, unknown>).delivery_report, d.nowSec());
  d.counters.reportedSent += report.sent.length;
  d.counters.reportedError += report.failed.length;
  d.counters.reportedNotFound += report.notFound.length;
  d.counters.transientRetries += report.retried.length;
  // the re-queue's commit calls run-now at once; Genropy does not catch its errors
  if (report.queueInserted && d.client.active) {
    d.counters.runNowCalls++;
    await d.client.runNow();
  }
  const push = await pushQueued(d.outbox, d.storage, d.client, d.nowSec);
  if (push.sent.length) d.counters.addMessagesCalls++;
  if (!push.submitted) d.counters.addMessagesFailures++;
  else d.counters.pushedMessages += push.sent.length;
  const queued = truthy(push.queued) ? push.queued : 0;
  req.exchange.note =
    `sent ${report.sent.length}, error ${report.failed.length}, not_found ${report.notFound.length}, retried ${report.retried.length}; ` +
    `pushed ${push.sent.length} (${push.submitted ? `queued ${JSON.stringify(queued)}` : `kept: ${push.callError}`})`;
  return { ...report.answer, queued };
}

async function attachment(d: EndpointDeps, req: RpcRequest): Promise<Reply> {
  d.counters.attachmentRequests++;
  if (typeof req.json !== 'object' || req.json === null || Array.isArray(req.json)) throw new TypeError('request body is not a JSON object');
  const raw = (req.json as Record<string, unknown>).storage_path;
  if (!truthy(raw)) return { status: 400, json: { error: 'Missing required parameter: storage_path' } };
  const path = String(raw);
  const fault = takeFault(d.faults, path);
  if (fault) {
    d.counters.attachmentFaults++;
    req.exchange.note = `fault ${fault}`;
    if (fault === 'hang') return { hang: true };
    if (fault === 'json-error') return { status: 200, json: { error: AUTH_ERROR_TEXT } };
    if (fault === 'not-found') return { status: 404, json: { error: `Attachment not found: ${path}` } };
    return { status: 503, json: { error: `Storage error for attachment ${path}: service in maintenance` } };
  }
  let exists: boolean;
  try {
    exists = d.storage.hasNode(path) && d.storage.exists(path);
  } catch (err) {
    return { status: 503, json: { error: `Storage error for attachment ${path}: ${message(err)}` } };
  }
  if (!exists) return { status: 404, json: { error: `Attachment not found: ${path}` } };
  let bytes: Buffer;
  try {
    bytes = d.storage.read(path);
  } catch (err) {
    return { status: 503, json: { error: `Error reading attachment ${path}: ${message(err)}` } };
  }
  d.counters.attachmentsServed++;
  return { status: 200, bytes };
}

function takeFault(faults: Faults, path: string): AttachmentFault['mode'] | null {
  const f = faults.attachments;
  if (!f || (f.paths && !f.paths.includes(path))) return null;
  if (f.times !== undefined && f.times <= 0) {
    faults.attachments = null;
    return null;
  }
  if (f.times !== undefined) {
    f.times--;
    if (f.times <= 0) faults.attachments = null;
  }
  return f.mode;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
