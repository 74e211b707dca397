import { formatDateTime } from '../lib/format.js';
import { useRelay } from '../state/relay-context.js';

/** While the live stream cannot reach the relay: say so, and say how old the numbers on the page are. */
export function OutageBanner() {
  const { streamStatus, lastLiveAt } = useRelay();
  if (!relayUnreachable(streamStatus)) return null;
  return (
    <div className="outage-banner" role="alert">
      <strong>Relay unreachable — retrying</strong>
      <span>
        The relay does not answer (stopped, or the network is down).{' '}
        {lastLiveAt !== null ? `Numbers shown are from ${formatDateTime(Math.floor(lastLiveAt / 1000))}.` : 'Numbers shown may be out of date.'}
      </span>
    </div>
  );
}

/** A stream that was live and is trying again: the relay stopped answering (the first connect says "Connecting…"). */
export function relayUnreachable(status: string): boolean {
  return status === 'reconnecting';
}
