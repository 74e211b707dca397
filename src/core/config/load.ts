import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IniError, IniFile } from './ini.js';
import { apiTokenProblem } from './api-token.js';
import { describeIssues } from '../../shared/api/common.js';
import { emulationConfig, type EmulationConfig } from '../../shared/api/emulation.js';
import { defaultConfig, type DeliveryMode, type RelayConfig } from './types.js';
import type { RuntimeSettingsValues } from '../settings/runtime-settings.js';

/** Invalid configuration: start-up stops with a message naming the key. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`invalid configuration: ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** A setting's sources: genro-mail-proxy's config.ini key and GMP_* variable, and the relay's CLI flag. */
interface Source {
  section: string;
  key: string;
  env: string;
  flag?: string;
}

const S = (section: string, key: string, env: string, flag?: string): Source => ({ section, key, env, flag });

export const CONFIG_SOURCES = {
  dbPath: S('storage', 'db_path', 'GMP_DB_PATH', 'db-path'),
  dbUrl: S('storage', 'db_url', 'GMP_DB_URL', 'db-url'),
  dataDir: S('storage', 'data_dir', 'GMP_DATA_DIR', 'data-dir'),
  host: S('server', 'host', 'GMP_HOST', 'host'),
  port: S('server', 'port', 'GMP_PORT', 'port'),
  apiToken: S('server', 'api_token', 'GMP_API_TOKEN', 'api-token'),
  allowedHosts: S('server', 'allowed_hosts', 'GMP_ALLOWED_HOSTS'),
  secretsKeyFile: S('server', 'secrets_key_file', 'GMP_SECRETS_KEY_FILE'),
  bodyLimit: S('server', 'body_limit_bytes', 'GMP_BODY_LIMIT_BYTES', 'body-limit'),
  classicBodyLimit: S('server', 'classic_body_limit_bytes', 'GMP_CLASSIC_BODY_LIMIT_BYTES', 'classic-body-limit'),
  schedulerActive: S('scheduler', 'active', 'GMP_SCHEDULER_ACTIVE'),
  clientUrl: S('client', 'client_sync_url', 'GMP_CLIENT_SYNC_URL', 'client-sync-url'),
  clientUser: S('client', 'client_sync_user', 'GMP_CLIENT_SYNC_USER'),
  clientPassword: S('client', 'client_sync_password', 'GMP_CLIENT_SYNC_PASSWORD'),
  clientToken: S('client', 'client_sync_token', 'GMP_CLIENT_SYNC_TOKEN'),
  clientInterval: S('client', 'sync_interval_seconds', 'GMP_CLIENT_SYNC_INTERVAL', 'sync-interval'),
  clientAttachmentUrl: S('client', 'client_attachment_url', 'GMP_CLIENT_ATTACHMENT_URL'),
  clientFetchUrl: S('client', 'fetch_url', 'GMP_CLIENT_FETCH_URL', 'fetch-url'),
  sendInterval: S('delivery', 'send_interval_seconds', 'GMP_SEND_LOOP_INTERVAL'),
  testMode: S('delivery', 'test_mode', 'GMP_TEST_MODE'),
  defaultPriority: S('delivery', 'default_priority', 'GMP_DEFAULT_PRIORITY'),
  retention: S('delivery', 'delivery_report_retention_seconds', 'GMP_DELIVERY_REPORT_RETENTION_SECONDS'),
  batchSize: S('delivery', 'batch_size_per_account', 'GMP_BATCH_SIZE_PER_ACCOUNT'),
  deliveryMode: S('delivery', 'delivery_mode', 'GMP_DELIVERY_MODE', 'delivery-mode'),
  retryDelays: S('delivery', 'retry_delays', 'GMP_RETRY_DELAYS', 'retry-delays'),
  maxRetries: S('delivery', 'max_retries', 'GMP_MAX_RETRIES', 'max-retries'),
  retryLifetime: S('delivery', 'retry_lifetime_seconds', 'GMP_RETRY_LIFETIME_SECONDS'),
  maxConcurrency: S('delivery', 'max_concurrency', 'GMP_MAX_CONCURRENCY', 'max-concurrency'),
  maxPerAccount: S('delivery', 'max_per_account', 'GMP_MAX_PER_ACCOUNT'),
  messagesPerConnection: S('delivery', 'messages_per_connection', 'GMP_MESSAGES_PER_CONNECTION'),
  maxRecipients: S('delivery', 'max_recipients', 'GMP_MAX_RECIPIENTS'),
  leaseSeconds: S('delivery', 'lease_seconds', 'GMP_LEASE_SECONDS', 'lease-seconds'),
  smtpHost: S('sandbox', 'smtp_host', 'GMP_SMTP_HOST', 'smtp-host'),
  smtpPort: S('sandbox', 'smtp_port', 'GMP_SMTP_PORT', 'smtp-port'),
  smtpMaxSize: S('sandbox', 'max_size', 'GMP_SMTP_MAX_SIZE', 'smtp-max-size'),
  smtpMaxClients: S('sandbox', 'max_clients', 'GMP_SMTP_MAX_CLIENTS'),
  smtpMaxRecipients: S('sandbox', 'max_recipients', 'GMP_SMTP_MAX_RECIPIENTS'),
  sinkRetentionCount: S('sandbox', 'retention_count', 'GMP_SINK_RETENTION_COUNT'),
  sinkRetentionAge: S('sandbox', 'retention_age_seconds', 'GMP_SINK_RETENTION_AGE_SECONDS'),
  emulationRules: S('sandbox', 'emulation_rules', 'GMP_EMULATION_RULES'),
  s3Endpoint: S('attachments', 's3_endpoint', 'GMP_S3_ENDPOINT'),
  s3Region: S('attachments', 's3_region', 'GMP_S3_REGION'),
  s3AccessKey: S('attachments', 's3_access_key_id', 'GMP_S3_ACCESS_KEY_ID'),
  s3SecretKey: S('attachments', 's3_secret_access_key', 'GMP_S3_SECRET_ACCESS_KEY'),
  attachmentTimeout: S('attachments', 'timeout_seconds', 'GMP_ATTACHMENT_TIMEOUT'),
  attachmentMaxBytes: S('attachments', 'max_bytes', 'GMP_ATTACHMENT_MAX_BYTES'),
  attachmentAllowPrivate: S('attachments', 'allow_private_networks', 'GMP_ATTACHMENT_ALLOW_PRIVATE_NETWORKS'),
  attachmentCacheMaxBytes: S('attachments', 'cache_max_bytes', 'GMP_ATTACHMENT_CACHE_MAX_BYTES'),
  attachmentCacheMaxAge: S('attachments', 'cache_max_age_seconds', 'GMP_ATTACHMENT_CACHE_MAX_AGE_SECONDS'),
  logLevel: S('logging', 'level', 'GMP_LOG_LEVEL', 'log-level'),
  logDelivery: S('logging', 'delivery_activity', 'GMP_LOG_DELIVERY_ACTIVITY'),
  linkCheckPrivate: S('sandbox', 'link_check_private', 'GMP_LINK_CHECK_PRIVATE'),
} as const;

type SourceName = keyof typeof CONFIG_SOURCES;

export interface LoadConfigInput {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** base directory for relative paths and the default data dir */
  cwd?: string;
  /** default data directory when none is configured (headless: ./data; desktop: the per-user folder) */
  defaultDataDir?: string;
}

export interface LoadedConfig {
  config: RelayConfig;
  /** runtime settings given as CLI flags for this run (they win over values persisted by the UI) */
  settingsOverrides: Partial<RuntimeSettingsValues>;
  /** the config.ini that was read, if any */
  configFile: string | null;
  /** CLI arguments that are not options */
  positionals: string[];
}

const FLAG_OPTIONS = Object.fromEntries(
  Object.values(CONFIG_SOURCES)
    .filter((s) => s.flag)
    .map((s) => [s.flag!, { type: 'string' as const }]),
);

function readIni(file: string): IniFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('config', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return IniFile.parse(text);
  } catch (err) {
    if (err instanceof IniError) throw new ConfigError(`${file} ${err.where}`, err.message);
    throw err;
  }
}

/** A value of the ini, interpolated; an uninterpolatable one stops start-up naming its key. */
function iniValue(ini: IniFile | null, section: string, key: string): string | undefined {
  try {
    return ini?.get(section, key);
  } catch (err) {
    if (err instanceof IniError) throw new ConfigError(err.where, err.message);
    throw err;
  }
}

/**
 * `[sandbox] emulation_rules`: the rule set as JSON (or only its `rules` array), inline or in the
 * file it names (relative to the working directory); refused at start naming the rule's field.
 */
function emulationFromConfig(key: string, value: string, cwd: string): EmulationConfig {
  let text = value;
  if (!/^[[{]/.test(value)) {
    try {
      text = fs.readFileSync(path.resolve(cwd, value), 'utf8');
    } catch (err) {
      throw new ConfigError(key, `cannot read ${value}: ${(err as Error).message}`);
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(key, `invalid JSON: ${(err as Error).message}`);
  }
  const r = emulationConfig.safeParse(Array.isArray(data) ? { rules: data } : data);
  if (!r.success) throw new ConfigError(key, describeIssues(r.error));
  return r.data;
}

/** `[server] allowed_hosts`: comma-separated host names (no port), lower-cased. */
function parseAllowedHosts(key: string, value: string): string[] {
  const names = value.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const bad = names.find((h) => !/^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)$/.test(h));
  if (bad !== undefined) throw new ConfigError(key, `expected comma-separated host names without port, got ${JSON.stringify(bad)}`);
  return names;
}

/**
 * Resolves the configuration: CLI flag > config.ini value > GMP_* variable > default
 * (genro-mail-proxy's precedence, ini over env, with flags over both).
 */
export function loadConfig(input: LoadConfigInput = {}): LoadedConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  let parsed;
  try {
    parsed = parseArgs({
      args: input.argv ?? [],
      options: { ...FLAG_OPTIONS, config: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError('arguments', (err as Error).message);
  }
  const flags = parsed.values as Record<string, string | undefined>;

  const explicitConfig = flags.config ?? env.GMP_CONFIG;
  const configPath = path.resolve(cwd, explicitConfig ?? 'config.ini');
  let iniData: IniFile | null = null;
  let configFile: string | null = null;
  if (fs.existsSync(configPath)) {
    iniData = readIni(configPath);
    configFile = configPath;
  } else if (explicitConfig) {
    throw new ConfigError(flags.config ? '--config' : 'GMP_CONFIG', `file not found: ${configPath}`);
  }

  const origin = (name: SourceName): { value: string; key: string; fromFlag: boolean } | undefined => {
    const s = CONFIG_SOURCES[name];
    if (s.flag && flags[s.flag] !== undefined) return { value: flags[s.flag]!, key: `--${s.flag}`, fromFlag: true };
    const fromIni = iniValue(iniData, s.section, s.key);
    if (fromIni !== undefined && fromIni.trim() !== '') return { value: fromIni.trim(), key: `[${s.section}] ${s.key}`, fromFlag: false };
    const envValue = env[s.env];
    if (envValue !== undefined && envValue.trim() !== '') return { value: envValue.trim(), key: s.env, fromFlag: false };
    return undefined;
  };
  const str = (name: SourceName) => origin(name)?.value;
  const int = (name: SourceName, min: number, max: number): number | undefined => {
    const o = origin(name);
    if (!o) return undefined;
    if (!/^-?\d+$/.test(o.value)) throw new ConfigError(o.key, `expected an integer, got ${JSON.stringify(o.value)}`);
    const n = Number(o.value);
    if (n < min || n > max) throw new ConfigError(o.key, `must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  const num = (name: SourceName, min: number): number | undefined => {
    const o = origin(name);
    if (!o) return undefined;
    const n = Number(o.value);
    if (!Number.isFinite(n) || n < min) throw new ConfigError(o.key, `expected a number >= ${min}, got ${JSON.stringify(o.value)}`);
    return n;
  };
  const bool = (name: SourceName): boolean | undefined => {
    const o = origin(name);
    if (!o) return undefined;
    const v = o.value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(o.key, `expected true/false, got ${JSON.stringify(o.value)}`);
  };
  const expand = (p: string) => path.resolve(cwd, p.startsWith('~') ? path.join(os.homedir(), p.slice(1)) : p);

  const dataDir = expand(str('dataDir') ?? input.defaultDataDir ?? './data');
  const c = defaultConfig(dataDir);
  c.dbPath = str('dbPath') ? expand(str('dbPath')!) : path.join(dataDir, 'mail_service.db');
  const dbUrl = origin('dbUrl');
  if (dbUrl) {
    // the key names where the value came from; the value itself may hold a password and is not echoed
    if (!/^postgres(ql)?:\/\/[^\s]+$/i.test(dbUrl.value)) throw new ConfigError(dbUrl.key, 'expected a postgres:// or postgresql:// URL');
    c.dbUrl = dbUrl.value;
  }
  c.host = str('host') ?? c.host;
  c.port = int('port', 0, 65535) ?? c.port;
  const token = origin('apiToken');
  if (token) {
    const problem = apiTokenProblem(token.value);
    if (problem) throw new ConfigError(token.key, problem);
  }
  c.apiToken = token?.value ?? null;
  const hosts = origin('allowedHosts');
  if (hosts) c.allowedHosts = parseAllowedHosts(hosts.key, hosts.value);
  c.secretsKeyFile = str('secretsKeyFile') ? expand(str('secretsKeyFile')!) : null;
  c.http.bodyLimitBytes = int('bodyLimit', 1024, 1024 * 1024 * 1024) ?? c.http.bodyLimitBytes;
  c.http.classicBodyLimitBytes = int('classicBodyLimit', 1024, 1024 * 1024 * 1024) ?? c.http.classicBodyLimitBytes;
  c.client.url = str('clientUrl') ?? null;
  if (c.client.url && !/^https?:\/\//i.test(c.client.url))
    throw new ConfigError(origin('clientUrl')!.key, 'must be an http(s) URL');
  c.client.user = str('clientUser') ?? null;
  c.client.password = str('clientPassword') ?? null;
  c.client.token = str('clientToken') ?? null;
  c.client.intervalSeconds = int('clientInterval', 1, 86400) ?? c.client.intervalSeconds;
  c.client.attachmentUrl = str('clientAttachmentUrl') ?? null;
  if (c.client.attachmentUrl && !/^https?:\/\//i.test(c.client.attachmentUrl))
    throw new ConfigError(origin('clientAttachmentUrl')!.key, 'must be an http(s) URL');
  c.client.fetchUrl = str('clientFetchUrl') ?? null;
  if (c.client.fetchUrl && !/^https?:\/\//i.test(c.client.fetchUrl))
    throw new ConfigError(origin('clientFetchUrl')!.key, 'must be an http(s) URL');
  c.schedulerActive = bool('schedulerActive') ?? c.client.url !== null;
  c.sendLoopIntervalSeconds = Math.max(0.05, num('sendInterval', 0) ?? c.sendLoopIntervalSeconds);
  c.testMode = bool('testMode') ?? false;
  const priority = str('defaultPriority');
  if (priority !== undefined) {
    const labels: Record<string, 0 | 1 | 2 | 3> = { immediate: 0, high: 1, medium: 2, low: 3 };
    const p = labels[priority.toLowerCase()] ?? (/^\d+$/.test(priority) ? Math.min(3, Number(priority)) : undefined);
    if (p === undefined) throw new ConfigError(origin('defaultPriority')!.key, `expected 0-3 or immediate/high/medium/low, got ${JSON.stringify(priority)}`);
    c.defaultPriority = p as 0 | 1 | 2 | 3;
  }
  c.retentionSeconds = int('retention', -1, 100 * 365 * 86400) ?? c.retentionSeconds;
  c.batchSizePerAccount = int('batchSize', 1, 100000) ?? c.batchSizePerAccount;
  const mode = str('deliveryMode');
  if (mode !== undefined) {
    if (mode !== 'sandbox' && mode !== 'real') throw new ConfigError(origin('deliveryMode')!.key, `expected sandbox or real, got ${JSON.stringify(mode)}`);
    c.deliveryMode = mode as DeliveryMode;
  }
  const delays = origin('retryDelays');
  if (delays) {
    const parts = delays.value.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0))
      throw new ConfigError(delays.key, `expected comma-separated positive seconds, got ${JSON.stringify(delays.value)}`);
    c.delivery.retryDelays = parts.map(Number);
  }
  c.delivery.maxRetries = int('maxRetries', 0, 1000) ?? c.delivery.maxRetries;
  c.delivery.retryLifetimeSeconds = int('retryLifetime', 0, 365 * 86400) ?? c.delivery.retryLifetimeSeconds;
  c.delivery.maxConcurrency = int('maxConcurrency', 1, 1000) ?? c.delivery.maxConcurrency;
  c.delivery.maxPerAccount = int('maxPerAccount', 1, 1000) ?? c.delivery.maxPerAccount;
  c.delivery.messagesPerConnection = int('messagesPerConnection', 1, 1_000_000) ?? c.delivery.messagesPerConnection;
  c.delivery.maxRecipients = int('maxRecipients', 1, 1_000_000) ?? c.delivery.maxRecipients;
  c.delivery.leaseSeconds = int('leaseSeconds', 2, 86400) ?? c.delivery.leaseSeconds;
  c.smtpHost = str('smtpHost') ?? c.smtpHost;
  c.smtpPort = int('smtpPort', 0, 65535) ?? c.smtpPort;
  c.sink.maxSize = int('smtpMaxSize', 1024, 2 ** 31) ?? c.sink.maxSize;
  c.sink.maxClients = int('smtpMaxClients', 1, 100000) ?? c.sink.maxClients;
  c.sink.maxRecipients = int('smtpMaxRecipients', 1, 1_000_000) ?? c.sink.maxRecipients;
  c.sink.retentionCount = int('sinkRetentionCount', 1, 10_000_000) ?? c.sink.retentionCount;
  c.sink.retentionAgeSeconds = int('sinkRetentionAge', 0, 100 * 365 * 86400) ?? c.sink.retentionAgeSeconds;
  const rules = origin('emulationRules');
  if (rules) c.sink.emulation = emulationFromConfig(rules.key, rules.value, cwd);
  const s3 = c.attachments.s3;
  s3.endpoint = str('s3Endpoint') ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null;
  s3.region = str('s3Region') ?? env.AWS_REGION ?? s3.region;
  s3.accessKeyId = str('s3AccessKey') ?? env.AWS_ACCESS_KEY_ID ?? null;
  s3.secretAccessKey = str('s3SecretKey') ?? env.AWS_SECRET_ACCESS_KEY ?? null;
  const timeoutSeconds = num('attachmentTimeout', 0.1);
  if (timeoutSeconds !== undefined) c.attachments.timeoutMs = Math.round(timeoutSeconds * 1000);
  c.attachments.maxBytes = int('attachmentMaxBytes', 1, 2 ** 31) ?? c.attachments.maxBytes;
  c.attachments.allowPrivateNetworks = bool('attachmentAllowPrivate') ?? false;
  c.attachments.cacheMaxBytes = int('attachmentCacheMaxBytes', 0, Number.MAX_SAFE_INTEGER) ?? c.attachments.cacheMaxBytes;
  c.attachments.cacheMaxAgeSeconds = int('attachmentCacheMaxAge', 0, 100 * 365 * 86400) ?? c.attachments.cacheMaxAgeSeconds;
  const level = str('logLevel');
  if (level !== undefined) {
    const l = level.toLowerCase() === 'warning' ? 'warn' : level.toLowerCase();
    if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(l))
      throw new ConfigError(origin('logLevel')!.key, `unknown level ${JSON.stringify(level)}`);
    c.logLevel = l;
  }
  c.logDeliveryActivity = bool('logDelivery') ?? false;
  c.sink.linkCheckPrivate = bool('linkCheckPrivate') ?? false;

  const settingsOverrides: Partial<RuntimeSettingsValues> = {};
  if (origin('deliveryMode')?.fromFlag) settingsOverrides.delivery_mode = c.deliveryMode;
  if (origin('clientUrl')?.fromFlag) settingsOverrides.client_sync_url = c.client.url;
  if (origin('clientInterval')?.fromFlag) settingsOverrides.report_interval_seconds = c.client.intervalSeconds;

  return { config: c, settingsOverrides, configFile, positionals: parsed.positionals };
}
