import path from 'node:path';
import { describe, expect } from 'vitest';
import { TrayController } from '../../../src/main/tray/tray-controller.js';
import { trayIconPath } from '../../../src/main/tray/tray-icons.js';
import { FakeImage, FakeTray, fakeMenuFactory, type FakeMenu } from '../../support/main/electron-fakes.js';
import { relayActions, itOnPausedRelay } from '../../support/main/tray-relay.js';
import { waitFor } from '../../support/common/wait.js';
import { RESOURCES } from '../../support/common/paths.js';

describe('tray controller on a running relay', () => {
  itOnPausedRelay('the tray controller follows the state: icon per state, tooltip, rebuilt menu', async ({ t, status }) => {
    const tray = new FakeTray(new FakeImage(''));
    const log: string[] = [];
    const controller = new TrayController<FakeMenu>({
      tray,
      menu: fakeMenuFactory,
      icon: (state) => new FakeImage(trayIconPath(RESOURCES, state, 'linux')),
      actions: relayActions(t, log),
      prefs: () => ({ startAtLogin: false, notificationsMuted: false, rehearseLimits: false }),
      platform: 'linux',
    });
    status.onChange((s) => controller.render(s));
    status.start();
    controller.render(status.snapshot());
    expect(path.basename(tray.image.path)).toBe('tray-paused.png');
    expect(tray.image.isEmpty()).toBe(false);

    tray.click('pause');
    await waitFor(() => tray.item('pause')?.label === 'Pause dispatch', 'menu rebuilt after resuming');
    expect(path.basename(tray.image.path)).toBe('tray-sandbox.png');
    expect(tray.tooltip).toContain('sandbox');

    tray.click('mode-real');
    await waitFor(() => tray.item('mode-real')?.checked === true, 'real mode checked');
    expect(path.basename(tray.image.path)).toBe('tray-real.png');
    expect(tray.tooltip).toContain('REAL delivery');

    // a plain click opens the window on Linux and Windows
    tray.emit('click');
    expect(log).toContain('open');
    controller.destroy();
    expect(tray.destroyed).toBe(true);
    // updates after destruction are ignored
    controller.render(await status.refresh());
  });
});
