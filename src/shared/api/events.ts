import { z } from 'zod';
import { capturedAnnouncement } from './captured.js';
import { messageEvent } from './messages.js';
import { publicSettings } from './settings.js';
import { reportOutcome, statsFrame } from './stats.js';
import { timelineState } from './states.js';
import { describeIssues } from './common.js';

/**
 * The frames of GET /api/events (Server-Sent Events): per event name, the JSON of its `data`.
 * Bursts are coalesced into counts so that a client refetches instead of replaying them.
 */

const int = z.number().int();

/** `messages`: timeline rows in commit order, or past the cap only how many (by state). */
export const messagesFrame = z
  .union([
    z.array(messageEvent),
    z.object({ coalesced: z.literal(true), count: int, states: z.partialRecord(timelineState, int) }).strict(),
  ])
  .meta({ id: 'MessagesFrame' });
export type MessagesFrame = z.infer<typeof messagesFrame>;

/** `captured`: one new mail per frame, a burst as a count, deletions, a clear-all, or a large prune as a count. */
export const capturedFrame = z
  .union([
    capturedAnnouncement,
    z.object({ coalesced: z.literal(true), count: int }).strict(),
    z.object({ type: z.literal('deleted'), ids: z.array(int) }).strict(),
    z.object({ type: z.literal('cleared') }).strict(),
    z.object({ coalesced: z.literal(true), removed: int }).strict(),
  ])
  .meta({ id: 'CapturedFrame' });
export type CapturedFrame = z.infer<typeof capturedFrame>;

/** `accounts`: accounts inserted, replaced or deleted (the bus announcement). */
export const accountsFrame = z.object({ ids: z.array(z.string()) }).strict().meta({ id: 'AccountsFrame' });
export type AccountsFrame = z.infer<typeof accountsFrame>;

/** `tenants`: tenants registered, changed (suspensions included) or deleted. */
export const tenantsFrame = z.object({ ids: z.array(z.string()) }).strict().meta({ id: 'TenantsFrame' });
export type TenantsFrame = z.infer<typeof tenantsFrame>;

export const SSE_FRAMES = {
  messages: messagesFrame,
  captured: capturedFrame,
  /** the settings after a change */
  settings: publicSettings,
  /** on connect, then when it changed */
  stats: statsFrame,
  /** the outcome of a delivery-report sync */
  report: reportOutcome,
  accounts: accountsFrame,
  tenants: tenantsFrame,
} as const;

/** For OpenAPI: the `data` of each event of GET /api/events, by event name. */
export const eventFrames = z
  .object(SSE_FRAMES)
  .partial()
  .meta({ id: 'EventFrames', description: 'The JSON `data` of each Server-Sent Event, by event name (one event per frame)' });

export type SseEventName = keyof typeof SSE_FRAMES;
export const SSE_EVENT_NAMES = Object.keys(SSE_FRAMES) as SseEventName[];
export type SseFrame<N extends SseEventName> = z.infer<(typeof SSE_FRAMES)[N]>;

/** Reads the `data` of one frame: its JSON checked against the event's schema. */
export function parseSseFrame<N extends SseEventName>(name: N, data: string): { ok: true; frame: SseFrame<N> } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, error: `${name} frame is not JSON` };
  }
  const r = SSE_FRAMES[name].safeParse(json);
  return r.success ? { ok: true, frame: r.data as SseFrame<N> } : { ok: false, error: `${name} frame: ${describeIssues(r.error)}` };
}

