import { createRelay, type Relay, type RelayOptions } from '../../../src/core/relay.js';
import { defaultConfig, type RelayConfig } from '../../../src/core/config/types.js';
import { silentLogger } from '../../../src/core/logger.js';
import { tempDir } from '../common/temp-dir.js';

export const TEST_TOKEN = 'test-token-0123456789';

export interface TestRelay {
  relay: Relay;
  url: string;
  token: string;
  dataDir: string;
  /** fetch against the relay with the token set */
  api: (p: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
  stop: () => Promise<void>;
}

export type ConfigPatch = Partial<Omit<RelayConfig, 'delivery' | 'client' | 'attachments' | 'sink' | 'http'>> & {
  delivery?: Partial<RelayConfig['delivery']>;
  client?: Partial<RelayConfig['client']>;
  attachments?: Partial<RelayConfig['attachments']>;
  sink?: Partial<RelayConfig['sink']>;
  http?: Partial<RelayConfig['http']>;
};

export function testConfig(dataDir: string, patch: ConfigPatch = {}): RelayConfig {
  const base = defaultConfig(dataDir);
  return {
    ...base,
    port: 0,
    smtpPort: 0,
    apiToken: TEST_TOKEN,
    ...patch,
    delivery: { ...base.delivery, ...patch.delivery },
    client: { ...base.client, ...patch.client },
    attachments: { ...base.attachments, ...patch.attachments },
    sink: { ...base.sink, ...patch.sink },
    http: { ...base.http, ...patch.http },
  };
}

/** Starts a real relay (real SQLite file in a temp dir, HTTP and SMTP on 127.0.0.1, free ports). */
export async function startTestRelay(
  patch: ConfigPatch = {},
  opts: Omit<RelayOptions, 'config'> & { dataDir?: string } = {},
): Promise<TestRelay> {
  const dataDir = opts.dataDir ?? tempDir();
  const relay = await createRelay({ logger: silentLogger(), ...opts, config: testConfig(dataDir, patch) });
  const addr = await relay.start();
  const api = (p: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('X-API-Token') && !headers.has('Authorization')) headers.set('X-API-Token', relay.token);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(addr.url + p, { ...init, headers, body });
  };
  return { relay, url: addr.url, token: relay.token, dataDir, api, stop: () => relay.stop() };
}
