import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  net,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import { DesktopApp, type ElectronDeps } from './desktop-app.js';
import { limitHeapGrowth } from '../core/idle-memory.js';

// The only module that touches Electron's values: everything else receives them from here.
// the tray app lives all day: a burst's garbage should not hold 100+ MB (see core/idle-memory.ts)
limitHeapGrowth();
const mainDir = path.dirname(fileURLToPath(import.meta.url));
// asarUnpack keeps resources/ outside the archive so the OS can read tray icons directly
const resourcesDir = path.join(app.getAppPath(), 'resources').replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);

const electron: ElectronDeps<Electron.Menu> = {
  app,
  protocol,
  get webRequest() {
    // the default session exists only once the app is ready, which is when this is first read
    return session.defaultSession.webRequest;
  },
  ipcMain,
  createWindow: (options) => new BrowserWindow(options),
  createTray: (image) => {
    // images come from nativeImage.createFromPath above; the narrow ImageLike type hides that
    const tray = new Tray(image as Electron.NativeImage);
    return {
      setImage: (next) => tray.setImage(next as Electron.NativeImage),
      setToolTip: (text) => tray.setToolTip(text),
      setContextMenu: (menu) => tray.setContextMenu(menu),
      on: (event, listener) => tray.on(event, listener),
      isDestroyed: () => tray.isDestroyed(),
      destroy: () => tray.destroy(),
    };
  },
  menu: Menu,
  nativeImage,
  notifications: {
    isSupported: () => Notification.isSupported(),
    create: (options) => new Notification(options),
  },
  dialog,
  clipboard,
  shell,
  safeStorage: {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
    // a Linux-only API
    getSelectedStorageBackend: process.platform === 'linux' ? () => safeStorage.getSelectedStorageBackend() : undefined,
  },
  fetchFile: (url) => net.fetch(url),
  versions: {
    electron: process.versions.electron,
    chrome: process.versions.chrome,
    node: process.versions.node,
    modules: process.versions.modules,
  },
};

const desktop = new DesktopApp(electron, {
  platform: process.platform,
  arch: process.arch,
  argv: process.argv.slice(app.isPackaged ? 1 : 2),
  env: process.env,
  cwd: process.cwd(),
  homeDir: os.homedir(),
  mainDir,
  resourcesDir,
  execPath: process.execPath,
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

desktop.run().catch((err: unknown) => {
  dialog.showErrorBox('Genro Mail Relay could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
  app.exit(1);
});
