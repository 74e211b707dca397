import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/core/config/load.js';
import { tempDir } from '../../support/common/temp-dir.js';

function withIni(content: string): string {
  const dir = tempDir('gmr-config-');
  fs.writeFileSync(path.join(dir, 'config.ini'), content);
  return dir;
}

describe('loadConfig', () => {
  it('uses defaults: loopback, port 8000, sink 1025, sandbox, ./data', () => {
    const cwd = tempDir();
    const { config } = loadConfig({ cwd, env: {} });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8000);
    expect(config.smtpPort).toBe(1025);
    expect(config.deliveryMode).toBe('sandbox');
    expect(config.dataDir).toBe(path.join(cwd, 'data'));
    expect(config.dbPath).toBe(path.join(cwd, 'data', 'mail_service.db'));
    expect(config.retentionSeconds).toBe(604800);
    expect(config.delivery.retryDelays).toEqual([60, 300, 900, 3600, 7200]);
  });

  it('reads a genro-mail-proxy config.ini unchanged', () => {
    const cwd = withIni(`
[storage]
db_path = ./mail.db
[server]
host = 0.0.0.0
port = 8100
api_token = secret-token-0123456789
[scheduler]
active = true
[client]
client_sync_url = http://genropy.local/email/mailproxy/mp_endpoint/proxy_sync
client_sync_user = syncuser
client_sync_password = syncpass
[delivery]
send_interval_seconds = 1
default_priority = 1
delivery_report_retention_seconds = 3600
batch_size_per_account = 20
[logging]
delivery_activity = yes
`);
    const { config, configFile } = loadConfig({ cwd, env: {} });
    expect(configFile).toBe(path.join(cwd, 'config.ini'));
    expect(config.dbPath).toBe(path.join(cwd, 'mail.db'));
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(8100);
    expect(config.apiToken).toBe('secret-token-0123456789');
    expect(config.schedulerActive).toBe(true);
    expect(config.client).toMatchObject({ url: 'http://genropy.local/email/mailproxy/mp_endpoint/proxy_sync', user: 'syncuser', password: 'syncpass' });
    expect(config.defaultPriority).toBe(1);
    expect(config.retentionSeconds).toBe(3600);
    expect(config.batchSizePerAccount).toBe(20);
    expect(config.logDeliveryActivity).toBe(true);
  });

  it("reads the original's config.ini.example unchanged (comments, commented-out keys, its values)", () => {
    // genro-mail-proxy's config.ini.example as the original shipped it (abridged comments)
    const cwd = withIni(`# genro-mail-proxy Configuration Example
# =======================================
#
# Configuration priority: INI file > Environment variables > Defaults

[storage]
# SQLite database path used by the service.
# Environment variable: GMP_DB_PATH
# Default: /data/mail_service.db
db_path = /tmp/mail_service.db

[server]
# HTTP server host address
# host = 0.0.0.0

# port = 8000

# API authentication token
# Secures the FastAPI endpoints: every HTTP request must include X-API-Token: <value>
# api_token = your-api-token

[scheduler]
# Global on/off switch for the mail dispatcher
active = true

[client]
client_sync_url = http://127.0.0.1:8081/email/mailproxy/mp_endpoint/proxy_sync

# Client sync authentication - use either user/password OR token
client_sync_user = syncuser
client_sync_password = syncpass

# client_sync_token = mytoken  # use this instead of user/password when available

[delivery]
send_interval_seconds = 0.5
test_mode = false
default_priority = 2
delivery_report_retention_seconds = 604800
batch_size_per_account = 50

[logging]
# When true, each SMTP attempt and client sync exchange is logged to the console
delivery_activity = true
`);
    const { config } = loadConfig({ cwd, env: {} });
    expect(config.dbPath).toBe('/tmp/mail_service.db');
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8000);
    expect(config.apiToken).toBeNull();
    expect(config.schedulerActive).toBe(true);
    expect(config.client).toMatchObject({ url: 'http://127.0.0.1:8081/email/mailproxy/mp_endpoint/proxy_sync', user: 'syncuser', password: 'syncpass', token: null });
    expect(config.sendLoopIntervalSeconds).toBe(0.5);
    expect(config.testMode).toBe(false);
    expect(config.defaultPriority).toBe(2);
    expect(config.retentionSeconds).toBe(604800);
    expect(config.batchSizePerAccount).toBe(50);
    expect(config.logDeliveryActivity).toBe(true);
  });

  it('reads config.ini as configparser does: "key: value" lines, %% for a percent sign, continuation lines', () => {
    const cwd = withIni('[server]\nport: 8100\nAPI_TOKEN : 100%%-secret-0123456789\n[client]\nclient_sync_password=p%%ss\n[delivery]\nretry_delays = 30,\n  60,\n  120\n');
    const { config } = loadConfig({ cwd, env: {} });
    expect(config.port).toBe(8100);
    expect(config.apiToken).toBe('100%-secret-0123456789');
    expect(config.client.password).toBe('p%ss');
    expect(config.delivery.retryDelays).toEqual([30, 60, 120]);
  });

  it('stops on a line configparser refuses or a value it cannot interpolate, naming the file line or the key', () => {
    const bad = withIni('[server]\nport = 8100\nthis line has no delimiter\n');
    expect(() => loadConfig({ cwd: bad, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: bad, env: {} })).toThrow(`invalid configuration: ${path.join(bad, 'config.ini')} line 3: expected "key = value" or "key: value"`);
    const percent = withIni('[server]\napi_token = 50%off\n');
    expect(() => loadConfig({ cwd: percent, env: {} })).toThrow(/invalid configuration: \[server\] api_token: '%' must be followed by '%'/);
  });

  it('precedence: ini over env over default, flags over both', () => {
    const cwd = withIni('[server]\nport = 8100\n');
    const env = { GMP_PORT: '8200', GMP_HOST: '127.0.0.2', GMP_API_TOKEN: 'env-token-0123456789' };
    const fromIni = loadConfig({ cwd, env });
    expect(fromIni.config.port).toBe(8100);
    expect(fromIni.config.host).toBe('127.0.0.2');
    expect(fromIni.config.apiToken).toBe('env-token-0123456789');
    const fromFlag = loadConfig({ cwd, env, argv: ['--port', '0', '--api-token', 'flag-token-0123456789', '--delivery-mode', 'real'] });
    expect(fromFlag.config.port).toBe(0);
    expect(fromFlag.config.apiToken).toBe('flag-token-0123456789');
    expect(fromFlag.settingsOverrides).toEqual({ delivery_mode: 'real' });
  });

  it('refuses an API token shorter than 16 characters, wherever it comes from, naming the source', () => {
    const cwd = tempDir();
    expect(() => loadConfig({ cwd, env: { GMP_API_TOKEN: 'change-me' } })).toThrow(
      'invalid configuration: GMP_API_TOKEN: the API token must be at least 16 characters, got 9',
    );
    expect(() => loadConfig({ cwd, env: {}, argv: ['--api-token', 'fifteen-chars!!'] })).toThrow(/--api-token: .*at least 16/);
    expect(() => loadConfig({ cwd: withIni('[server]\napi_token = short\n'), env: {} })).toThrow(/\[server\] api_token: .*at least 16/);
    expect(loadConfig({ cwd, env: { GMP_API_TOKEN: 'sixteen-chars!!!' } }).config.apiToken).toBe('sixteen-chars!!!');
  });

  it('finds the ini through GMP_CONFIG or --config, and fails when a named file is missing', () => {
    const dir = withIni('[server]\nport = 8300\n');
    const file = path.join(dir, 'config.ini');
    expect(loadConfig({ cwd: tempDir(), env: { GMP_CONFIG: file } }).config.port).toBe(8300);
    expect(loadConfig({ cwd: tempDir(), env: {}, argv: ['--config', file] }).config.port).toBe(8300);
    expect(() => loadConfig({ cwd: tempDir(), env: { GMP_CONFIG: '/nope/config.ini' } })).toThrow(/GMP_CONFIG: file not found/);
  });

  it('reads every documented GMP_* variable', () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        GMP_DB_PATH: '/tmp/x.db',
        GMP_CLIENT_SYNC_URL: 'https://app/sync',
        GMP_CLIENT_SYNC_TOKEN: 'tok',
        GMP_SCHEDULER_ACTIVE: 'off',
        GMP_SEND_LOOP_INTERVAL: '0.01',
        GMP_TEST_MODE: '1',
        GMP_DEFAULT_PRIORITY: 'low',
        GMP_DELIVERY_REPORT_RETENTION_SECONDS: '0',
        GMP_BATCH_SIZE_PER_ACCOUNT: '5',
        GMP_LOG_DELIVERY_ACTIVITY: 'true',
        GMP_LOG_LEVEL: 'WARNING',
        GMP_RETRY_DELAYS: '1,2,3',
        GMP_MESSAGES_PER_CONNECTION: '250',
      },
    });
    expect(config.dbPath).toBe('/tmp/x.db');
    expect(config.client.url).toBe('https://app/sync');
    expect(config.client.token).toBe('tok');
    expect(config.schedulerActive).toBe(false);
    expect(config.sendLoopIntervalSeconds).toBe(0.05);
    expect(config.testMode).toBe(true);
    expect(config.defaultPriority).toBe(3);
    expect(config.retentionSeconds).toBe(0);
    expect(config.batchSizePerAccount).toBe(5);
    expect(config.logLevel).toBe('warn');
    expect(config.delivery.retryDelays).toEqual([1, 2, 3]);
    expect(config.delivery.messagesPerConnection).toBe(250);
  });

  it('stops on invalid values, naming the key', () => {
    const cases: [Parameters<typeof loadConfig>[0], RegExp][] = [
      [{ env: { GMP_PORT: 'eighty' } }, /GMP_PORT: expected an integer/],
      [{ env: { GMP_PORT: '70000' } }, /GMP_PORT: must be between 0 and 65535/],
      [{ env: { GMP_SCHEDULER_ACTIVE: 'maybe' } }, /GMP_SCHEDULER_ACTIVE: expected true\/false/],
      [{ argv: ['--delivery-mode', 'live'] }, /--delivery-mode: expected sandbox or real/],
      [{ argv: ['--retry-delays', '60,x'] }, /--retry-delays: expected comma-separated/],
      [{ argv: ['--no-such-flag'] }, /arguments:/],
      [{ env: { GMP_MESSAGES_PER_CONNECTION: '0' } }, /GMP_MESSAGES_PER_CONNECTION: must be between 1/],
      [{ env: { GMP_CLIENT_SYNC_URL: 'genropy.local/sync' } }, /GMP_CLIENT_SYNC_URL: must be an http\(s\) URL/],
    ];
    for (const [input, re] of cases) {
      expect(() => loadConfig({ cwd: tempDir(), env: {}, ...input })).toThrow(ConfigError);
      expect(() => loadConfig({ cwd: tempDir(), env: {}, ...input })).toThrow(re);
    }
    const cwd = withIni('[server]\nport = abc\n');
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/\[server\] port: expected an integer/);
  });
});
