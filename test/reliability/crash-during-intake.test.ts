import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';
import { readDatabase, spawnRelay, type RelayProcess } from '../support/reliability/relay-process.js';

const TOKEN = 'intake-token-0123456789';
const KILLS = 3;
const CLIENTS = 4;
const BATCH = 50;

interface Stream {
  /** ids of the batches the relay answered 200 with every message queued */
  acknowledged: string[];
  /** requests that got no answer (the relay died under them) */
  cut: number;
  /** an answer other than 200 with every message queued */
  failure: string | null;
  stop: () => Promise<void>;
}

/** CLIENTS applications sending add-messages batches back to back until stopped. */
function streamBatches(url: string, prefix: string): Stream {
  const stream: Stream = { acknowledged: [], cut: 0, failure: null, stop: async () => undefined };
  let running = true;
  let seq = 0;
  const client = async () => {
    while (running) {
      const ids = Array.from({ length: BATCH }, () => `${prefix}-${seq++}`);
      const messages = ids.map((id) => ({ id, account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: id, body: 'stream body '.repeat(20) }));
      let r: Response;
      let body: { queued?: number };
      try {
        r = await fetch(`${url}/commands/add-messages`, { method: 'POST', headers: { 'X-API-Token': TOKEN, 'Content-Type': 'application/json' }, body: JSON.stringify({ messages }) });
        body = (await r.json()) as { queued?: number };
      } catch {
        stream.cut++;
        return;
      }
      if (r.status !== 200 || body.queued !== BATCH) {
        stream.failure ??= `add-messages answered ${r.status} ${JSON.stringify(body).slice(0, 300)}`;
        return;
      }
      stream.acknowledged.push(...ids);
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  stream.stop = async () => {
    running = false;
    await Promise.all(clients);
  };
  return stream;
}

describe('crash recovery during intake', () => {
  it(`kill -9 during a stream of add-messages, ${KILLS} times: every id answered 200 is there after the restart`, async () => {
    const dataDir = tempDir();
    let run: RelayProcess = await spawnRelay(dataDir, TOKEN);
    const headers = { 'X-API-Token': TOKEN, 'Content-Type': 'application/json' };
    await fetch(`${run.url}/account`, { method: 'POST', headers, body: JSON.stringify({ id: 'acc', host: '127.0.0.1', port: 9 }) });
    // queued only: nothing is sent while the stream runs
    await fetch(`${run.url}/commands/suspend`, { method: 'POST', headers, body: '{}' });
    const acknowledged: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const stream = streamBatches(run.url, `k${k}`);
      const enough = 20 + Math.floor(Math.random() * 40);
      await waitFor(
        () => {
          if (stream.failure) throw new Error(stream.failure);
          return stream.acknowledged.length >= enough * BATCH;
        },
        { what: `${enough} batches acknowledged`, timeoutMs: 60_000, intervalMs: 2 },
      );
      await run.kill9();
      await stream.stop();
      expect(stream.failure).toBeNull();
      expect(stream.cut, `kill ${k + 1}: requests were under way`).toBeGreaterThan(0);
      acknowledged.push(...stream.acknowledged);
      run = await spawnRelay(dataDir, TOKEN);
    }
    try {
      const stored = readDatabase(dataDir, (db) => new Set((db.prepare('SELECT id FROM messages').all() as { id: string }[]).map((r) => r.id)));
      const lost = acknowledged.filter((id) => !stored.has(id));
      console.log(`crash during intake: ${acknowledged.length} acknowledged, ${stored.size} stored, ${lost.length} lost after ${KILLS} kill -9`);
      expect(lost).toEqual([]);
      const one = await fetch(`${run.url}/api/messages/${acknowledged[acknowledged.length - 1]}`, { headers: { 'X-API-Token': TOKEN } });
      expect(one.status).toBe(200);
      readDatabase(dataDir, (db) => expect(db.pragma('integrity_check', { simple: true })).toBe('ok'));
    } finally {
      await run.stop();
    }
  });
});
