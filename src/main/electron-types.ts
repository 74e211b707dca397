/**
 * The slices of Electron's API the desktop shell uses, as narrow structural types.
 * src/main/index.ts passes the real Electron objects; tests pass small fakes. Nothing outside
 * index.ts imports a value from 'electron', so the shell's logic runs in plain Node.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface AppLike {
  readonly isPackaged: boolean;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<unknown>;
  quit(): void;
  exit(code?: number): void;
  getName(): string;
  getVersion(): string;
  getAppPath(): string;
  getPath(name: 'userData' | 'appData' | 'downloads' | 'home'): string;
  setPath(name: 'userData', path: string): void;
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  /** Windows: notifications are attributed to this id (the installer's appId) */
  setAppUserModelId(id: string): void;
  dock?: { show(): unknown; hide(): unknown };
}

export interface ImageLike {
  isEmpty(): boolean;
}

export interface NativeImageFactory {
  createFromPath(path: string): ImageLike;
}

export interface MenuItemTemplate {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  checked?: boolean;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

export interface MenuFactory<M = unknown> {
  buildFromTemplate(template: MenuItemTemplate[]): M;
}

export interface TrayLike<M = unknown> {
  setImage(image: ImageLike): void;
  setToolTip(tooltip: string): void;
  setContextMenu(menu: M | null): void;
  on(event: 'click', listener: () => void): unknown;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface ClipboardLike {
  writeText(text: string): void;
}

export interface MessageBoxOptions {
  type?: 'none' | 'info' | 'error' | 'question' | 'warning';
  title?: string;
  message: string;
  detail?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
}

export interface DialogLike {
  showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
  showErrorBox(title: string, content: string): void;
}

export interface ShellLike {
  openExternal(url: string): Promise<void>;
  openPath(path: string): Promise<string>;
  showItemInFolder(path: string): void;
}

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface NotificationFactory {
  isSupported(): boolean;
  create(options: { title: string; body: string; silent?: boolean }): NotificationLike;
}

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only: which secret store backs the encryption */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface IpcMainInvokeEventLike {
  readonly senderFrame?: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  readonly id: number;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isFocused(): boolean;
  isDestroyed(): boolean;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  icon?: string;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    nodeIntegration: false;
    sandbox: true;
    webSecurity: true;
    spellcheck: boolean;
  };
}

export interface HeadersReceivedDetails {
  url: string;
  method: string;
  webContentsId?: number;
  initiatorOrigin?: string;
  statusLine: string;
  responseHeaders?: Record<string, string[]>;
}

export interface HeadersReceivedResponse {
  responseHeaders?: Record<string, string | string[]>;
  statusLine?: string;
}

export interface WebRequestLike {
  onHeadersReceived(
    filter: { urls: string[] },
    listener: (details: HeadersReceivedDetails, callback: (response: HeadersReceivedResponse) => void) => void,
  ): void;
}

export interface ProtocolLike {
  registerSchemesAsPrivileged(
    schemes: {
      scheme: string;
      privileges: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; corsEnabled?: boolean; stream?: boolean };
    }[],
  ): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}
