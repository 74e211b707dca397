import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createRelay } from '../../../src/core/relay.js';
import { tempDir } from '../../support/common/temp-dir.js';

interface Settings {
  delivery_mode: string;
  report_interval_seconds: number;
  client_sync_url: string | null;
}

/** Starts the relay as `relay serve` would in `cwd` (its config.ini, these flags), returns its settings as the API shows them. */
async function startAndRead(cwd: string, argv: string[], change?: Partial<Settings>): Promise<Settings> {
  const loaded = loadConfig({ cwd, env: {}, argv });
  const relay = await createRelay({ config: loaded.config, logger: silentLogger(), settingsOverrides: loaded.settingsOverrides });
  const { url } = await relay.start();
  try {
    const headers = { 'X-API-Token': 'ini-token-0123456789', 'Content-Type': 'application/json' };
    if (change) expect((await fetch(`${url}/api/settings`, { method: 'PATCH', headers, body: JSON.stringify(change) })).status).toBe(200);
    return (await (await fetch(`${url}/api/settings`, { headers })).json()) as Settings;
  } finally {
    await relay.stop();
  }
}

describe('configuration across restarts', () => {
  it('a setting saved from the UI beats config.ini at the next start; a flag beats the saved setting for its run only', async () => {
    const cwd = tempDir('gmr-precedence-');
    fs.writeFileSync(
      path.join(cwd, 'config.ini'),
      [
        '[storage]',
        `data_dir = ${path.join(cwd, 'data')}`,
        '[server]',
        'port = 0',
        'api_token = ini-token-0123456789',
        '[sandbox]',
        'smtp_port = 0',
        '[client]',
        'client_sync_url = http://127.0.0.1:9/from-ini',
        'sync_interval_seconds = 120',
        '[delivery]',
        'delivery_mode = sandbox',
        '',
      ].join('\n'),
    );
    const first = await startAndRead(cwd, [], { delivery_mode: 'real', report_interval_seconds: 30, client_sync_url: 'http://127.0.0.1:9/from-ui' });
    expect(first).toMatchObject({ delivery_mode: 'real', report_interval_seconds: 30, client_sync_url: 'http://127.0.0.1:9/from-ui' });

    // restarted on the same config.ini: what the UI saved wins over the file
    expect(await startAndRead(cwd, [])).toMatchObject({ delivery_mode: 'real', report_interval_seconds: 30, client_sync_url: 'http://127.0.0.1:9/from-ui' });

    // a flag wins over what the UI saved, for that run
    const flagged = await startAndRead(cwd, ['--delivery-mode', 'sandbox', '--sync-interval', '45', '--client-sync-url', 'http://127.0.0.1:9/from-flag']);
    expect(flagged).toMatchObject({ delivery_mode: 'sandbox', report_interval_seconds: 45, client_sync_url: 'http://127.0.0.1:9/from-flag' });

    // and is not saved: without it, the UI's setting is back
    expect(await startAndRead(cwd, [])).toMatchObject({ delivery_mode: 'real', report_interval_seconds: 30, client_sync_url: 'http://127.0.0.1:9/from-ui' });
  });
});
