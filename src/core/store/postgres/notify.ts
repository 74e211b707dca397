import { z } from 'zod';
import type { MessageEvent } from '../../messages/types.js';

/** The one channel every relay of a database LISTENs on and NOTIFYs to (migration 005's triggers too). */
export const NOTIFY_CHANNEL = 'gmr';

/** PostgreSQL refuses payloads of 8000 bytes or more: a notice is cut below this. */
export const MAX_PAYLOAD_BYTES = 7_500;
/** past this many ids in one commit, a single `rescan` notice replaces the lists */
export const RESCAN_ABOVE = 8_000;

/** A message deleted with its timeline: no row is left to load, so the notice names it. */
const goneSchema = z.tuple([z.string(), z.string(), z.string().nullable(), z.number(), z.string()]);

/**
 * What one commit of another relay changed, by id (NOTIFY carries ids, not bodies): `o` the relay's
 * store origin; `m` timeline seqs; `g` deleted messages; `a` accounts; `t` tenants; `c`/`cr` captured
 * mail added/removed; `s` settings; `x` too much to list; `wd`/`wr` work for dispatch/reporting.
 */
export const noticeSchema = z.object({
  o: z.string(),
  m: z.array(z.number().int()).optional(),
  g: z.array(goneSchema).optional(),
  a: z.array(z.string()).optional(),
  t: z.array(z.string()).optional(),
  c: z.array(z.number().int()).optional(),
  cr: z.array(z.number().int()).optional(),
  s: z.literal(1).optional(),
  x: z.literal(1).optional(),
  wd: z.literal(1).optional(),
  wr: z.literal(1).optional(),
});
export type Notice = z.infer<typeof noticeSchema>;

/** What a commit of this relay tells the others (what its outbox holds). */
export interface CommitChanges {
  events: readonly MessageEvent[];
  accounts: readonly string[];
  tenants: readonly string[];
}

/** States that give dispatch work (new, retried, released or deferred with a due time). */
const DISPATCH_STATES = new Set<string>(['queued', 'deferred']);
/** States the reporter reports. */
const FINAL_STATES = new Set<string>(['sent', 'error']);

/**
 * The payloads a commit sends, each below MAX_PAYLOAD_BYTES: one notice when it fits, else its longest
 * list split in halves (the wakes stay on the first); a commit too large to list becomes one `rescan`.
 * [] when nothing changed.
 */
export function encodeNotices(origin: string, changes: CommitChanges): string[] {
  const seqs: number[] = [];
  const gone: z.infer<typeof goneSchema>[] = [];
  let wd = false;
  let wr = false;
  for (const ev of changes.events) {
    if (ev.seq !== undefined) seqs.push(ev.seq);
    else gone.push([ev.tenant_id, ev.message_id, ev.account_id, ev.ts, ev.type]);
    if (DISPATCH_STATES.has(ev.state)) wd = true;
    if (FINAL_STATES.has(ev.state)) wr = true;
  }
  const flags = { ...(wd ? { wd: 1 as const } : {}), ...(wr ? { wr: 1 as const } : {}) };
  const total = seqs.length + gone.length + changes.accounts.length + changes.tenants.length;
  if (total === 0) return [];
  if (total > RESCAN_ABOVE) return [JSON.stringify({ o: origin, x: 1, ...flags } satisfies Notice)];
  const n: Notice = { o: origin };
  if (seqs.length) n.m = seqs;
  if (gone.length) n.g = gone;
  if (changes.accounts.length) n.a = [...changes.accounts];
  if (changes.tenants.length) n.t = [...changes.tenants];
  return fit({ ...n, ...flags });
}

const LISTS = ['m', 'g', 'a', 't'] as const;

/** The notice as payloads below the limit: the longest list halved until each part fits. */
function fit(n: Notice): string[] {
  const text = JSON.stringify(n);
  if (Buffer.byteLength(text) < MAX_PAYLOAD_BYTES) return [text];
  const key = [...LISTS].sort((x, y) => (n[y]?.length ?? 0) - (n[x]?.length ?? 0))[0];
  const list = (n[key] ?? []) as unknown[];
  if (list.length < 2) return [JSON.stringify({ o: n.o, x: 1, wd: n.wd, wr: n.wr } satisfies Notice)];
  const half = Math.ceil(list.length / 2);
  return [...fit({ ...n, [key]: list.slice(0, half) }), ...fit({ o: n.o, [key]: list.slice(half) })];
}

/** A payload as a notice; null for anything else (another application on the channel). */
export function decodeNotice(payload: string | undefined): Notice | null {
  if (!payload) return null;
  try {
    const r = noticeSchema.safeParse(JSON.parse(payload));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** What a notice from another relay asks of this one. */
export type NoticeEffect =
  | { kind: 'load-events'; seqs: number[] }
  | { kind: 'events'; events: MessageEvent[] }
  | { kind: 'accounts'; ids: string[] }
  | { kind: 'tenants'; ids: string[] }
  | { kind: 'load-captured'; ids: number[] }
  | { kind: 'captured-removed'; ids: number[] }
  | { kind: 'settings' }
  | { kind: 'wake'; dispatch: boolean; report: boolean }
  | { kind: 'rescan' };

/** The effects of a notice, in the order they apply; none for this relay's own notices. */
export function noticeEffects(n: Notice, self: string): NoticeEffect[] {
  if (n.o === self) return [];
  if (n.x) return [{ kind: 'rescan' }];
  const out: NoticeEffect[] = [];
  if (n.s) out.push({ kind: 'settings' });
  if (n.a?.length) out.push({ kind: 'accounts', ids: n.a });
  if (n.t?.length) out.push({ kind: 'tenants', ids: n.t });
  if (n.m?.length) out.push({ kind: 'load-events', seqs: n.m });
  if (n.g?.length) {
    const events = n.g.map(([tenant_id, message_id, account_id, ts, type]): MessageEvent => ({ tenant_id, message_id, account_id, ts, type, state: 'deleted' }));
    out.push({ kind: 'events', events });
  }
  if (n.c?.length) out.push({ kind: 'load-captured', ids: n.c });
  if (n.cr?.length) out.push({ kind: 'captured-removed', ids: n.cr });
  if (n.wd || n.wr) out.push({ kind: 'wake', dispatch: !!n.wd, report: !!n.wr });
  return out;
}
