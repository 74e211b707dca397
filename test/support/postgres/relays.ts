import type { ConfigPatch, TestRelay } from '../relay/test-relay.js';
import { startTestRelay } from '../relay/test-relay.js';
import { readEventStream, type EventStreamReader } from '../api/event-stream.js';
import { waitFor } from '../common/wait.js';

/**
 * Several relays on one PostgreSQL database, as behind a load balancer: started one after the other
 * (the first migrates), each with its own HTTP port, sink and data folder. `stopAll` stops them all.
 */
export async function startPgRelays(dbUrl: string, n: number, patch: ConfigPatch = {}): Promise<TestRelay[]> {
  const relays: TestRelay[] = [];
  try {
    for (let i = 0; i < n; i++) relays.push(await startTestRelay({ ...patch, dbUrl }));
  } catch (err) {
    await stopAll(relays);
    throw err;
  }
  return relays;
}

export async function stopAll(relays: readonly (TestRelay | null)[]): Promise<void> {
  await Promise.allSettled(relays.map((r) => r?.stop()));
}

/** The relay's live event stream (SSE), once it answered 200. */
export async function liveEvents(relay: TestRelay): Promise<EventStreamReader> {
  const stream = readEventStream(`${relay.url}/api/events`, { 'X-API-Token': relay.token });
  await waitFor(() => stream.status() === 200 && stream.frames.length > 0, 'the live event stream to answer');
  return stream;
}
