import pg from 'pg';
import { afterEach } from 'vitest';
import { CountingSmtpServer } from '../smtp/counting-smtp.js';
import { startTestRelay, TEST_TOKEN, type ConfigPatch, type TestRelay } from '../relay/test-relay.js';

/** Relays and SMTP servers a test starts, stopped after each test of the file that calls this. */
export function useRelayFleet() {
  let relays: TestRelay[] = [];
  let servers: CountingSmtpServer[] = [];
  afterEach(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all(servers.map((s) => s.close()));
    relays = [];
    servers = [];
  });
  return {
    relays: (started: TestRelay[]): TestRelay[] => (relays.push(...started), started),
    smtp: (server: CountingSmtpServer): CountingSmtpServer => (servers.push(server), server),
  };
}

/** The counting SMTP server of the reliability tests, listening (`delayMs` per message: a slow server). */
export async function recordingSmtp(delayMs = 0): Promise<CountingSmtpServer> {
  const server = new CountingSmtpServer(delayMs);
  await server.listen();
  return server;
}

/** `n` relays in this process on one database (`dbUrl`), real delivery, each on its own ports. */
export async function startRelays(n: number, dbUrl: string, patch: ConfigPatch = {}): Promise<TestRelay[]> {
  const relays: TestRelay[] = [];
  try {
    for (let i = 0; i < n; i++) relays.push(await startTestRelay({ dbUrl, deliveryMode: 'real', ...patch }));
  } catch (err) {
    await Promise.all(relays.map((r) => r.stop()));
    throw err;
  }
  return relays;
}

/** A message for `account` whose Message-ID the recording server reads back. */
export function mailTo(account: string, id: string) {
  return { id, account_id: account, from: 'app@example.com', to: ['rcpt@example.com'], subject: id, body: 'x', message_id: `<${id}@multi.test>` };
}

/** POSTs to a relay's API (a child process or in this one) with the test token. */
export async function postJson(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(url + path, { method: 'POST', headers: { 'X-API-Token': TEST_TOKEN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Adds `ids` in batches of `batch`, spread over the relays in turn (each relay's intake wakes its own dispatch). */
export async function addSpread(urls: string[], account: string, ids: string[], batch = 500): Promise<void> {
  for (let i = 0, turn = 0; i < ids.length; i += batch, turn++) {
    const r = await postJson(urls[turn % urls.length], '/commands/add-messages', { messages: ids.slice(i, i + batch).map((id) => mailTo(account, id)) });
    const body = (await r.json()) as { ok?: boolean; queued?: number };
    if (r.status !== 200 || body.queued !== Math.min(batch, ids.length - i)) throw new Error(`add-messages answered ${r.status} ${JSON.stringify(body)}`);
  }
}

/** Runs `fn` with a connection of its own to the database the relays share. */
export async function withDb<T>(dbUrl: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** How many messages are in each state. */
export function statesOf(dbUrl: string): Promise<Record<string, number>> {
  return withDb(dbUrl, async (db) => {
    const { rows } = await db.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM messages GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  });
}
