import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELECTRON_NATIVE_DIR, findElectronNativeBinding, isAbiMismatch, NATIVE_BINARY, NATIVE_INFO } from '../../src/main/native-binding.js';
import { tempDir } from '../support/common/temp-dir.js';

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
