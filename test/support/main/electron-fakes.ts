import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { ElectronDeps } from '../../../src/main/desktop-app.js';
import type {
  AppLike,
  BrowserWindowLike,
  BrowserWindowOptions,
  HeadersReceivedDetails,
  HeadersReceivedResponse,
  ImageLike,
  IpcMainInvokeEventLike,
  MenuItemTemplate,
  MessageBoxOptions,
  PreventableEvent,
} from '../../../src/main/electron-types.js';

/**
 * Small stand-ins for Electron's objects: they keep the state a real one would have (visible,
 * tooltip, clipboard text...) so tests assert on outcomes, not on calls.
 */

export class FakeEvent implements PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeApp extends EventEmitter implements AppLike {
  isPackaged = false;
  lockAvailable = true;
  /** set when a quit went through (before-quit not prevented) */
  quitted = false;
  exitCode: number | null = null;
  loginItem = { openAtLogin: false, wasOpenedAtLogin: false, path: '', args: [] as string[] };
  readonly paths: Record<string, string>;
  dockVisible = true;
  dock = {
    show: () => {
      this.dockVisible = true;
    },
    hide: () => {
      this.dockVisible = false;
    },
  };

  constructor(baseDir: string) {
    super();
    this.paths = {
      appData: path.join(baseDir, 'appData'),
      userData: path.join(baseDir, 'appData', 'Electron'),
      downloads: path.join(baseDir, 'downloads'),
      home: path.join(baseDir, 'home'),
    };
  }

  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** Electron's quit: emits before-quit; quits unless a listener prevents it. */
  quit(): void {
    const ev = new FakeEvent();
    this.emit('before-quit', ev);
    if (!ev.defaultPrevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
    this.quitted = true;
  }
  appUserModelId: string | null = null;
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  getName(): string {
    return 'genro-mail-relay';
  }
  getVersion(): string {
    return '0.1.0';
  }
  getAppPath(): string {
    return this.paths.home;
  }
  getPath(name: 'userData' | 'appData' | 'downloads' | 'home'): string {
    return this.paths[name];
  }
  setPath(name: 'userData', p: string): void {
    this.paths[name] = p;
  }
  getLoginItemSettings() {
    return { openAtLogin: this.loginItem.openAtLogin, wasOpenedAtLogin: this.loginItem.wasOpenedAtLogin };
  }
  setLoginItemSettings(s: { openAtLogin: boolean; path?: string; args?: string[] }): void {
    this.loginItem = { ...this.loginItem, openAtLogin: s.openAtLogin, path: s.path ?? '', args: s.args ?? [] };
  }
}

export class FakeImage implements ImageLike {
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return !fs.existsSync(this.path);
  }
}

export interface FakeMenu {
  template: MenuItemTemplate[];
}

export const fakeMenuFactory = {
  buildFromTemplate: (template: MenuItemTemplate[]): FakeMenu => ({ template }),
};

export class FakeTray extends EventEmitter {
  image: FakeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: ImageLike) {
    super();
    this.image = image as FakeImage;
  }
  setImage(image: ImageLike): void {
    this.image = image as FakeImage;
  }
  setToolTip(t: string): void {
    this.tooltip = t;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** the current menu's item with this id */
  item(id: string): MenuItemTemplate | undefined {
    return this.menu?.template.find((i) => i.id === id);
  }
  click(id: string): void {
    const it = this.item(id);
    if (!it?.click) throw new Error(`no clickable menu item ${id}`);
    it.click();
  }
}

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }): void {
    this.openHandler = h;
  }
}

export class FakeWindow extends EventEmitter implements BrowserWindowLike {
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  constructor(readonly options: BrowserWindowOptions) {
    super();
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** the user closes the window: Electron emits 'close', then destroys it unless prevented */
  userClose(): void {
    const ev = new FakeEvent();
    this.emit('close', ev);
    if (ev.defaultPrevented) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
}

export class FakeDialog {
  readonly boxes: MessageBoxOptions[] = [];
  readonly errors: { title: string; content: string }[] = [];
  /** responses given to the next message boxes, in order (default: 0) */
  responses: number[] = [];
  showMessageBox(options: MessageBoxOptions): Promise<{ response: number }> {
    this.boxes.push(options);
    return Promise.resolve({ response: this.responses.shift() ?? 0 });
  }
  showErrorBox(title: string, content: string): void {
    this.errors.push({ title, content });
  }
}

export class FakeClipboard {
  text = '';
  writeText(t: string): void {
    this.text = t;
  }
}

export class FakeShell {
  readonly opened: string[] = [];
  readonly openedPaths: string[] = [];
  readonly shownItems: string[] = [];
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }
  openPath(p: string): Promise<string> {
    this.openedPaths.push(p);
    return Promise.resolve(fs.existsSync(p) ? '' : `${p} does not exist`);
  }
  showItemInFolder(p: string): void {
    this.shownItems.push(p);
  }
}

export class FakeNotification extends EventEmitter {
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    this.shown = true;
  }
}

export class FakeNotifications {
  readonly created: FakeNotification[] = [];
  supported = true;
  isSupported(): boolean {
    return this.supported;
  }
  create(options: { title: string; body: string }): FakeNotification {
    const n = new FakeNotification(options);
    this.created.push(n);
    return n;
  }
}

/** Reversible stand-in for the OS keychain: XOR with a key, so ciphertext never equals the text. */
export class FakeSafeStorage {
  available = true;
  backend = 'gnome_libsecret';
  private readonly key = 0x5a;
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
  encryptString(plain: string): Buffer {
    const b = Buffer.from(`ok:${plain}`, 'utf8');
    return Buffer.from(b.map((x) => x ^ this.key));
  }
  decryptString(enc: Buffer): string {
    const text = Buffer.from(enc.map((x) => x ^ this.key)).toString('utf8');
    if (!text.startsWith('ok:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return text.slice(3);
  }
}

type Handler = (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** what ipcRenderer.invoke from a frame at frameUrl would get back */
  async invoke(frameUrl: string, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    // values cross IPC by structured clone
    return structuredClone(await h({ senderFrame: { url: frameUrl } }, ...args));
  }
}

export class FakeProtocol {
  readonly privileged: string[] = [];
  readonly handlers = new Map<string, (req: Request) => Response | Promise<Response>>();
  registerSchemesAsPrivileged(schemes: { scheme: string }[]): void {
    this.privileged.push(...schemes.map((s) => s.scheme));
  }
  handle(scheme: string, handler: (req: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler);
  }
}

export class FakeWebRequest {
  filter: { urls: string[] } | null = null;
  listener: ((d: HeadersReceivedDetails, cb: (r: HeadersReceivedResponse) => void) => void) | null = null;
  onHeadersReceived(
    filter: { urls: string[] },
    listener: (d: HeadersReceivedDetails, cb: (r: HeadersReceivedResponse) => void) => void,
  ): void {
    this.filter = filter;
    this.listener = listener;
  }
}

/** A full set of fakes, plus the objects the test inspects afterwards. */
export function fakeElectron(baseDir: string) {
  const app = new FakeApp(baseDir);
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  const dialog = new FakeDialog();
  const clipboard = new FakeClipboard();
  const shell = new FakeShell();
  const notifications = new FakeNotifications();
  const safeStorage = new FakeSafeStorage();
  const ipcMain = new FakeIpcMain();
  const protocol = new FakeProtocol();
  const webRequest = new FakeWebRequest();
  const deps: ElectronDeps<FakeMenu> = {
    app,
    protocol,
    webRequest,
    ipcMain,
    createWindow: (options) => {
      const w = new FakeWindow(options);
      windows.push(w);
      return w;
    },
    createTray: (image) => {
      const t = new FakeTray(image);
      trays.push(t);
      return t;
    },
    menu: fakeMenuFactory,
    nativeImage: { createFromPath: (p) => new FakeImage(p) },
    notifications,
    dialog,
    clipboard,
    shell,
    safeStorage,
    fetchFile: async (url) => new Response(fs.readFileSync(new URL(url))),
    versions: { electron: '45.4.1', chrome: '140.0.0.0', node: '22.20.0', modules: '150' },
  };
  return { deps, app, windows, trays, dialog, clipboard, shell, notifications, safeStorage, ipcMain, protocol, webRequest };
}
