import fs from 'node:fs';
import path from 'node:path';
import type { AppLike } from './electron-types.js';

/** Start at login. macOS and Windows use the OS login items; Linux an XDG autostart entry. */
export interface LoginItem {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

export const HIDDEN_SWITCH = '--hidden';
export const AUTOSTART_FILE = 'genro-mail-relay.desktop';

export interface LoginItemOptions {
  app: Pick<AppLike, 'getLoginItemSettings' | 'setLoginItemSettings' | 'isPackaged' | 'getAppPath'>;
  platform: NodeJS.Platform;
  /** the executable to start: the AppImage when running from one, else Electron's binary */
  execPath: string;
  /** Linux: $XDG_CONFIG_HOME/autostart (default ~/.config/autostart) */
  autostartDir: string;
}

/** The command that starts this app hidden (an unpackaged Electron also needs the app path). */
function launchArgs(opts: LoginItemOptions): string[] {
  return [...(opts.app.isPackaged ? [] : [opts.app.getAppPath()]), HIDDEN_SWITCH];
}

function desktopEntryQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

class OsLoginItem implements LoginItem {
  constructor(private readonly opts: LoginItemOptions) {}

  isEnabled(): boolean {
    return this.opts.app.getLoginItemSettings().openAtLogin;
  }

  setEnabled(enabled: boolean): void {
    // macOS ignores args; it reports wasOpenedAtLogin instead, which starts the app hidden
    this.opts.app.setLoginItemSettings({ openAtLogin: enabled, path: this.opts.execPath, args: launchArgs(this.opts) });
  }
}

class XdgAutostartItem implements LoginItem {
  private readonly file: string;

  constructor(private readonly opts: LoginItemOptions) {
    this.file = path.join(opts.autostartDir, AUTOSTART_FILE);
  }

  isEnabled(): boolean {
    return fs.existsSync(this.file);
  }

  setEnabled(enabled: boolean): void {
    if (!enabled) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    const exec = [this.opts.execPath, ...launchArgs(this.opts)].map(desktopEntryQuote).join(' ');
    fs.mkdirSync(this.opts.autostartDir, { recursive: true });
    fs.writeFileSync(
      this.file,
      [
        '[Desktop Entry]',
        'Type=Application',
        'Name=Genro Mail Relay',
        'Comment=Mail relay with a sandbox SMTP sink',
        `Exec=${exec}`,
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
  }
}

/** null where the platform has no way to start the app at login. */
export function createLoginItem(opts: LoginItemOptions): LoginItem | null {
  if (opts.platform === 'darwin' || opts.platform === 'win32') return new OsLoginItem(opts);
  if (opts.platform === 'linux') return new XdgAutostartItem(opts);
  return null;
}
