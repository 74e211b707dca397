import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';
import { readDatabase, spawnRelay, type RelayProcess } from '../support/reliability/relay-process.js';
import { SmtpWire } from '../support/smtp/smtp-wire.js';

const TOKEN = 'capture-token-0123456789';
const KILLS = 3;
const CLIENTS = 4;

const messageOf = (id: string) =>
  `From: app@example.com\r\nTo: sink@example.com\r\nSubject: ${id}\r\nMessage-ID: <${id}@crash.test>\r\n\r\n${'a line of the body\r\n'.repeat(40)}`;

/** MAIL, RCPT, DATA, the message in two writes, the dot: true once answered 250, false when the connection died first. */
async function sendOne(wire: SmtpWire, id: string): Promise<boolean> {
  for (const [line, code] of [['MAIL FROM:<app@example.com>', 250], ['RCPT TO:<sink@example.com>', 250], ['DATA', 354]] as const) {
    const r = await wire.cmd(line);
    if (!r) return false;
    if (r.code !== code) throw new Error(`${line} answered ${r.text}`);
  }
  const message = messageOf(id);
  wire.write(message.slice(0, message.length >> 1));
  await new Promise((r) => setImmediate(r));
  wire.write(`${message.slice(message.length >> 1)}.\r\n`);
  const r = await wire.read();
  if (!r) return false;
  if (r.code !== 250) throw new Error(`end of DATA answered ${r.text}`);
  return true;
}

interface Stream {
  /** Message-IDs the sink answered 250 */
  acknowledged: string[];
  /** connections that died under a message */
  cut: number;
  failure: string | null;
  stop: () => Promise<void>;
}

/** CLIENTS SMTP connections sending messages back to back until the sink goes away. */
function streamMessages(port: number, prefix: string): Stream {
  const stream: Stream = { acknowledged: [], cut: 0, failure: null, stop: async () => undefined };
  let seq = 0;
  const client = async () => {
    const { wire } = await SmtpWire.connect(port);
    try {
      if ((await wire.cmd('EHLO crash.test'))?.code !== 250) throw new Error('EHLO refused');
      for (;;) {
        const id = `${prefix}-${seq++}`;
        if (!(await sendOne(wire, id))) {
          stream.cut++;
          return;
        }
        stream.acknowledged.push(`<${id}@crash.test>`);
      }
    } catch (err) {
      stream.failure ??= String(err);
    } finally {
      wire.destroy();
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  stream.stop = async () => {
    await Promise.all(clients);
  };
  return stream;
}

describe('crash recovery during capture', () => {
  it(`kill -9 while the sink receives DATA, ${KILLS} times: every message answered 250 is captured after the restart, a half-sent one never`, async () => {
    const dataDir = tempDir();
    let run: RelayProcess = await spawnRelay(dataDir, TOKEN);
    const acknowledged: string[] = [];
    const halfSent: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      // one connection stopped in the middle of DATA when the relay dies
      const { wire: parked } = await SmtpWire.connect(run.smtpPort);
      await parked.cmd('EHLO parked.test');
      await parked.cmd('MAIL FROM:<app@example.com>');
      await parked.cmd('RCPT TO:<sink@example.com>');
      expect((await parked.cmd('DATA'))?.code).toBe(354);
      halfSent.push(`<half-${k}@crash.test>`);
      parked.write(messageOf(`half-${k}`).slice(0, 200));

      const stream = streamMessages(run.smtpPort, `k${k}`);
      const enough = 50 + Math.floor(Math.random() * 150);
      await waitFor(
        () => {
          if (stream.failure) throw new Error(stream.failure);
          return stream.acknowledged.length >= enough;
        },
        { what: `${enough} messages captured`, timeoutMs: 60_000, intervalMs: 2 },
      );
      await run.kill9();
      await stream.stop();
      parked.destroy();
      expect(stream.failure).toBeNull();
      expect(stream.cut, `kill ${k + 1}: messages were under way`).toBeGreaterThan(0);
      acknowledged.push(...stream.acknowledged);
      run = await spawnRelay(dataDir, TOKEN);
    }
    try {
      const captured = readDatabase(dataDir, (db) => new Set((db.prepare('SELECT message_id FROM captured').all() as { message_id: string }[]).map((r) => r.message_id)));
      const lost = acknowledged.filter((id) => !captured.has(id));
      console.log(`crash during capture: ${acknowledged.length} answered 250, ${captured.size} captured, ${lost.length} lost after ${KILLS} kill -9`);
      expect(lost).toEqual([]);
      expect(halfSent.filter((id) => captured.has(id))).toEqual([]);
      const list = await fetch(`${run.url}/api/captured?limit=1`, { headers: { 'X-API-Token': TOKEN } });
      expect(list.status).toBe(200);
      readDatabase(dataDir, (db) => expect(db.pragma('integrity_check', { simple: true })).toBe('ok'));
    } finally {
      await run.stop();
    }
  });
});
