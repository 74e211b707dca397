import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesktopConfig, splitDesktopArgv } from '../../src/main/desktop-config.js';
import { tempDir } from '../support/common/temp-dir.js';

describe('desktop command line and configuration', () => {
  it('keeps relay flags, takes --hidden, drops Chromium switches and stray words', () => {
    const { relayArgv, switches } = splitDesktopArgv([
      '--no-sandbox',
      '--port',
      '9000',
      '--enable-logging=stderr',
      '--smtp-port=2525',
      '--hidden',
      '--data-dir',
      '/tmp/relay data',
      '-psn_0_12345',
      '--delivery-mode',
      'real',
    ]);
    expect(relayArgv).toEqual(['--port', '9000', '--smtp-port=2525', '--data-dir', '/tmp/relay data', '--delivery-mode', 'real']);
    expect(switches.hidden).toBe(true);
    expect(splitDesktopArgv([]).switches.hidden).toBe(false);
  });

  it('defaults the data folder to the per-user folder and reads GMP_* like serve', () => {
    const base = tempDir('gmr-config-');
    const userData = path.join(base, 'userData');
    const loaded = loadDesktopConfig({ argv: [], env: { GMP_PORT: '8123', GMP_DELIVERY_MODE: 'real' }, cwd: base, userDataDir: userData });
    expect(loaded.config.dataDir).toBe(userData);
    expect(loaded.config.dbPath).toBe(path.join(userData, 'mail_service.db'));
    expect(loaded.config.port).toBe(8123);
    expect(loaded.config.deliveryMode).toBe('real');
    // flags win over the environment, and a mode given as a flag wins over the one the UI saved
    const flagged = loadDesktopConfig({ argv: ['--delivery-mode', 'sandbox'], env: { GMP_DELIVERY_MODE: 'real' }, cwd: base, userDataDir: userData });
    expect(flagged.settingsOverrides).toEqual({ delivery_mode: 'sandbox' });
  });

  it('reads config.ini from the working directory, else from the per-user folder', () => {
    const base = tempDir('gmr-config-');
    const userData = path.join(base, 'userData');
    fs.mkdirSync(userData);
    fs.writeFileSync(path.join(userData, 'config.ini'), '[server]\nport = 8200\n');
    const fromUser = loadDesktopConfig({ argv: [], env: {}, cwd: base, userDataDir: userData });
    expect(fromUser.config.port).toBe(8200);
    expect(fromUser.configFile).toBe(path.join(userData, 'config.ini'));

    fs.writeFileSync(path.join(base, 'config.ini'), '[server]\nport = 8300\n');
    expect(loadDesktopConfig({ argv: [], env: {}, cwd: base, userDataDir: userData }).config.port).toBe(8300);
    expect(() => loadDesktopConfig({ argv: ['--port', 'eighty'], env: {}, cwd: base, userDataDir: userData })).toThrow(/--port/);
  });
});
