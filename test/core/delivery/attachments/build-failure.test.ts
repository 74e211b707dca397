import { describe, expect, it } from 'vitest';
import { AttachmentError } from '../../../../src/core/delivery/attachments.js';
import { MessageBuildError } from '../../../../src/core/delivery/message-builder.js';
import { buildFailure, buildFailureOf, temporaryOutcome } from '../../../../src/core/delivery/outcomes.js';
import { account, accountDelivery } from '../../../support/delivery/records.js';

const NOW = 2000;
const retry = { retryDelays: [60, 300], maxRetries: 2, retryJitter: 0, retryLifetimeSeconds: 0 };
const TEXT = 'Attachment fetch failed for a.pdf: HTTP 503 Service Unavailable';

describe('buildFailureOf: what a build failure means for the message', () => {
  it('an attachment source that may answer later is a temporary failure of this message only', () => {
    expect(buildFailureOf(new AttachmentError(TEXT, { temporary: true }))).toEqual({ kind: 'temporary', scope: 'message', text: TEXT });
  });

  it('anything else fails the message for good', () => {
    expect(buildFailureOf(new AttachmentError('Attachment fetch failed for a.pdf: HTTP 404 Not Found'))).toMatchObject({ kind: 'permanent' });
    expect(buildFailureOf(new MessageBuildError('the message has no recipient'))).toEqual({
      kind: 'permanent',
      scope: 'message',
      text: 'the message has no recipient',
    });
    expect(buildFailureOf(new Error('boom'))).toMatchObject({ kind: 'permanent', text: 'Message could not be built: boom' });
  });

  it('a temporary one goes through the retry policy: deferred, then failed when the retries are used up', () => {
    const failure = buildFailureOf(new AttachmentError(TEXT, { temporary: true }));
    const first = accountDelivery('m', [account('a')], { row: { retry_count: 0 } });
    expect(temporaryOutcome(first, failure, NOW, retry, () => 0.5, null)).toMatchObject({
      kind: 'deferred',
      defer: { until: NOW + 60, reason: 'retry', retry_count: 1, detail: { error: TEXT, account: 'a' } },
    });
    const last = accountDelivery('m', [account('a')], { row: { retry_count: 2 } });
    expect(temporaryOutcome(last, failure, NOW, retry, () => 0.5, null)).toMatchObject({
      kind: 'error',
      error: { error: `${TEXT} (Max retries (2) exceeded)` },
    });
  });

  it('buildFailure stays final whatever the error says', () => {
    const d = accountDelivery('m', [account('a')]);
    expect(buildFailure(d, new AttachmentError(TEXT, { temporary: true }), NOW)).toMatchObject({ kind: 'error', error: { error: TEXT }, attempt: { outcome: 'build_error' } });
  });
});
