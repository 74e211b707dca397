import { EmptyState } from '../../components/EmptyState.js';
import { Snippet } from '../../components/Snippet.js';
import { useConnectionInfo } from '../../state/useConnectionInfo.js';
import { curlSendSnippet, proxySnippet } from '../settings/connection-info.js';

export function QueueEmpty({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  const info = useConnectionInfo();
  if (filtered) {
    return (
      <EmptyState title="No messages match these filters">
        <button type="button" className="btn" onClick={onClear}>
          Clear filters
        </button>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="The queue is empty">
      <p>
        Messages your application hands to the relay appear here and move live from <em>queued</em> to <em>sent</em>.
        Point a Genropy app's mail-proxy client at this relay, or send a test message:
      </p>
      <Snippet title="Genropy mail-proxy settings" text={proxySnippet(info)} secret={info.token} />
      <Snippet title="Send a test message" text={curlSendSnippet(info)} secret={info.token} />
    </EmptyState>
  );
}
