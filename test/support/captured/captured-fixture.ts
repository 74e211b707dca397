import type { NewCaptured } from '../../../src/core/store/ports.js';

/**
 * A captured message as the sink would store it: a@example.com to b@example.com, received at
 * 1_700_000_000 + i, unindexed (no search_text) unless `over` says otherwise.
 */
export function capturedFixture(i: number, over: Partial<NewCaptured> = {}): NewCaptured {
  return {
    received_ts: 1_700_000_000 + i,
    mail_from: 'a@example.com',
    rcpt_to: ['b@example.com'],
    from: 'a@example.com',
    to: ['b@example.com'],
    cc: [],
    subject: `captured ${i}`,
    date_ts: null,
    size: 10,
    attachments: 0,
    mailbox: null,
    message_id: null,
    preview: '',
    remote_address: null,
    helo: null,
    tls: false,
    ...over,
  };
}
