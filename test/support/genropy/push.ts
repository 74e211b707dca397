/**
 * _add_messages_to_proxy_queue and _submit_to_proxy (mp_endpoint.py:368-449, reference §1.5): the
 * push of queued mail that proxy_sync does before it answers, and the use of the add-messages reply.
 */
import type { GenropyClient, Json } from './client.js';
import { toProxyMessage } from './convert.js';
import type { Outbox } from './outbox.js';
import { truthy } from './py.js';
import type { Storage } from './storage.js';

export interface PushOutcome {
  /** the reply's `queued` as the relay gave it (0 when absent, nothing pushed, or the call failed) */
  queued: unknown;
  /** false when add-messages raised: the batch stays queued */
  submitted: boolean;
  /** ids sent in the add-messages call */
  sent: string[];
  /** ids the reply marked as errors (their rejection reason, or the top-level error) */
  rejected: string[];
  /** ids that failed locally (a missing file) and were never sent */
  failedLocally: string[];
  /** ids left queued because the storage failed while building their attachments */
  kept: string[];
  /** the text of the add-messages exception, when it raised */
  callError?: string;
}

type PushClient = Pick<GenropyClient, 'addMessages' | 'tenantId' | 'batchSize'>;

export async function pushQueued(outbox: Outbox, storage: Storage, client: PushClient, nowSec: () => number): Promise<PushOutcome> {
  const outcome: PushOutcome = { queued: 0, submitted: true, sent: [], rejected: [], failedLocally: [], kept: [] };
  const batch = outbox.queued(client.batchSize || 1000);
  if (batch.length === 0) return outcome;
  const payload: Json[] = [];
  for (const id of batch) {
    const m = outbox.row(id);
    if (!m) continue;
    const conversion = toProxyMessage(m, client.tenantId, storage);
    if (conversion.kind === 'keep') outcome.kept.push(id);
    else if (conversion.kind === 'fail') {
      Object.assign(m, { error_ts: nowSec(), error_msg: conversion.error });
      outcome.failedLocally.push(id);
    } else {
      payload.push(conversion.message);
      outcome.sent.push(id);
    }
  }
  if (payload.length) await submit(outbox, client, payload, outcome, nowSec);
  const stays = new Set([...outcome.kept, ...(outcome.submitted ? [] : outcome.sent)]);
  outbox.dequeue(batch.filter((id) => !stays.has(id)));
  return outcome;
}

async function submit(outbox: Outbox, client: PushClient, payload: Json[], outcome: PushOutcome, nowSec: () => number): Promise<void> {
  let reply: Json;
  try {
    reply = await client.addMessages(payload);
  } catch (err) {
    outcome.submitted = false;
    outcome.callError = err instanceof Error ? err.message : String(err);
    return;
  }
  const reasons = new Map<unknown, unknown>();
  const rejected = truthy(reply.rejected) ? reply.rejected : [];
  if (!Array.isArray(rejected)) throw new TypeError(`add-messages 'rejected' is not a list: ${JSON.stringify(rejected)}`);
  for (const item of rejected) {
    if (!truthy(item)) continue;
    // Genropy calls item.get(): anything but an object crashes the proxy_sync request
    if (typeof item !== 'object' || Array.isArray(item)) throw new TypeError(`add-messages rejected item is not an object: ${JSON.stringify(item)}`);
    reasons.set((item as Json).id, (item as Json).reason);
  }
  const generalError = reply.error;
  const now = nowSec();
  for (const id of outcome.sent) {
    const m = outbox.row(id);
    if (!m) continue;
    const reason = reasons.get(id);
    if (truthy(reason) || truthy(generalError)) {
      Object.assign(m, { error_ts: now, error_msg: truthy(reason) ? reason : generalError });
      outcome.rejected.push(id);
    } else {
      Object.assign(m, { proxy_ts: now, error_ts: null, error_msg: null });
    }
  }
  outcome.queued = 'queued' in reply ? reply.queued : 0;
}
