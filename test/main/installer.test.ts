import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ID } from '../../src/main/desktop-app.js';
import { tempDir } from '../support/common/temp-dir.js';
import { PROJECT_ROOT } from '../support/common/paths.js';

const require = createRequire(path.join(PROJECT_ROOT, 'package.json'));

interface Fuses {
  FuseV1Options: Record<string, number>;
  getCurrentFuseWire(p: string): Promise<Record<number, number>>;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(b.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('installer configuration', () => {
  it('electron-builder.yml passes electron-builder’s own schema validation', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    const config = await getConfig(PROJECT_ROOT, null, null);
    await validateConfiguration(config, new DebugLogger(false));
    // Windows attributes notifications to the installer's appId
    expect(config.appId).toBe(APP_ID);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target[0].target).toBe('nsis');
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    expect(fs.existsSync(path.join(PROJECT_ROOT, config.afterPack))).toBe(true);
  });

  it('ships icons for the installers and every tray state', () => {
    expect(pngSize(path.join(PROJECT_ROOT, 'build', 'icon.png'))).toEqual({ width: 1024, height: 1024 });
    expect(pngSize(path.join(PROJECT_ROOT, 'resources', 'icon.png'))).toEqual({ width: 512, height: 512 });
    for (const state of ['sandbox', 'real', 'paused', 'failing']) {
      for (const variant of ['', 'Template']) {
        expect(pngSize(path.join(PROJECT_ROOT, 'resources', 'tray', `tray-${state}${variant}.png`))).toEqual({ width: 16, height: 16 });
        expect(pngSize(path.join(PROJECT_ROOT, 'resources', 'tray', `tray-${state}${variant}@2x.png`))).toEqual({ width: 32, height: 32 });
      }
    }
  });

  it('the afterPack hook flips the hardening fuses on the packaged binary', async () => {
    const fuses = require('@electron/fuses') as Fuses;
    const { FuseV1Options } = fuses;
    const afterPack = require(path.join(PROJECT_ROOT, 'scripts', 'after-pack.cjs')) as ((ctx: object) => Promise<void>) & { FUSES: Record<string, boolean> };
    // a stand-in executable: filler, the fuse sentinel, wire version 1, 8 fuses as Electron ships them
    const appOutDir = tempDir('gmr-pack-');
    const binary = path.join(appOutDir, 'genro-mail-relay');
    const shipped = '10110001'; // RunAsNode on, cookies off, NODE_OPTIONS on, inspect on, ..., file:// privileges on
    fs.writeFileSync(
      binary,
      Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 8]), Buffer.from(shipped), Buffer.alloc(64)]),
    );
    await afterPack({
      appOutDir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { executableName: 'genro-mail-relay', appInfo: { productFilename: 'Genro Mail Relay' } },
    });
    const wire = await fuses.getCurrentFuseWire(binary);
    const on = (name: string) => String.fromCharCode(wire[FuseV1Options[name]]);
    expect(on('RunAsNode')).toBe('0');
    expect(on('EnableCookieEncryption')).toBe('1');
    expect(on('EnableNodeOptionsEnvironmentVariable')).toBe('0');
    expect(on('EnableNodeCliInspectArguments')).toBe('0');
    expect(on('GrantFileProtocolExtraPrivileges')).toBe('0');
    expect(on('OnlyLoadAppFromAsar')).toBe('1');
    // left as shipped
    expect(on('EnableEmbeddedAsarIntegrityValidation')).toBe('0');
    expect(on('LoadBrowserProcessSpecificV8Snapshot')).toBe('0');
    expect(Object.keys(afterPack.FUSES).every((name) => name in FuseV1Options)).toBe(true);
  });

  it('names the packaged executable as electron-builder does on each platform', () => {
    const { electronBinaryPath } = require(path.join(PROJECT_ROOT, 'scripts', 'after-pack.cjs')) as { electronBinaryPath: (c: object) => string };
    const packager = { executableName: 'genro-mail-relay', appInfo: { productFilename: 'Genro Mail Relay' } };
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'linux', packager })).toBe(path.join('/o', 'genro-mail-relay'));
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(path.join('/o', 'Genro Mail Relay.exe'));
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe(path.join('/o', 'Genro Mail Relay.app'));
  });

  it('the CI workflow builds on the three hosted OSes', () => {
    const wf = fs.readFileSync(path.join(PROJECT_ROOT, '.github', 'workflows', 'installers.yml'), 'utf8');
    for (const os of ['ubuntu-latest', 'windows-latest', 'macos-latest']) expect(wf).toContain(`os: ${os}`);
    expect(wf).toContain('npm run dist --');
  });
});
