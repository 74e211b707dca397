import type { ImageLike, MenuFactory, TrayLike } from '../electron-types.js';
import type { RelayStatusSnapshot, TrayVisualState } from './relay-status.js';
import { buildTrayMenuTemplate, formatTooltip, type TrayActions, type TrayMenuPrefs } from './tray-menu.js';

export interface TrayControllerDeps<M> {
  tray: TrayLike<M>;
  menu: MenuFactory<M>;
  /** the icon for a state (loaded once per state) */
  icon: (state: TrayVisualState) => ImageLike;
  actions: TrayActions;
  prefs: () => TrayMenuPrefs;
  platform: NodeJS.Platform;
}

/** Keeps the tray's icon, tooltip and menu in step with the relay state. */
export class TrayController<M = unknown> {
  private lastVisual: TrayVisualState | null = null;
  private lastSnapshot: RelayStatusSnapshot | null = null;

  constructor(private readonly deps: TrayControllerDeps<M>) {
    // Windows and Linux open the window on a plain click; macOS shows the menu.
    if (deps.platform !== 'darwin') deps.tray.on('click', () => deps.actions.openWindow());
  }

  render(snapshot: RelayStatusSnapshot): void {
    const { tray, menu, icon, actions, prefs } = this.deps;
    if (tray.isDestroyed()) return;
    this.lastSnapshot = snapshot;
    if (snapshot.visual !== this.lastVisual) {
      tray.setImage(icon(snapshot.visual));
      this.lastVisual = snapshot.visual;
    }
    tray.setToolTip(formatTooltip(snapshot));
    // Linux (AppIndicator) only picks up a changed menu through setContextMenu.
    tray.setContextMenu(menu.buildFromTemplate(buildTrayMenuTemplate(snapshot, prefs(), actions)));
  }

  /** Re-renders the last state (after a preference changed). */
  rerender(): void {
    if (this.lastSnapshot) this.render(this.lastSnapshot);
  }

  destroy(): void {
    if (!this.deps.tray.isDestroyed()) this.deps.tray.destroy();
  }
}
