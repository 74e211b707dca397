import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesktopConfig, splitDesktopArgv } from '../../src/main/desktop-config.js';
import { createLoginItem } from '../../src/main/login-item.js';
import { ELECTRON_NATIVE_DIR, findElectronNativeBinding, isAbiMismatch, NATIVE_BINARY, NATIVE_INFO } from '../../src/main/native-binding.js';
import { resolveRendererFile } from '../../src/main/renderer-protocol.js';
import { tempDir } from '../support/relay/test-relay.js';
import { FakeApp } from '../support/main/fakes.js';

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

describe('Electron-ABI better-sqlite3 lookup', () => {
  const runtime = { electron: '45.4.1', modules: '150', platform: 'linux', arch: 'x64' };

  function project(info?: object): string {
    const root = tempDir('gmr-native-');
    if (info) {
      const dir = path.join(root, ELECTRON_NATIVE_DIR);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, NATIVE_BINARY), 'binary');
      fs.writeFileSync(path.join(dir, NATIVE_INFO), JSON.stringify(info));
    }
    return root;
  }

  it('uses the copy built for this Electron', () => {
    const root = project(runtime);
    expect(findElectronNativeBinding(root, runtime)).toEqual({ path: path.join(root, ELECTRON_NATIVE_DIR, NATIVE_BINARY) });
  });

  it('ignores a missing, undescribed or mismatched copy, saying why', () => {
    expect(findElectronNativeBinding(project(), runtime)).toMatchObject({ path: undefined, reason: expect.stringContaining('no ') });
    const stale = findElectronNativeBinding(project({ ...runtime, electron: '44.0.0', modules: '145' }), runtime);
    expect(stale).toMatchObject({ path: undefined, reason: expect.stringContaining('Electron 44.0.0') });
    expect(findElectronNativeBinding(project({ ...runtime, arch: 'arm64' }), runtime).path).toBeUndefined();
    const root = project(runtime);
    fs.rmSync(path.join(root, ELECTRON_NATIVE_DIR, NATIVE_INFO));
    expect(findElectronNativeBinding(root, runtime)).toMatchObject({ path: undefined, reason: expect.stringContaining(NATIVE_INFO) });
  });

  it('recognises the ABI mismatch error better-sqlite3 throws', () => {
    const err = new Error(
      "The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 150.",
    );
    expect(isAbiMismatch(err)).toBe(true);
    expect(isAbiMismatch(new Error('SQLITE_CANTOPEN'))).toBe(false);
  });
});

describe('start at login', () => {
  it('uses the OS login items on macOS and Windows', () => {
    const app = new FakeApp(tempDir());
    app.isPackaged = true;
    const item = createLoginItem({ app, platform: 'win32', execPath: 'C:\\Apps\\relay.exe', autostartDir: 'unused' })!;
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(app.loginItem).toMatchObject({ openAtLogin: true, path: 'C:\\Apps\\relay.exe', args: ['--hidden'] });
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
  });

  it('writes an XDG autostart entry on Linux', () => {
    const base = tempDir();
    const app = new FakeApp(base);
    app.isPackaged = true;
    const dir = path.join(base, 'autostart');
    const item = createLoginItem({ app, platform: 'linux', execPath: '/home/u/Apps/Genro Mail Relay.AppImage', autostartDir: dir })!;
    item.setEnabled(true);
    const entry = fs.readFileSync(path.join(dir, 'genro-mail-relay.desktop'), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/home/u/Apps/Genro Mail Relay.AppImage" --hidden');
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
    expect(createLoginItem({ app, platform: 'aix', execPath: 'x', autostartDir: dir })).toBeNull();
  });
});

describe('app://renderer file resolution', () => {
  const root = path.resolve('/srv/out/renderer');

  it('maps URLs into the renderer folder, routes to index.html, refuses other hosts', () => {
    expect(resolveRendererFile(root, 'app://renderer/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://renderer/')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://renderer/assets/index-abc.js')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveRendererFile(root, 'app://renderer/captured/42')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://other/index.html')).toBeNull();
    expect(resolveRendererFile(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveRendererFile(root, 'app://renderer/%E0%A4%A')).toBeNull();
    expect(resolveRendererFile(root, 'app://renderer/a%00.js')).toBeNull();
  });

  it('never leaves the folder', () => {
    for (const url of ['app://renderer/../../etc/passwd', 'app://renderer/%2e%2e/%2e%2e/etc/passwd.txt', 'app://renderer/a/..%2f..%2f..%2fx.js']) {
      const file = resolveRendererFile(root, url);
      expect(file === null || file.startsWith(root + path.sep)).toBe(true);
    }
  });
});
