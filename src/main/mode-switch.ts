import type { DeliveryMode } from '../core/config/types.js';
import type { SettingsService } from '../core/services/index.js';
import type { DesktopPrefs } from './desktop-prefs.js';
import type { DialogLike } from './electron-types.js';

export type ModeSwitchResult = 'switched' | 'unchanged' | 'cancelled';

/**
 * Switches delivery mode from the tray. The first switch to real delivery asks for confirmation:
 * from then on mail leaves for real recipients. Once confirmed, later switches go straight through.
 */
export class ModeSwitcher {
  constructor(
    private readonly settings: Pick<SettingsService, 'current' | 'update'>,
    private readonly prefs: DesktopPrefs,
    private readonly dialog: Pick<DialogLike, 'showMessageBox'>,
  ) {}

  async setMode(mode: DeliveryMode): Promise<ModeSwitchResult> {
    if (this.settings.current().delivery_mode === mode) return 'unchanged';
    if (mode === 'real' && !this.prefs.current().realModeConfirmed) {
      const { response } = await this.dialog.showMessageBox({
        type: 'warning',
        title: 'Switch to real delivery?',
        message: 'Switch to real delivery?',
        detail:
          'Queued and new messages will be sent to their real recipients through your SMTP accounts. ' +
          'In sandbox mode they are only captured here.',
        buttons: ['Switch to real delivery', 'Stay in sandbox'],
        defaultId: 1,
        cancelId: 1,
      });
      if (response !== 0) return 'cancelled';
      await this.prefs.update({ realModeConfirmed: true });
    }
    // the dialog may have been open a while: the mode could have changed meanwhile
    if (this.settings.current().delivery_mode === mode) return 'unchanged';
    await this.settings.update({ delivery_mode: mode });
    return 'switched';
  }
}
