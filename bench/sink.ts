/**
 * Sink ingest: the relay's sandbox sink vs MailDev (started here) vs a store-nothing smtp-server,
 * same nodemailer client, same run: 4 KB messages over 4 concurrent connections.
 */
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { MailDev } from 'maildev';
import { createRelay } from '../src/core/relay.js';
import { defaultConfig } from '../src/core/config/types.js';
import { silentLogger } from '../src/core/logger.js';
import { arg, report, tempDir } from './lib.js';

const N = arg('messages', 2000);
const CONNECTIONS = 4;
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70).slice(0, 4000);

async function blast(port: number): Promise<number> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Infinity,
  });
  const send = (i: number) =>
    transport.sendMail({ from: 'bench@example.com', to: 'sink@example.com', subject: `sink bench ${i}`, text: BODY });
  // warm-up
  await Promise.all(Array.from({ length: 20 }, (_, i) => send(-i)));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS * 4 }, async () => {
      while (next < N) await send(next++);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  transport.close();
  return N / seconds;
}

async function relaySink(): Promise<number> {
  const config = { ...defaultConfig(tempDir()), port: 0, smtpPort: 0, apiToken: 'bench' };
  config.sink.retentionCount = N * 2;
  const relay = createRelay({ config, logger: silentLogger() });
  const { smtp } = await relay.start();
  try {
    return await blast(smtp.port);
  } finally {
    await relay.stop();
  }
}

async function storeNothing(): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('end', () => cb());
      stream.resume();
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await blast((server.server.address() as { port: number }).port);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function maildev(): Promise<number> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const md = new MailDev({ smtp: port, web: port + 1, ip: '127.0.0.1', webIp: '127.0.0.1', disableWeb: true, silent: true } as never);
  await md.start();
  try {
    return await blast(port);
  } finally {
    await md.stop();
  }
}

async function main() {
  const results = { relay: await relaySink(), maildev: await maildev(), nothing: await storeNothing() };
  report(
    `Sink ingest (${N} x 4 KB messages, ${CONNECTIONS} connections)`,
    [
      { server: 'relay sink (SQLite, FULL sync)', 'msg/s': Math.round(results.relay) },
      { server: 'MailDev 3 (in memory)', 'msg/s': Math.round(results.maildev) },
      { server: 'smtp-server storing nothing', 'msg/s': Math.round(results.nothing) },
    ],
    {
      'relay / MailDev': (results.relay / results.maildev).toFixed(2) + ' (goal >= 1.5)',
      'relay / store-nothing': (results.relay / results.nothing).toFixed(2) + ' (goal >= 0.8)',
    },
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
