import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SOURCES, ConfigError, loadConfig } from '../../../src/core/config/load.js';
import type { RelayConfig } from '../../../src/core/config/types.js';
import { tempDir } from '../../support/common/temp-dir.js';

type SourceName = keyof typeof CONFIG_SOURCES;

interface Row {
  /** a valid value, the same written in config.ini, in the variable and after the flag */
  value: string;
  read: (c: RelayConfig) => unknown;
  expected: unknown;
  /** a value refused with a message naming where it came from */
  invalid?: string;
}

/** Every documented key: its config.ini key, its GMP_* variable and its flag each set it. */
const ROWS: Record<SourceName, Row> = {
  dbPath: { value: '/var/lib/relay/queue.db', read: (c) => c.dbPath, expected: '/var/lib/relay/queue.db' },
  dbUrl: { value: 'postgres://relay:secret@db.internal:5432/relay', read: (c) => c.dbUrl, expected: 'postgres://relay:secret@db.internal:5432/relay', invalid: 'mysql://db/relay' },
  dataDir: { value: '/var/lib/relay', read: (c) => c.dataDir, expected: '/var/lib/relay' },
  host: { value: '0.0.0.0', read: (c) => c.host, expected: '0.0.0.0' },
  port: { value: '8100', read: (c) => c.port, expected: 8100, invalid: 'http' },
  apiToken: { value: 'token-1-0123456789abcdef', read: (c) => c.apiToken, expected: 'token-1-0123456789abcdef', invalid: 'short-token' },
  allowedHosts: { value: 'relay.lan, Mail.Example', read: (c) => c.allowedHosts, expected: ['relay.lan', 'mail.example'], invalid: 'relay.lan:8000' },
  secretsKeyFile: { value: '/etc/relay/secrets.key', read: (c) => c.secretsKeyFile, expected: '/etc/relay/secrets.key' },
  bodyLimit: { value: '2048', read: (c) => c.http.bodyLimitBytes, expected: 2048, invalid: '10' },
  classicBodyLimit: { value: '4096', read: (c) => c.http.classicBodyLimitBytes, expected: 4096, invalid: '10' },
  schedulerActive: { value: 'yes', read: (c) => c.schedulerActive, expected: true, invalid: 'maybe' },
  clientUrl: { value: 'https://app.example/sync', read: (c) => c.client.url, expected: 'https://app.example/sync', invalid: 'app.example/sync' },
  clientUser: { value: 'sync-user', read: (c) => c.client.user, expected: 'sync-user' },
  clientPassword: { value: 'sync-pass', read: (c) => c.client.password, expected: 'sync-pass' },
  clientToken: { value: 'sync-token', read: (c) => c.client.token, expected: 'sync-token' },
  clientAttachmentUrl: { value: 'https://app.example/attachments', read: (c) => c.client.attachmentUrl, expected: 'https://app.example/attachments', invalid: 'app.example/attachments' },
  clientFetchUrl: { value: 'https://app.example/mail', read: (c) => c.client.fetchUrl, expected: 'https://app.example/mail', invalid: 'app.example/mail' },
  clientInterval: { value: '60', read: (c) => c.client.intervalSeconds, expected: 60, invalid: '0' },
  sendInterval: { value: '2.5', read: (c) => c.sendLoopIntervalSeconds, expected: 2.5, invalid: '-1' },
  testMode: { value: 'on', read: (c) => c.testMode, expected: true, invalid: 'sometimes' },
  defaultPriority: { value: 'high', read: (c) => c.defaultPriority, expected: 1, invalid: 'urgent' },
  retention: { value: '3600', read: (c) => c.retentionSeconds, expected: 3600, invalid: 'a week' },
  batchSize: { value: '20', read: (c) => c.batchSizePerAccount, expected: 20, invalid: '0' },
  deliveryMode: { value: 'real', read: (c) => c.deliveryMode, expected: 'real', invalid: 'live' },
  retryDelays: { value: '30,90', read: (c) => c.delivery.retryDelays, expected: [30, 90], invalid: '30,x' },
  maxRetries: { value: '3', read: (c) => c.delivery.maxRetries, expected: 3, invalid: '-1' },
  retryLifetime: { value: '86400', read: (c) => c.delivery.retryLifetimeSeconds, expected: 86400, invalid: '1d' },
  maxConcurrency: { value: '4', read: (c) => c.delivery.maxConcurrency, expected: 4, invalid: '0' },
  maxPerAccount: { value: '2', read: (c) => c.delivery.maxPerAccount, expected: 2, invalid: '0' },
  messagesPerConnection: { value: '250', read: (c) => c.delivery.messagesPerConnection, expected: 250, invalid: '0' },
  maxRecipients: { value: '50', read: (c) => c.delivery.maxRecipients, expected: 50, invalid: '0' },
  leaseSeconds: { value: '30', read: (c) => c.delivery.leaseSeconds, expected: 30, invalid: '1' },
  smtpHost: { value: '0.0.0.0', read: (c) => c.smtpHost, expected: '0.0.0.0' },
  smtpPort: { value: '2525', read: (c) => c.smtpPort, expected: 2525, invalid: '70000' },
  smtpMaxSize: { value: '1048576', read: (c) => c.sink.maxSize, expected: 1048576, invalid: '100' },
  smtpMaxClients: { value: '10', read: (c) => c.sink.maxClients, expected: 10, invalid: '0' },
  smtpMaxRecipients: { value: '20', read: (c) => c.sink.maxRecipients, expected: 20, invalid: 'many' },
  sinkRetentionCount: { value: '100', read: (c) => c.sink.retentionCount, expected: 100, invalid: '0' },
  sinkRetentionAge: { value: '86400', read: (c) => c.sink.retentionAgeSeconds, expected: 86400, invalid: '-5' },
  emulationRules: {
    value: '[{"kind":"greylist","delay_seconds":60}]',
    read: (c) => c.sink.emulation.rules,
    expected: [{ kind: 'greylist', delay_seconds: 60, code: 451, match: {} }],
    invalid: '[{"kind":"greylist","delay_seconds":-1}]',
  },
  s3Endpoint: { value: 'http://127.0.0.1:9000', read: (c) => c.attachments.s3.endpoint, expected: 'http://127.0.0.1:9000' },
  s3Region: { value: 'eu-south-1', read: (c) => c.attachments.s3.region, expected: 'eu-south-1' },
  s3AccessKey: { value: 'AKIAEXAMPLE', read: (c) => c.attachments.s3.accessKeyId, expected: 'AKIAEXAMPLE' },
  s3SecretKey: { value: 's3-secret', read: (c) => c.attachments.s3.secretAccessKey, expected: 's3-secret' },
  attachmentTimeout: { value: '2.5', read: (c) => c.attachments.timeoutMs, expected: 2500, invalid: '0' },
  attachmentMaxBytes: { value: '1000', read: (c) => c.attachments.maxBytes, expected: 1000, invalid: '0' },
  attachmentAllowPrivate: { value: 'yes', read: (c) => c.attachments.allowPrivateNetworks, expected: true, invalid: 'perhaps' },
  attachmentCacheMaxBytes: { value: '4096', read: (c) => c.attachments.cacheMaxBytes, expected: 4096, invalid: '-1' },
  attachmentCacheMaxAge: { value: '600', read: (c) => c.attachments.cacheMaxAgeSeconds, expected: 600, invalid: 'an hour' },
  logLevel: { value: 'debug', read: (c) => c.logLevel, expected: 'debug', invalid: 'loud' },
  logDelivery: { value: 'true', read: (c) => c.logDeliveryActivity, expected: true, invalid: 'verbose' },
  linkCheckPrivate: { value: 'true', read: (c) => c.sink.linkCheckPrivate, expected: true, invalid: 'sometimes' },
};

const entries = Object.entries(ROWS) as [SourceName, Row][];

function withIni(content: string): string {
  const dir = tempDir('gmr-sources-');
  fs.writeFileSync(path.join(dir, 'config.ini'), content);
  return dir;
}

describe('every documented configuration key', () => {
  it('is in the table: each source the relay reads is tested here', () => {
    expect(Object.keys(ROWS).sort()).toEqual(Object.keys(CONFIG_SOURCES).sort());
  });

  it.each(entries)('%s: set by its GMP_* variable, its config.ini key (= or :) and its flag, none of them the default', (name, row) => {
    const s = CONFIG_SOURCES[name];
    const fresh = tempDir('gmr-sources-');
    expect(row.read(loadConfig({ cwd: fresh, env: {} }).config), 'the default differs').not.toEqual(row.expected);
    expect(row.read(loadConfig({ cwd: fresh, env: { [s.env]: row.value } }).config), s.env).toEqual(row.expected);
    for (const line of [`${s.key} = ${row.value}`, `${s.key.toUpperCase()}: ${row.value}`]) {
      expect(row.read(loadConfig({ cwd: withIni(`[${s.section}]\n${line}\n`), env: {} }).config), line).toEqual(row.expected);
    }
    if (s.flag) expect(row.read(loadConfig({ cwd: fresh, env: {}, argv: [`--${s.flag}`, row.value] }).config), `--${s.flag}`).toEqual(row.expected);
  });

  it.each(entries)("%s: the ini value beats the variable, a flag beats both (genro-mail-proxy's precedence)", (name, row) => {
    const s = CONFIG_SOURCES[name];
    // the losing sources hold a value that would be refused: they are not even read
    const shadowed = row.invalid ?? 'shadowed';
    const cwd = withIni(`[${s.section}]\n${s.key} = ${row.value}\n`);
    expect(row.read(loadConfig({ cwd, env: { [s.env]: shadowed } }).config)).toEqual(row.expected);
    if (s.flag) {
      const overIni = withIni(`[${s.section}]\n${s.key} = ${shadowed}\n`);
      expect(row.read(loadConfig({ cwd: overIni, env: { [s.env]: shadowed }, argv: [`--${s.flag}`, row.value] }).config)).toEqual(row.expected);
    }
  });

  it.each(entries.filter(([, row]) => row.invalid !== undefined))('%s: an invalid value stops start-up naming where it came from', (name, row) => {
    const s = CONFIG_SOURCES[name];
    const invalid = row.invalid!;
    const fresh = tempDir('gmr-sources-');
    expect(() => loadConfig({ cwd: fresh, env: { [s.env]: invalid } })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: fresh, env: { [s.env]: invalid } })).toThrow(`invalid configuration: ${s.env}: `);
    expect(() => loadConfig({ cwd: withIni(`[${s.section}]\n${s.key} = ${invalid}\n`), env: {} })).toThrow(`invalid configuration: [${s.section}] ${s.key}: `);
    if (s.flag) expect(() => loadConfig({ cwd: fresh, env: {}, argv: [`--${s.flag}=${invalid}`] })).toThrow(`invalid configuration: --${s.flag}: `);
  });
});
