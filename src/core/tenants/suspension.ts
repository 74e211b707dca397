import type { HeldWork } from '../store/records.js';

/**
 * Suspension of a tenant's dispatch, as genro-mail-proxy v0.6.10 defines it: a tenant holds back
 * batches by code, or everything with '*'. Pure decisions; the tenants service stores their outcome.
 */

/** The whole tenant is suspended (messages without a batch are held only by this). */
export const ALL_BATCHES = '*';

export type SuspensionChange =
  | { ok: true; batches: string[] }
  /** a single batch cannot be activated while the whole tenant is suspended */
  | { ok: false; reason: 'full_suspension' };

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** suspend: no batch suspends everything; a batch joins the list (nothing changes under '*'). */
export function suspendBatches(current: readonly string[], batchCode: string | null): string[] {
  if (batchCode === null || current.includes(ALL_BATCHES)) return [ALL_BATCHES];
  return sorted([...current, batchCode]);
}

/** activate: no batch clears every suspension; a batch leaves the list, refused under '*'. */
export function activateBatches(current: readonly string[], batchCode: string | null): SuspensionChange {
  if (batchCode === null) return { ok: true, batches: [] };
  if (current.includes(ALL_BATCHES)) return { ok: false, reason: 'full_suspension' };
  return { ok: true, batches: sorted(current.filter((b) => b !== batchCode)) };
}

/** Whether a message of this batch (null: none) waits while the tenant has these suspensions. */
export function isHeld(suspended: readonly string[], batchCode: string | null): boolean {
  if (suspended.includes(ALL_BATCHES)) return true;
  return batchCode !== null && suspended.includes(batchCode);
}

/** What claims must leave in the queue, from the tenants' suspensions (undefined: nothing). */
export function heldWork(tenants: readonly { id: string; suspended_batches: readonly string[] }[]): HeldWork | undefined {
  const held: { tenants: string[]; batches: { tenant_id: string; batch_code: string }[] } = { tenants: [], batches: [] };
  for (const t of tenants) {
    if (t.suspended_batches.includes(ALL_BATCHES)) held.tenants.push(t.id);
    else for (const b of t.suspended_batches) held.batches.push({ tenant_id: t.id, batch_code: b });
  }
  return held.tenants.length || held.batches.length ? held : undefined;
}
