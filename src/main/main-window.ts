import type { BrowserWindowLike, BrowserWindowOptions } from './electron-types.js';
import { APP_TITLE } from './tray/tray-menu.js';

export interface MainWindowOptions {
  createWindow: (options: BrowserWindowOptions) => BrowserWindowLike;
  /** the built preload script (sandboxed: it may only require 'electron') */
  preloadPath: string;
  /** the dev server's URL in development, app://renderer/index.html when built */
  rendererUrl: string;
  /** the renderer's origin; navigation anywhere else is refused */
  rendererOrigin: string;
  /** window icon (Linux and Windows) */
  iconPath?: string;
  /** http(s) links the page opens go to the system browser */
  openExternal: (url: string) => void;
  onLoadError?: (err: unknown) => void;
}

/**
 * The app window. Closing it only hides it (the relay keeps running in the tray); it is destroyed
 * when the app quits. Created lazily, so an app started at login costs no renderer until opened.
 */
export class MainWindow {
  private window: BrowserWindowLike | null = null;
  private quitting = false;

  constructor(private readonly opts: MainWindowOptions) {}

  /** Shows the window (creating it if needed), restored and focused. */
  show(): void {
    const win = this.ensure();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  isFocused(): boolean {
    return !!this.window && !this.window.isDestroyed() && this.window.isVisible() && this.window.isFocused();
  }

  get webContentsId(): number | null {
    return this.window && !this.window.isDestroyed() ? this.window.webContents.id : null;
  }

  /** From now on closing really closes (the app is quitting). */
  allowClose(): void {
    this.quitting = true;
  }

  private ensure(): BrowserWindowLike {
    if (this.window && !this.window.isDestroyed()) return this.window;
    const win = this.opts.createWindow({
      width: 1280,
      height: 820,
      minWidth: 760,
      minHeight: 480,
      show: false,
      title: APP_TITLE,
      icon: this.opts.iconPath,
      autoHideMenuBar: true,
      webPreferences: {
        preload: this.opts.preloadPath,
        contextIsolation: true,
        nodeIntegration: false,
        sandbox: true,
        webSecurity: true,
        spellcheck: false,
      },
    });
    this.window = win;
    win.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      if (this.window === win) this.window = null;
    });
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (/^(https?|mailto):/i.test(url)) this.opts.openExternal(url);
      return { action: 'deny' };
    });
    win.webContents.on('will-navigate', (event, url) => {
      if (!this.isRendererUrl(url)) {
        event.preventDefault();
        if (/^https?:/i.test(url)) this.opts.openExternal(url);
      }
    });
    win.loadURL(this.opts.rendererUrl).catch((err: unknown) => this.opts.onLoadError?.(err));
    return win;
  }

  private isRendererUrl(url: string): boolean {
    return url === this.opts.rendererOrigin || url.startsWith(`${this.opts.rendererOrigin}/`);
  }
}
