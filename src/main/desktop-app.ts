import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DeliveryMode } from '../core/config/types.js';
import { createRelay, type Relay } from '../core/relay.js';
import { errorMessage } from '../core/errors.js';
import type { AppInfo, RelayConnectionInfo } from '../shared/ipc.js';
import { loadDesktopConfig } from './desktop-config.js';
import { createDesktopLogger } from './desktop-logger.js';
import { DesktopPrefs } from './desktop-prefs.js';
import type {
  AppLike,
  BrowserWindowLike,
  BrowserWindowOptions,
  ClipboardLike,
  DialogLike,
  ImageLike,
  IpcMainLike,
  MenuFactory,
  NativeImageFactory,
  NotificationFactory,
  NotificationLike,
  PreventableEvent,
  ProtocolLike,
  SafeStorageLike,
  ShellLike,
  TrayLike,
  WebRequestLike,
} from './electron-types.js';
import { createDesktopIpcHandlers, registerIpcHandlers, senderCheck } from './ipc.js';
import { createLoginItem, type LoginItem } from './login-item.js';
import { MainWindow } from './main-window.js';
import { ModeSwitcher } from './mode-switch.js';
import { findElectronNativeBinding } from './native-binding.js';
import { DeliveryNotifier, type NotificationRequest } from './notifications.js';
import { installRelayCors } from './relay-cors.js';
import {
  handleRendererProtocol,
  registerRendererScheme,
  RENDERER_ENTRY_URL,
  RENDERER_ORIGIN,
} from './renderer-protocol.js';
import { createSafeStorageCodec } from './safe-storage-codec.js';
import { startFailureDetail } from './start-failure.js';
import { RelayStatusModel, type TrayVisualState } from './tray/relay-status.js';
import { TrayController } from './tray/tray-controller.js';
import { trayIconPath } from './tray/tray-icons.js';
import { apiSettingsText, APP_TITLE, smtpSettingsText, type TrayActions } from './tray/tray-menu.js';

/** The Electron objects the shell drives, injected (src/main/index.ts passes the real ones). */
export interface ElectronDeps<M = unknown> {
  app: AppLike;
  protocol: ProtocolLike;
  webRequest: WebRequestLike;
  ipcMain: IpcMainLike;
  createWindow: (options: BrowserWindowOptions) => BrowserWindowLike;
  createTray: (image: ImageLike) => TrayLike<M>;
  menu: MenuFactory<M>;
  nativeImage: NativeImageFactory;
  notifications: NotificationFactory;
  dialog: DialogLike;
  clipboard: ClipboardLike;
  shell: ShellLike;
  safeStorage: SafeStorageLike;
  /** Electron's net.fetch, which reads file:// URLs */
  fetchFile: (fileUrl: string) => Promise<Response>;
  versions: { electron: string; chrome: string; node: string; modules: string };
}

export interface DesktopEnvironment {
  platform: NodeJS.Platform;
  arch: string;
  /** command-line arguments after the executable (and the app path when unpackaged) */
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  homeDir: string;
  /** folder of the built main bundle (out/main): preload and renderer are its siblings */
  mainDir: string;
  /** folder holding tray/ and icon.png */
  resourcesDir: string;
  /** the executable a login item starts */
  execPath: string;
  /** tests inject one; otherwise a file + stdout logger in the data folder */
  logger?: Logger;
  /** ms over which bursts of relay events are coalesced into one tray update */
  trayCoalesceMs?: number;
}

export type DesktopRunResult = 'primary' | 'secondary' | 'failed';

/** Per-user folder name, fixed so that development and packaged builds share one data folder. */
export const USER_DATA_FOLDER = 'Genro Mail Relay';
/** Longest wait for the relay to stop when quitting (leases make unfinished sends retry later). */
const QUIT_TIMEOUT_MS = 20_000;
/** electron-builder.yml appId */
export const APP_ID = 'org.genropy.mailrelay';

/**
 * The desktop shell: one instance per user, the relay in-process, a tray that shows and changes
 * its state, a window with the web UI. Closing the window leaves the relay running; quitting
 * stops it cleanly.
 */
export class DesktopApp<M = unknown> {
  relay: Relay | null = null;
  window: MainWindow | null = null;
  tray: TrayController<M> | null = null;
  status: RelayStatusModel | null = null;
  notifier: DeliveryNotifier | null = null;
  prefs: DesktopPrefs | null = null;
  loginItem: LoginItem | null = null;
  modeSwitcher: ModeSwitcher | null = null;
  private logger: Logger | null = null;
  private quitState: 'running' | 'stopping' | 'stopped' = 'running';
  private readonly icons = new Map<TrayVisualState, ImageLike>();
  private readonly liveNotifications = new Set<NotificationLike>();
  private unregisterIpc: (() => void) | null = null;
  /** settles when the relay has stopped after a quit */
  stopped: Promise<void> | null = null;

  constructor(
    private readonly electron: ElectronDeps<M>,
    private readonly env: DesktopEnvironment,
  ) {}

  async run(): Promise<DesktopRunResult> {
    const { app, protocol } = this.electron;
    app.setPath('userData', path.join(app.getPath('appData'), USER_DATA_FOLDER));
    if (!app.requestSingleInstanceLock()) {
      // another instance runs: Electron tells it (second-instance) and it shows its window
      app.quit();
      return 'secondary';
    }
    app.on('second-instance', () => this.showWindow());
    app.on('activate', () => this.showWindow());
    app.on('window-all-closed', () => {
      // the relay keeps running in the tray
    });
    app.on('before-quit', (event) => this.onBeforeQuit(event));
    registerRendererScheme(protocol);
    if (this.env.platform === 'win32') app.setAppUserModelId(APP_ID);
    await app.whenReady();

    let startHidden: boolean;
    try {
      startHidden = await this.startRelay();
    } catch (err) {
      this.failStart(err);
      return 'failed';
    }
    await this.startShell(startHidden);
    return 'primary';
  }

  showWindow(): void {
    this.window?.show();
    this.electron.app.dock?.show();
  }

  /** Starts the relay with the desktop configuration; answers whether to start hidden. */
  private async startRelay(): Promise<boolean> {
    const { app, safeStorage, versions } = this.electron;
    const userData = app.getPath('userData');
    const loaded = loadDesktopConfig({ argv: this.env.argv, env: this.env.env, cwd: this.env.cwd, userDataDir: userData });
    const logger = this.env.logger ?? createDesktopLogger(loaded.config.logLevel, path.join(userData, 'logs', 'relay.log'));
    this.logger = logger;
    const native = findElectronNativeBinding(app.getAppPath(), {
      electron: versions.electron,
      modules: versions.modules,
      platform: this.env.platform,
      arch: this.env.arch,
    });
    if ('reason' in native && !app.isPackaged) logger.info({ reason: native.reason }, 'using the default better-sqlite3 build');
    const secrets = createSafeStorageCodec(safeStorage, {
      onUnavailable: () => logger.warn('OS keychain unavailable: passwords are stored as given'),
      onDecryptError: (err) => logger.error({ err }, 'a stored password could not be decrypted; enter it again'),
    });
    const rendererDir = path.join(this.env.mainDir, '..', 'renderer');
    const relay = await createRelay({
      config: loaded.config,
      logger,
      secrets,
      nativeBinding: native.path,
      settingsOverrides: loaded.settingsOverrides,
      uiDir: fs.existsSync(path.join(rendererDir, 'index.html')) ? rendererDir : null,
    });
    try {
      await relay.start();
    } catch (err) {
      await relay.stop().catch(() => undefined);
      throw err;
    }
    this.relay = relay;
    const loginItem = app.getLoginItemSettings();
    return loaded.switches.hidden || (this.env.platform === 'darwin' && !!loginItem.wasOpenedAtLogin);
  }

  private async startShell(startHidden: boolean): Promise<void> {
    const relay = this.relay!;
    const { services } = relay;
    const { app, protocol, webRequest, ipcMain, clipboard, shell, dialog } = this.electron;
    const devUrl = this.env.env.ELECTRON_RENDERER_URL;
    const rendererUrl = devUrl || RENDERER_ENTRY_URL;
    const rendererOrigin = devUrl ? new URL(devUrl).origin : RENDERER_ORIGIN;
    const rendererDir = path.join(this.env.mainDir, '..', 'renderer');

    if (!devUrl) handleRendererProtocol(protocol, rendererDir, this.electron.fetchFile);
    installRelayCors(webRequest, { relayUrl: relay.addresses().url, rendererOrigin });

    this.prefs = await DesktopPrefs.load(services.settings);
    this.modeSwitcher = new ModeSwitcher(services.settings, this.prefs, dialog);
    this.loginItem = createLoginItem({
      app,
      platform: this.env.platform,
      execPath: this.env.env.APPIMAGE || this.env.execPath,
      autostartDir: path.join(this.env.env.XDG_CONFIG_HOME || path.join(this.env.homeDir, '.config'), 'autostart'),
    });

    this.window = new MainWindow({
      createWindow: this.electron.createWindow,
      preloadPath: path.join(this.env.mainDir, '..', 'preload', 'index.cjs'),
      rendererUrl,
      rendererOrigin,
      iconPath: this.env.platform === 'darwin' ? undefined : path.join(this.env.resourcesDir, 'icon.png'),
      openExternal: (url) => void shell.openExternal(url),
      onLoadError: (err) => this.logger?.error({ err }, 'the window could not load the renderer'),
    });

    this.unregisterIpc = registerIpcHandlers(
      ipcMain,
      createDesktopIpcHandlers({
        connection: () => this.connectionInfo(),
        appInfo: () => this.appInfo(),
        shell,
        clipboard,
        dataDir: relay.ctx.config.dataDir,
        downloadsDir: app.getPath('downloads'),
        pathExists: (p) => fs.existsSync(p),
      }),
      senderCheck(rendererOrigin),
    );

    this.status = await RelayStatusModel.create(
      { services, connection: () => this.connectionInfo(), logger: this.logger ?? relay.ctx.logger },
      { coalesceMs: this.env.trayCoalesceMs },
    );
    const initial = this.status.snapshot();
    this.tray = new TrayController<M>({
      tray: this.electron.createTray(this.icon(initial.visual)),
      menu: this.electron.menu,
      icon: (state) => this.icon(state),
      actions: this.trayActions(),
      prefs: () => ({
        startAtLogin: this.loginItem ? this.loginItem.isEnabled() : null,
        notificationsMuted: this.prefs!.current().notificationsMuted,
        rehearseLimits: this.relay!.services.settings.current().sandbox_rehearse_limits,
      }),
      platform: this.env.platform,
    });
    this.tray.render(initial);
    this.status.onChange((s) => this.tray?.render(s));
    this.status.start();

    this.notifier = new DeliveryNotifier({
      events: services.events,
      clock: relay.ctx.clock,
      show: (n) => this.notify(n),
      isMuted: () => this.prefs!.current().notificationsMuted,
      isWindowFocused: () => this.window?.isFocused() ?? false,
    });
    this.notifier.start();

    if (!startHidden) this.showWindow();
    else if (this.env.platform === 'darwin') app.dock?.hide();
  }

  trayActions(): TrayActions {
    const { app, clipboard } = this.electron;
    return {
      setMode: async (mode: DeliveryMode) => {
        try {
          await this.modeSwitcher!.setMode(mode);
        } finally {
          // a cancelled switch must put the radio item back
          this.status?.refresh().catch((err: unknown) => this.logger?.debug({ err }, 'tray status refresh skipped'));
        }
      },
      setPaused: (paused) => {
        this.relay!.services.settings.update({ paused }).catch((err: unknown) => this.logger?.error({ err }, 'could not change pause'));
      },
      setRehearseLimits: (enabled) => {
        this.relay!.services.settings.update({ sandbox_rehearse_limits: enabled }).catch((err: unknown) => this.logger?.error({ err }, 'could not change limits rehearsal'));
      },
      openWindow: () => this.showWindow(),
      copySmtpSettings: () => clipboard.writeText(smtpSettingsText(this.status!.snapshot())),
      copyApiSettings: () => clipboard.writeText(apiSettingsText(this.status!.snapshot())),
      setStartAtLogin: (enabled) => {
        try {
          this.loginItem?.setEnabled(enabled);
        } catch (err) {
          this.electron.dialog.showErrorBox('Start at login', `Could not change the login item: ${errorMessage(err)}`);
        }
        this.tray?.rerender();
      },
      setNotificationsMuted: (muted) => {
        this.prefs!.update({ notificationsMuted: muted }).catch((err: unknown) => this.logger?.error({ err }, 'could not save the preference'));
        this.tray?.rerender();
      },
      quit: () => app.quit(),
    };
  }

  connectionInfo(): RelayConnectionInfo {
    const relay = this.relay!;
    const a = relay.addresses();
    return { url: a.url, token: relay.token, smtp: { host: a.smtp.host, port: a.smtp.port } };
  }

  appInfo(): AppInfo {
    const { app, versions } = this.electron;
    return {
      name: APP_TITLE,
      version: app.getVersion(),
      electron: versions.electron,
      chrome: versions.chrome,
      node: versions.node,
      platform: this.env.platform,
      packaged: app.isPackaged,
      dataDir: this.relay!.ctx.config.dataDir,
    };
  }

  private icon(state: TrayVisualState): ImageLike {
    let image = this.icons.get(state);
    if (!image) {
      image = this.electron.nativeImage.createFromPath(trayIconPath(this.env.resourcesDir, state, this.env.platform));
      if (image.isEmpty()) this.logger?.warn({ state }, 'tray icon missing; run node scripts/generate-icons.mjs');
      this.icons.set(state, image);
    }
    return image;
  }

  private notify(n: NotificationRequest): void {
    const { notifications } = this.electron;
    if (!notifications.isSupported()) return;
    const note = notifications.create({ title: n.title, body: n.body });
    // a notification that is garbage-collected loses its click handler: keep the last few
    this.liveNotifications.add(note);
    if (this.liveNotifications.size > 5) this.liveNotifications.delete(this.liveNotifications.values().next().value!);
    note.on('click', () => this.showWindow());
    note.show();
  }

  private onBeforeQuit(event: PreventableEvent): void {
    if (this.quitState === 'stopped') return;
    event.preventDefault();
    if (this.quitState === 'stopping') return;
    this.quitState = 'stopping';
    this.stopped = this.shutdown().finally(() => {
      this.quitState = 'stopped';
      this.electron.app.quit();
    });
  }

  /** Stops the shell's listeners, then the relay (servers closed, in-flight sends settled, DB closed). */
  private async shutdown(): Promise<void> {
    this.window?.allowClose();
    this.notifier?.stop();
    this.status?.stop();
    this.tray?.destroy();
    this.unregisterIpc?.();
    if (!this.relay) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), QUIT_TIMEOUT_MS);
    });
    try {
      // sends in flight may take up to their SMTP timeout; quitting must not hang on one
      const outcome = await Promise.race([this.relay.stop().then(() => 'stopped' as const), limit]);
      if (outcome === 'timeout') this.logger?.warn(`the relay did not stop within ${QUIT_TIMEOUT_MS / 1000}s; quitting anyway`);
    } catch (err) {
      this.logger?.error({ err }, 'error while stopping the relay');
    } finally {
      clearTimeout(timer);
    }
  }

  private failStart(err: unknown): void {
    const { app, dialog } = this.electron;
    this.logger?.error({ err }, 'the relay could not start');
    dialog.showErrorBox(`${APP_TITLE} could not start`, startFailureDetail(err));
    this.quitState = 'stopped';
    app.exit(1);
  }
}
