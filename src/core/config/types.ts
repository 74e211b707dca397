import { EMULATION_OFF, type EmulationConfig } from '../../shared/api/emulation.js';
/** The relay's resolved configuration (config.ini + GMP_* env + CLI flags + defaults). */
export type DeliveryMode = 'sandbox' | 'real';

export interface ClientSyncConfig {
  url: string | null;
  user: string | null;
  password: string | null;
  token: string | null;
  /** heartbeat / fallback interval between syncs, seconds */
  intervalSeconds: number;
  /** max items per delivery_report POST */
  batchSize: number;
  /** proxy_sync timeout, ms: above Genropy's 60 s add-messages wait, which runs inside the sync */
  timeoutMs: number;
  /** the default tenant's attachment endpoint; null: derived from `url` when it ends with /proxy_sync */
  attachmentUrl: string | null;
  /** pull mode: the application's base URL of /fetch-messages and /delivery-report; null: off */
  fetchUrl: string | null;
}

export interface S3Config {
  endpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

export interface RelayConfig {
  host: string;
  /** HTTP API + web UI port; 0 picks a free port */
  port: number;
  smtpHost: string;
  /** sandbox sink port; 0 picks a free port */
  smtpPort: number;
  dataDir: string;
  dbPath: string;
  /** postgres://… : the queue lives in PostgreSQL instead of the SQLite file dbPath (issue #19); null: SQLite */
  dbUrl: string | null;
  /** null: generated on first start and kept in the data directory */
  apiToken: string | null;
  /** Host header names accepted besides the loopback ones (DNS rebinding guard); lower-case, no port */
  allowedHosts: string[];
  /** a key file that encrypts account and sync passwords at rest (AES-GCM); null: stored as given */
  secretsKeyFile: string | null;
  deliveryMode: DeliveryMode;
  /** genro-mail-proxy [scheduler] active: gates the report loop (default: active when a sync URL is set) */
  schedulerActive: boolean;
  /** genro-mail-proxy [delivery] test_mode: loops advance only when woken */
  testMode: boolean;
  defaultPriority: 0 | 1 | 2 | 3;
  /** purge reported final messages after this many seconds (<= 0 disables) */
  retentionSeconds: number;
  batchSizePerAccount: number;
  /** kept for config compatibility; dispatch is event-driven and never polls */
  sendLoopIntervalSeconds: number;
  logLevel: string;
  logDeliveryActivity: boolean;
  client: ClientSyncConfig;
  delivery: {
    /** retry delays in seconds; the last one repeats */
    retryDelays: number[];
    /** maximum number of retries after the first attempt */
    maxRetries: number;
    /** 0..1 random spread applied to each delay */
    retryJitter: number;
    /** give up after this many seconds since the first attempt (0 = no cap) */
    retryLifetimeSeconds: number;
    maxConcurrency: number;
    maxPerAccount: number;
    leaseSeconds: number;
    sendTimeoutMs: number;
    connectTimeoutMs: number;
    /** close idle pools after this many ms */
    poolIdleMs: number;
    /**
     * messages sent over one pooled connection before it is replaced. Exim's server-side default is
     * 1,000 (smtp_accept_max_per_connection); Postfix's client has no count limit. Each reconnect to a
     * real server costs a TLS handshake and AUTH.
     */
    messagesPerConnection: number;
    /** recipients (to, cc and bcc) of one message */
    maxRecipients: number;
  };
  attachments: {
    timeoutMs: number;
    maxBytes: number;
    s3: S3Config;
    /** attachment URLs may reach loopback, private and link-local addresses (off: refused) */
    allowPrivateNetworks: boolean;
    /** the endpoint attachment cache (<dataDir>/attachment-cache): total size and age of its files */
    cacheMaxBytes: number;
    cacheMaxAgeSeconds: number;
  };
  sink: {
    maxSize: number;
    maxClients: number;
    /** RCPT TO per sink transaction (452 beyond) */
    maxRecipients: number;
    retentionCount: number;
    /** 0 = no age limit */
    retentionAgeSeconds: number;
    /** provider emulation rules from config.ini (rules saved through the API win) */
    emulation: EmulationConfig;
    /** the captured-mail link check may request loopback, private and link-local addresses (off: refused) */
    linkCheckPrivate?: boolean;
  };
  http: {
    /** the relay's own routes (/api/*) */
    bodyLimitBytes: number;
    /** the genro-mail-proxy routes: a 1,000-message add-messages of Genropy's is ~14 MB of JSON */
    classicBodyLimitBytes: number;
  };
}

export const DEFAULT_RETRY_DELAYS = [60, 300, 900, 3600, 7200];

export function defaultConfig(dataDir = './data'): RelayConfig {
  return {
    host: '127.0.0.1',
    port: 8000,
    smtpHost: '127.0.0.1',
    smtpPort: 1025,
    dataDir,
    dbPath: `${dataDir}/mail_service.db`,
    dbUrl: null,
    apiToken: null,
    allowedHosts: [],
    secretsKeyFile: null,
    deliveryMode: 'sandbox',
    schedulerActive: false,
    testMode: false,
    defaultPriority: 2,
    retentionSeconds: 604800,
    batchSizePerAccount: 50,
    sendLoopIntervalSeconds: 0.5,
    logLevel: 'info',
    logDeliveryActivity: false,
    client: { url: null, user: null, password: null, token: null, intervalSeconds: 300, batchSize: 1000, timeoutMs: 120_000, attachmentUrl: null, fetchUrl: null },
    delivery: {
      retryDelays: [...DEFAULT_RETRY_DELAYS],
      maxRetries: 5,
      retryJitter: 0.1,
      retryLifetimeSeconds: 5 * 86400,
      maxConcurrency: 10,
      maxPerAccount: 3,
      leaseSeconds: 120,
      sendTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      poolIdleMs: 300_000,
      messagesPerConnection: 1000,
      maxRecipients: 1000,
    },
    attachments: {
      timeoutMs: 30_000,
      maxBytes: 25 * 1024 * 1024,
      s3: { endpoint: null, region: 'us-east-1', accessKeyId: null, secretAccessKey: null, forcePathStyle: true },
      allowPrivateNetworks: false,
      cacheMaxBytes: 256 * 1024 * 1024,
      cacheMaxAgeSeconds: 7 * 86400,
    },
    sink: { maxSize: 25 * 1024 * 1024, maxClients: 50, maxRecipients: 1000, retentionCount: 5000, retentionAgeSeconds: 0, emulation: EMULATION_OFF },
    http: { bodyLimitBytes: 10 * 1024 * 1024, classicBodyLimitBytes: 64 * 1024 * 1024 },
  };
}
