import crypto from 'node:crypto';
import type { SendAccepted, SendOutcome as FinalOutcome } from '../../shared/api/index.js';
import { conflict } from '../errors.js';
import type { RelayBus } from '../events.js';
import { sendPayload, type SendRequest } from '../messages/send-payload.js';
import type { MessageEvent } from '../messages/types.js';
import { fieldError } from '../messages/validate.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { DEFAULT_TENANT, messageKey, type MessagesPort } from '../store/ports.js';
import { ValidationError } from './errors.js';
import type { MessageIntake } from './intake.js';

export type { SendRequest } from '../messages/send-payload.js';

/** the longest a send may wait for its outcome */
export const MAX_WAIT_SECONDS = 30;

/** Where a send stands when the answer goes out: its final outcome (the 200), or still on its way (the 202). */
export type SendOutcome = ({ final: true } & FinalOutcome) | ({ final: false } & SendAccepted);

export interface SendService {
  /**
   * Validates and queues one message at immediate priority (422 naming the field, 409 when its id
   * was already sent). With `waitSeconds` (at most 30) it waits for the final outcome, unless
   * `signal` aborts first (the client went away).
   */
  send(req: SendRequest, opts?: { waitSeconds?: number; signal?: AbortSignal }): Promise<SendOutcome>;
}

export interface SendServiceDeps {
  intake: MessageIntake;
  messages: Pick<MessagesPort, 'get'>;
  settings: Pick<RuntimeSettings, 'current'>;
  bus: Pick<RelayBus, 'on' | 'off'>;
}

const FINAL: ReadonlySet<MessageEvent['state']> = new Set<MessageEvent['state']>(['sent', 'error', 'deleted']);

export function createSendService(deps: SendServiceDeps): SendService {
  /** Resolves with the message's final state, or null when `seconds` pass or `signal` aborts first. */
  function waitForFinal(id: string, seconds: number, signal?: AbortSignal) {
    let settle: (s: MessageEvent['state'] | null) => void = () => {};
    const onMessages = (evs: MessageEvent[]) => {
      for (const ev of evs) if (ev.message_id === id && ev.tenant_id === DEFAULT_TENANT && FINAL.has(ev.state)) return settle(ev.state);
    };
    const onAbort = () => settle(null);
    const timer = setTimeout(onAbort, seconds * 1000);
    const cancel = () => {
      deps.bus.off('messages', onMessages);
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    };
    const done = new Promise<MessageEvent['state'] | null>((resolve) => {
      settle = (s) => {
        cancel();
        resolve(s);
      };
    });
    deps.bus.on('messages', onMessages);
    signal?.addEventListener('abort', onAbort);
    return { done, cancel };
  }

  return {
    async send(req, opts = {}) {
      const id = req.id ?? `send-${crypto.randomUUID()}`;
      const payload = sendPayload(req, id);
      const seconds = Math.min(MAX_WAIT_SECONDS, opts.waitSeconds ?? 0);
      // listen before enqueueing so a fast outcome cannot slip between the two
      const waiter = seconds > 0 && !opts.signal?.aborted ? waitForFinal(id, seconds, opts.signal) : null;
      let admission;
      try {
        admission = await deps.intake.admit([payload], { accountRequired: deps.settings.current().delivery_mode === 'real' });
      } catch (err) {
        waiter?.cancel();
        throw err;
      }
      const [issue] = admission.issues;
      if (issue || admission.result.queued !== 1) waiter?.cancel();
      if (issue) throw new ValidationError([fieldError(issue, payload)]);
      if (admission.result.queued !== 1) throw conflict(`message '${id}' not queued: ${admission.result.rejected[0]?.reason ?? 'refused'}`);
      const final = waiter ? await waiter.done : null;
      const m = await deps.messages.get(messageKey(id));
      if (final === null || !m) return { final: false, id, state: m?.state ?? final ?? 'queued' };
      return {
        final: true,
        id,
        state: m.state,
        sandbox: m.sandbox,
        captured_id: m.captured_id,
        error: m.error,
        sent_ts: m.sent_ts,
        error_ts: m.error_ts,
        recipients: m.recipients,
      };
    },
  };
}
