import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { RelayConfig } from '../config/types.js';
import { errorMessage } from '../errors.js';
import type { RelayBus } from '../events.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { CapturedPort, SettingsPort } from '../store/ports.js';
import type { Bounce } from './bounces/bounce-rules.js';
import { replyWithBounces } from './bounces/bounce-reply.js';
import { buildDsn } from './bounces/dsn.js';
import { captureMessage } from './capture.js';
import { CaptureWriter } from './capture-writer.js';
import { collectData } from './collect.js';
import type { EmulationEvent } from './emulation/decide.js';
import { loadEmulation } from './emulation/saved-rules.js';
import { EmulationState } from './emulation/state.js';
import { tagsOf } from './emulation/tags.js';
import { CapturedIndexer } from './indexer.js';
import { captureScan } from './quick-summary.js';
import { CapturedRetention } from './retention.js';
import { sinkTlsMaterial } from './tls-cert.js';

/** The sandbox SMTP server that captures mail. */
export interface Sink {
  /** listens on config.smtpHost:smtpPort (0: a free port); resolves the bound address */
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
  /** applies the retention limits right away (normally done in the background after captures) */
  pruneNow(): Promise<number>;
  /**
   * Resolves once every message captured so far is in the text index with its exact attachment
   * count (normally done in the background while the sink is idle); searches call it first.
   * With `maxWaitMs` it gives up after that long; resolves with how many are still unindexed.
   */
  flushIndexing(maxWaitMs?: number): Promise<number>;
  /** provider emulation: the rules in force and their counters (the emulation service sets them) */
  readonly emulation: Pick<EmulationState, 'configure' | 'rules' | 'snapshot'>;
}

/** how long stop() lets open SMTP sessions finish before smtp-server closes them */
const CLOSE_TIMEOUT_MS = 3000;

type SmtpError = Error & { responseCode: number };

function smtpError(code: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode: code });
}

function envelopeOf(session: SMTPServerSession) {
  const user: unknown = session.user;
  return {
    mail_from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcpt_to: session.envelope.rcptTo.map((r) => r.address),
    mailbox: typeof user === 'string' && user ? user : null,
    remote_address: session.remoteAddress || null,
    helo: session.hostNameAppearsAs || null,
    tls: !!session.secure,
  };
}

/**
 * smtp-server configured as a catch-all: any sender and recipient, AUTH optional with any
 * credentials (the username tags the mailbox), STARTTLS with a locally generated certificate,
 * SIZE advertised and enforced (552), a client limit (421). The DATA stream is always read to its
 * end before answering; a message is stored whole or not at all.
 */
export interface SinkDeps {
  captured: CapturedPort;
  settings: Pick<RuntimeSettings, 'current'>;
  bus: Pick<RelayBus, 'emit' | 'on' | 'off'>;
  config: RelayConfig;
  clock: Clock;
  logger: Logger;
  /** where rules set through the API are kept; without it config.ini's rules apply */
  savedRules?: Pick<SettingsPort, 'get'>;
}

export function createSink(deps: SinkDeps): Sink {
  const { config, bus, clock, captured } = deps;
  const logger = deps.logger.child({ component: 'sink' });
  const retention = new CapturedRetention({ captured, settings: deps.settings, bus, clock, logger });
  const writer = new CaptureWriter(captured, (err) => logger.warn({ err }, 'could not sync captured mail to disk'));
  const indexer = new CapturedIndexer(captured, logger);
  const sessions = new Set<string>();
  const emulation = new EmulationState();
  /** DSNs being stored: stop() waits for them before closing the writer */
  const bouncing = new Set<Promise<void>>();
  let server: SMTPServer | null = null;

  const rejected = (reason: string) => {
    try {
      bus.emit('sink.rejected', { reason });
    } catch (err) {
      logger.error({ err }, 'sink.rejected listener failed');
    }
  };

  const sessionFacts = (session: SMTPServerSession, username?: string) => {
    const user: unknown = username ?? session.user;
    return { id: session.id, ip: session.remoteAddress || '', username: typeof user === 'string' && user ? user : null };
  };

  /**
   * Waits the emulated latency, then throws the emulated reply, if any; null when the command goes
   * on at once (always so with the emulation off: no promise per SMTP command).
   */
  function emulate(session: SMTPServerSession, event: Omit<EmulationEvent, 'nowMs' | 'session' | 'messagesOnConnection'>, username?: string): Promise<void> | null {
    let d: ReturnType<EmulationState['decide']>;
    try {
      d = emulation.decide({ ...event, nowMs: clock.nowMs(), session: sessionFacts(session, username) });
    } catch (err) {
      // a fault of the rules answers this command with an error, as a rejected promise always did
      return Promise.reject(err as Error);
    }
    if (d.delayMs <= 0 && d.verdict.kind !== 'reply') return null;
    const { verdict } = d;
    return (async () => {
      if (d.delayMs > 0) await sleep(d.delayMs, undefined, { ref: false });
      if (verdict.kind === 'reply') {
        rejected('emulation');
        throw smtpError(verdict.code, verdict.text);
      }
    })();
  }

  /** smtp-server's callbacks: once the emulation lets the command go on, `then` runs and the command is accepted */
  const answer = (callback: (err?: Error | null) => void, pending: Promise<void> | null, then?: () => void) => {
    const go = () => {
      then?.();
      callback();
    };
    if (!pending) return go();
    pending.then(go, (err: Error) => callback(err));
  };

  /** Captures the DSN of an accepted message for its envelope sender (#18.3). */
  async function bounce(to: string, bounces: Bounce[], original: Buffer, mailbox: string | null): Promise<void> {
    const dsn = buildDsn({ to, bounces, original, arrival: new Date(clock.nowMs()), mta: 'localhost' });
    try {
      await captureMessage({ clock, bus, logger }, writer, dsn, { mail_from: '', rcpt_to: [to], mailbox, remote_address: null, helo: 'localhost', tls: false });
      retention.nudge();
      indexer.captured();
    } catch (err) {
      logger.warn({ err }, 'the bounce notification could not be stored');
    }
  }

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const data = await collectData(stream, config.sink.maxSize);
    if (data.kind === 'aborted') {
      rejected('disconnected');
      throw smtpError(451, 'Error: connection closed before the end of the message');
    }
    if (data.kind === 'oversize') {
      rejected('size');
      throw smtpError(552, `Error: message exceeds fixed maximum message size ${config.sink.maxSize}`);
    }
    if (data.raw.length === 0) {
      rejected('empty');
      throw smtpError(554, 'Error: message is empty');
    }
    const rcpt = session.envelope.rcptTo.map((r) => r.address);
    const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    // the one scan of the header block: the summary stored and the tags the emulation matches on
    const scan = captureScan(data.raw);
    const event = { stage: 'data' as const, sender, recipients: rcpt, tags: tagsOf(scan.xTags, rcpt) };
    const pending = emulate(session, event);
    if (pending) await pending;
    let id: number;
    const envelope = { ...envelopeOf(session), tags: event.tags };
    try {
      id = (await captureMessage({ clock, bus, logger }, writer, data.raw, envelope, scan.summary)).id;
    } catch (err) {
      logger.error({ err }, 'captured message could not be stored');
      rejected('storage');
      throw smtpError(451, 'Error: local error, the message was not stored; try again later');
    }
    retention.nudge();
    indexer.captured();
    const bounces = emulation.bounces({ ...event, nowMs: clock.nowMs(), session: sessionFacts(session) });
    // never a bounce of a bounce (RFC 3464 section 2: no DSN to a null sender)
    if (bounces.length > 0 && sender) {
      const pending = bounce(sender, bounces, data.raw, envelope.mailbox).finally(() => bouncing.delete(pending));
      bouncing.add(pending);
    }
    return replyWithBounces(`Ok: captured as ${id}`, bounces);
  }

  function createServer(tls: { key: string; cert: string }): SMTPServer {
    const s = new SMTPServer({
      name: 'localhost',
      banner: 'Genro Mail Relay sandbox sink',
      key: tls.key,
      cert: tls.cert,
      size: config.sink.maxSize,
      authOptional: true,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'],
      disableReverseLookup: true,
      closeTimeout: CLOSE_TIMEOUT_MS,
      logger: false,
      onConnect(session, callback) {
        if (config.sink.maxClients > 0 && sessions.size >= config.sink.maxClients) {
          rejected('too_many_clients');
          return callback(smtpError(421, 'Too many connected clients, try again in a moment'));
        }
        sessions.add(session.id);
        const pending = emulate(session, { stage: 'connect' });
        if (!pending) return callback();
        pending.then(
          () => callback(),
          (err: Error) => {
            sessions.delete(session.id);
            callback(err);
          },
        );
      },
      onClose(session) {
        sessions.delete(session.id);
        emulation.connectionClosed(session.id);
      },
      onMailFrom(address, session, callback) {
        answer(callback, emulate(session, { stage: 'mail', sender: address.address }), () => emulation.messageStarted(session.id));
      },
      onRcptTo(address, session, callback) {
        // one transaction may not fan out without bound (RFC 5321 4.5.3.1.10: 452 beyond the limit)
        if (session.envelope.rcptTo.length >= config.sink.maxRecipients) {
          rejected('too_many_recipients');
          return callback(smtpError(452, `4.5.3 Too many recipients (at most ${config.sink.maxRecipients}, [sandbox] max_recipients)`));
        }
        const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        answer(callback, emulate(session, { stage: 'rcpt', sender, recipients: [address.address] }));
      },
      onAuth(auth, session, callback) {
        const user = auth.username || 'anonymous';
        const pending = emulate(session, { stage: 'auth' }, user);
        if (!pending) return callback(null, { user });
        pending.then(
          () => callback(null, { user }),
          (err: Error) => callback(err),
        );
      },
      onData(stream, session, callback) {
        receive(stream, session).then(
          (reply) => callback(null, reply),
          (err: Error) => callback(err),
        );
      },
    });
    // ECONNRESET and friends from single connections: log, never crash (smtp-server #117)
    s.on('error', (err) => logger.debug({ err: errorMessage(err) }, 'smtp connection error'));
    return s;
  }

  return {
    async start() {
      if (server) {
        const a = server.server.address() as AddressInfo;
        return { host: config.smtpHost, port: a.port };
      }
      emulation.configure((await loadEmulation(deps.savedRules, config.sink.emulation)).config);
      const s = createServer(await sinkTlsMaterial(config.dataDir));
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(new Error(`sandbox SMTP sink cannot listen on ${config.smtpHost}:${config.smtpPort}: ${err.message}`));
        s.server.once('error', onError);
        s.listen(config.smtpPort, config.smtpHost, () => {
          s.server.off('error', onError);
          resolve();
        });
      });
      server = s;
      retention.start();
      indexer.start();
      const a = s.server.address() as AddressInfo;
      logger.debug({ port: a.port }, 'sandbox sink listening');
      return { host: config.smtpHost, port: a.port };
    },
    async stop() {
      retention.stop();
      const s = server;
      server = null;
      if (!s) return;
      await new Promise<void>((resolve) => s.close(() => resolve()));
      await Promise.all(bouncing);
      await writer.close();
      await indexer.stop();
      sessions.clear();
    },
    pruneNow: () => retention.pruneNow(),
    flushIndexing: (maxWaitMs) => indexer.flush(maxWaitMs),
    emulation,
  };
}
