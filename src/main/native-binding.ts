import fs from 'node:fs';
import path from 'node:path';

/** Where `npm run native:electron` puts the Electron-ABI build of better-sqlite3. */
export const ELECTRON_NATIVE_DIR = path.join('build', 'native', 'electron');
export const NATIVE_BINARY = 'better_sqlite3.node';
export const NATIVE_INFO = 'build-info.json';

/** What the copy was built for; written next to it by scripts/native-electron.mjs. */
export interface NativeBuildInfo {
  electron: string;
  /** NODE_MODULE_VERSION of that Electron */
  modules: string;
  platform: string;
  arch: string;
}

export interface RuntimeIdentity {
  electron: string;
  modules: string;
  platform: string;
  arch: string;
}

export type NativeBindingLookup = { path: string } | { path: undefined; reason: string };

/**
 * The Electron-ABI better-sqlite3 binary for this runtime, if the project has one.
 * Unpackaged runs (npm start / npm run dev) use it, so node_modules keeps the Node build the
 * tests and the headless relay need. A packaged app has none: electron-builder rebuilt
 * node_modules/better-sqlite3 for Electron while packaging.
 */
export function findElectronNativeBinding(appRoot: string, runtime: RuntimeIdentity): NativeBindingLookup {
  const dir = path.join(appRoot, ELECTRON_NATIVE_DIR);
  const binary = path.join(dir, NATIVE_BINARY);
  if (!fs.existsSync(binary)) return { path: undefined, reason: `no ${path.join(ELECTRON_NATIVE_DIR, NATIVE_BINARY)}` };
  let info: Partial<NativeBuildInfo>;
  try {
    info = JSON.parse(fs.readFileSync(path.join(dir, NATIVE_INFO), 'utf8')) as Partial<NativeBuildInfo>;
  } catch {
    return { path: undefined, reason: `${NATIVE_INFO} missing or unreadable next to ${binary}` };
  }
  const mismatch = (['modules', 'platform', 'arch'] as const).find((k) => String(info[k]) !== runtime[k]);
  if (mismatch) {
    return {
      path: undefined,
      reason: `${binary} was built for Electron ${info.electron} (${info.platform}-${info.arch}, ABI ${info.modules}), this is Electron ${runtime.electron} (${runtime.platform}-${runtime.arch}, ABI ${runtime.modules})`,
    };
  }
  return { path: binary };
}

/** better-sqlite3 was loaded with the wrong ABI: the message the user needs. */
export function isAbiMismatch(err: unknown): boolean {
  return err instanceof Error && /NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(err.message);
}
