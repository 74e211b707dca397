import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageDetail } from '../../../../src/renderer/src/views/message/MessageDetail.js';
import { summary } from '../../../support/renderer/fake-relay.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

const detailOf = (patch: Record<string, unknown>) => ({
  message: {
    ...summary('f1', patch),
    payload: { id: 'f1', from: 'a@example.com', to: ['b@example.com'], subject: 'Subject f1', body: 'hello', body_size: 5, content_type: 'plain', priority: 2 },
    lease_until: null,
    first_attempt_ts: 1_700_000_010,
    smtp_message_id: null,
    captured_id: null,
    source_captured_id: null,
    recipients: null,
  },
  timeline: [],
});

describe('MessageDetail: the outcome and the report apart (#20.1)', () => {
  it('shows a reported failure as an error with a reported mark, and lets it be retried', async () => {
    const failed = { state: 'error', error: '550 no such user', error_ts: 1_700_000_020, reported_ts: 1_700_000_030, attempts: 1 };
    const relay = withRelay(
      {
        'GET /api/messages/f1': () => detailOf(failed),
        'POST /api/messages/f1/retry': () => ({ ok: true, message: summary('f1', { state: 'queued' }) }),
      },
      <MessageDetail id="f1" onClose={() => {}} />,
    );
    const retry = (await screen.findByRole('button', { name: 'Retry now' })) as HTMLButtonElement;
    await waitFor(() => expect(retry.disabled).toBe(false));
    expect(document.querySelector('.detail-sub .badge')?.textContent).toBe('error');
    expect(document.querySelector('.detail-sub .reported-mark')?.textContent).toContain('reported');
    fireEvent.click(retry);
    await waitFor(() => expect(relay.calls.some((c) => c.method === 'POST' && c.url.pathname === '/api/messages/f1/retry')).toBe(true));
  });

  it('keeps Retry now off for a delivered message, reported or not', async () => {
    withRelay({ 'GET /api/messages/f1': () => detailOf({ state: 'sent', sent_ts: 1_700_000_020, reported_ts: 1_700_000_030 }) }, <MessageDetail id="f1" onClose={() => {}} />);
    await screen.findByText('Subject f1');
    const retry = screen.getByRole('button', { name: 'Retry now' }) as HTMLButtonElement;
    expect(retry.disabled).toBe(true);
    expect(document.querySelector('.detail-sub .badge')?.textContent).toBe('sent');
    expect(document.querySelector('.detail-sub .reported-mark')).not.toBeNull();
  });
});
