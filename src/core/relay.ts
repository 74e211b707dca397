import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { RelayConfig } from './config/types.js';
import { apiTokenProblem } from './config/api-token.js';
import { ConfigError } from './config/load.js';
import type { CoreContext } from './context.js';
import { RelayBus } from './events.js';
import { createLogger } from './logger.js';
import { IdleMemory } from './idle-memory.js';
import { plainSecretCodec, type SecretCodec } from './secrets.js';
import { createKeyFileCodec, loadSecretsKey } from './secrets/key-file.js';
import { makePrivate, PRIVATE_DIR_MODE } from './file-modes.js';
import { openConfiguredStore, type RelayStore } from './store/index.js';
import { RuntimeSettings, type RuntimeSettingsValues } from './settings/runtime-settings.js';
import { createDispatcher, type Dispatcher } from './delivery/dispatcher.js';
import { defaultTenantEndpoints, tenantAttachmentEndpoints } from './delivery/attachments.js';
import { createSink, type Sink } from './sink/sink.js';
import { announcementOf } from './sink/capture.js';
import { createReporter, type Reporter } from './report/reporter.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createRelayServices, type RelayServices } from './services/index.js';
import { createApiApp } from './api/app.js';
import { PullLoop } from './pull/pull-loop.js';
import { pullReportSender, pullTarget } from './pull/report-sender.js';

export interface RelayOptions {
  config: RelayConfig;
  clock?: Clock;
  logger?: Logger;
  /** desktop: safeStorage-backed codec for passwords at rest */
  secrets?: SecretCodec;
  /** desktop: Electron-ABI better-sqlite3 binding */
  nativeBinding?: string;
  /** runtime settings given explicitly for this run (CLI flags), winning over persisted ones */
  settingsOverrides?: Partial<RuntimeSettingsValues>;
  /** directory of the built web UI (served at /) */
  uiDir?: string | null;
}

export interface RelayAddresses {
  http: { host: string; port: number };
  smtp: { host: string; port: number };
  /** base URL of the API and web UI */
  url: string;
  /** the web UI link that logs in with the token */
  uiUrl: string;
}

export interface Relay {
  /** what the API and the desktop shell use */
  readonly services: RelayServices;
  /** the store's ports (tests, benches) */
  readonly store: RelayStore;
  readonly dispatcher: Dispatcher;
  readonly sink: Sink;
  readonly reporter: Reporter;
  readonly metrics: Metrics;
  /** for tests and entry points: never the store */
  readonly ctx: CoreContext;
  readonly token: string;
  readonly uiDir: string | null;
  addresses(): RelayAddresses;
  start(): Promise<RelayAddresses>;
  stop(): Promise<void>;
}

/** Keeps the API token: configured, or generated once and stored in the data directory. */
export function resolveApiToken(config: RelayConfig): string {
  if (config.apiToken) return checkedToken(config.apiToken, '[server] api_token');
  const file = path.join(config.dataDir, 'api-token');
  let existing = '';
  try {
    existing = fs.readFileSync(file, 'utf8').trim();
  } catch {
    // first start
  }
  if (existing) return checkedToken(existing, file);
  const token = crypto.randomBytes(24).toString('base64url');
  fs.mkdirSync(config.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The data folder and the files in it that hold mail and secrets (checked and fixed at every start). */
function privatePaths(config: RelayConfig): string[] {
  const db = config.dbPath === ':memory:' ? [] : [config.dbPath, `${config.dbPath}-wal`, `${config.dbPath}-shm`];
  return [config.dataDir, ...db, path.join(config.dataDir, 'api-token'), ...(config.secretsKeyFile ? [config.secretsKeyFile] : [])];
}

/** `[server] secrets_key_file`: account and sync passwords encrypted at rest; null when not configured. */
function keyFileCodec(config: RelayConfig, logger: Logger): SecretCodec | null {
  if (!config.secretsKeyFile) return null;
  const { key, created } = loadSecretsKey(config.secretsKeyFile);
  if (created) logger.warn({ file: config.secretsKeyFile }, 'secrets key file created: keep a copy, the stored passwords cannot be read without it');
  return createKeyFileCodec(key);
}

function checkedToken(token: string, where: string): string {
  const problem = apiTokenProblem(token);
  if (problem) throw new ConfigError(where, problem);
  return token;
}

/** The composition root: wires store, bus, services and servers. Nothing else constructs them. */
export async function createRelay(opts: RelayOptions): Promise<Relay> {
  const config = opts.config;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const bus = new RelayBus();
  const idleMemory = new IdleMemory();
  const secrets = opts.secrets ?? keyFileCodec(config, logger) ?? plainSecretCodec;
  fs.mkdirSync(config.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const store = await openConfiguredStore({
    url: config.dbUrl,
    path: config.dbPath,
    nativeBinding: opts.nativeBinding,
    secrets,
    onMessageEvents: (events) => bus.emit('messages', events),
    onAccountsChanged: (ids) => bus.emit('accounts', { ids }),
    onTenantsChanged: (ids) => bus.emit('tenants', { ids }),
    onBackgroundError: (err) => logger.warn({ err }, 'store background task failed'),
    onIdle: () => logger.debug({ gc: idleMemory.release() }, 'idle: caches released'),
    // PostgreSQL, several relays: what the others committed (the listener starts with the relay)
    onRemoteCaptured: (items) => items.forEach((c) => bus.emit('captured.remote', announcementOf(c))),
    onRemoteCapturedRemoved: (ids) => bus.emit('captured.removed', { ids }),
    onRemoteSettings: () => reloadSettings(),
    followsRemoteEvents: () => bus.listenerCount('messages') > 0,
    onRemoteWake: ({ dispatch, report }) => {
      if (dispatch) bus.emit('dispatch.wake');
      if (report) bus.emit('report.wake');
    },
    onRescan: () => {
      reloadSettings();
      bus.emit('accounts', { ids: [] });
      bus.emit('tenants', { ids: [] });
      bus.emit('dispatch.wake');
      bus.emit('report.wake');
      bus.emit('resync');
    },
  });
  const reloadSettings = () => void settings.reload().catch((err: unknown) => logger.warn({ err }, 'could not reload the settings another relay changed'));
  let settings: RuntimeSettings;
  try {
    settings = await RuntimeSettings.load({ store: store.settings, bus, config, overrides: opts.settingsOverrides, secrets });
  } catch (err) {
    await store.close();
    throw err;
  }
  const core: CoreContext = { config, clock, logger, bus, settings };
  let token: string;
  try {
    token = resolveApiToken(config);
  } catch (err) {
    await store.close();
    throw err;
  }
  const madePrivate = makePrivate(privatePaths(config));
  if (madePrivate.length) logger.warn({ paths: madePrivate }, 'data files were readable by other users: now readable by this user only');

  const attachmentEndpoints = tenantAttachmentEndpoints({ get: (id) => store.tenants.get(id) }, defaultTenantEndpoints(settings, config.client.attachmentUrl));
  const dispatcher = createDispatcher({ store, settings, bus, config, clock, logger, attachmentEndpoints });
  const sink = createSink({ captured: store.captured, settings, bus, config, clock, logger, savedRules: store.settings });
  const defaultSender = config.client.fetchUrl ? pullReportSender(config, settings) : undefined;
  const exclusive = 'exclusive' in store ? store.exclusive : undefined;
  const reporter = createReporter({ reports: store.reports, messages: store.messages, tenants: store.tenants, exclusive, settings, bus, config, clock, logger, defaultSender });
  const metrics = createMetrics({ messages: store.messages, accounts: store.accounts, settings, bus });
  const services = createRelayServices({
    store,
    settings,
    bus,
    clock,
    logger,
    defaultPriority: config.defaultPriority,
    maxRecipients: config.delivery.maxRecipients,
    linkCheckPrivate: config.sink.linkCheckPrivate,
    dispatcher,
    sink,
    emulationDefaults: config.sink.emulation,
    reporter,
    metrics,
    addresses: () => relay.addresses(),
    adminToken: token,
    tenantSync: reporter,
  });

  // pull mode ([client] fetch_url): the relay fetches the application's mail instead of being handed it
  const pull = config.client.fetchUrl
    ? new PullLoop({ target: () => pullTarget(config, settings), messages: services.messages, bus, timeoutMs: config.client.timeoutMs, logger: logger.child({ pull: config.client.fetchUrl }) })
    : null;

  bus.on('dispatch.wake', () => dispatcher.wake());
  bus.on('report.wake', () => reporter.wake());

  let server: http.Server | null = null;
  let httpAddr = { host: config.host, port: config.port };
  let smtpAddr = { host: config.smtpHost, port: config.smtpPort };
  let started = false;

  const relay: Relay = {
    services,
    ctx: core,
    token,
    dispatcher,
    sink,
    reporter,
    metrics,
    store,
    uiDir: opts.uiDir ?? null,
    addresses() {
      const host = httpAddr.host === '0.0.0.0' || httpAddr.host === '::' ? '127.0.0.1' : httpAddr.host;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${httpAddr.port}`;
      return { http: httpAddr, smtp: smtpAddr, url, uiUrl: `${url}/#token=${encodeURIComponent(token)}` };
    },
    async start() {
      if (started) return relay.addresses();
      smtpAddr = await sink.start();
      dispatcher.setSandboxTarget(smtpAddr);
      const app = createApiApp({
        services,
        logger,
        bodyLimitBytes: config.http.bodyLimitBytes,
        classicBodyLimitBytes: config.http.classicBodyLimitBytes,
        uiDir: relay.uiDir,
        hosts: { listenHost: config.host, allowedHosts: config.allowedHosts },
      });
      server = http.createServer(app.callback());
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.port, config.host, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      const a = server.address() as AddressInfo;
      httpAddr = { host: config.host, port: a.port };
      if ('listen' in store) await store.listen();
      await dispatcher.start();
      reporter.start();
      pull?.start();
      started = true;
      logger.info({ http: httpAddr, smtp: smtpAddr, mode: settings.current().delivery_mode }, 'relay started');
      return relay.addresses();
    },
    async stop() {
      if (!started) {
        await store.close();
        return;
      }
      started = false;
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections?.();
          setTimeout(() => s.closeAllConnections?.(), 2000).unref();
        });
      }
      await pull?.stop();
      await dispatcher.stop();
      await reporter.stop();
      await sink.stop();
      metrics.stop();
      bus.removeAllListeners();
      await store.close();
      logger.info('relay stopped');
    },
  };
  return relay;
}
