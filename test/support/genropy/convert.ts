/**
 * _convert_to_proxy_message (mp_endpoint.py:451-622, reference §1.4): one outgoing row becomes the
 * add-messages payload, or fails locally (a file is missing), or stays queued (the storage failed).
 */
import { addressList, normaliseHeaders, type OutboxMessage } from './model.js';
import { FileMissingError, type Storage } from './storage.js';

export interface ProxyAttachment {
  storage_path: string;
  fetch_mode: 'endpoint';
  filename: string;
  content_md5?: string;
}

export type Conversion =
  | { kind: 'payload'; message: Record<string, unknown> }
  /** marked as error locally and dequeued, never sent */
  | { kind: 'fail'; error: string }
  /** left in the queue for the next proxy_sync, never sent */
  | { kind: 'keep'; reason: string };

export function toProxyMessage(m: OutboxMessage, tenantId: string, storage: Storage): Conversion {
  const out: Record<string, unknown> = {
    id: m.id,
    tenant_id: tenantId,
    account_id: m.account_id,
    subject: m.subject || '',
    from: m.from_address,
    priority: m.proxy_priority,
    to: addressList(m.to_address),
  };
  const cc = addressList(m.cc_address);
  if (cc.length) out.cc = cc;
  const bcc = addressList(m.bcc_address);
  if (bcc.length) out.bcc = bcc;
  out.body = m.body || '';
  out.content_type = m.html ? 'html' : 'plain';
  if (m.deferred_ts) out.deferred_ts = Math.trunc(m.deferred_ts);
  Object.assign(out, specialHeaders(normaliseHeaders(m.extra_headers)));
  if (m.batch_code) out.batch_code = m.batch_code;
  const attachments: ProxyAttachment[] = [];
  for (const path of m.attachments) {
    if (!storage.hasNode(path)) return { kind: 'fail', error: `Attachment not found: ${path}` };
    try {
      attachments.push({ storage_path: path, fetch_mode: 'endpoint', filename: storage.basename(path) || path.split('/').pop() || path, content_md5: storage.md5(path) });
    } catch (err) {
      if (err instanceof FileMissingError) return { kind: 'fail', error: err.message };
      return { kind: 'keep', reason: err instanceof Error ? err.message : String(err) };
    }
  }
  if (attachments.length) out.attachments = attachments;
  return { kind: 'payload', message: out };
}

/** message_id, reply_to and return_path leave the headers; the rest stays under `headers`. */
function specialHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(headers).length === 0) return {};
  const out: Record<string, unknown> = {};
  // Python's `pop(a) or pop(b)`: the second key is popped only when the first gave nothing
  const take = (a: string, b: string) => pop(headers, a) || pop(headers, b);
  const messageId = take('message_id', 'Message-ID');
  if (messageId) out.message_id = messageId;
  const replyTo = take('Reply-To', 'reply_to');
  if (replyTo) out.reply_to = replyTo;
  const returnPath = take('Return-Path', 'return_path');
  if (returnPath) out.return_path = returnPath;
  if (Object.keys(headers).length) out.headers = headers;
  return out;
}

function pop(o: Record<string, unknown>, key: string): unknown {
  const v = o[key];
  delete o[key];
  return v;
}
