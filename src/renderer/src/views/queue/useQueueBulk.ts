import { useCallback, useState } from 'react';
import type { MessageSummary } from '../../api/types.js';
import { errorMessage } from '../../lib/errors.js';
import { countLabel } from '../../lib/selection.js';
import { useRelay } from '../../state/relay-context.js';

/** requests in flight at once for a bulk action (each message is its own call: ids repeat across tenants) */
const PARALLEL = 4;

async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<{ done: number; failed: string | null }> {
  let next = 0;
  let done = 0;
  let failed: string | null = null;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
        done++;
      } catch (err) {
        failed ??= errorMessage(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return { done, failed };
}

/** Retry or delete the picked queue messages, saying how many it did (the list follows the live events). */
export function useQueueBulk(): {
  run: (kind: 'retry' | 'delete', messages: readonly MessageSummary[]) => Promise<void>;
  notice: string | null;
  error: string | null;
} {
  const { api } = useRelay();
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (kind: 'retry' | 'delete', messages: readonly MessageSummary[]) => {
      const { done, failed } = await eachLimited(messages, (m) => (kind === 'retry' ? api.retryMessage(m.id, m.tenant_id) : api.deleteMessage(m.id, m.tenant_id)));
      setNotice(`${kind === 'retry' ? 'Queued again' : 'Deleted'} ${countLabel(done)}${failed ? ` (${messages.length - done} failed)` : ''}`);
      setError(failed);
    },
    [api],
  );
  return { run, notice, error };
}
