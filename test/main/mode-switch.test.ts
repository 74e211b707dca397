import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DesktopPrefs } from '../../src/main/desktop-prefs.js';
import { ModeSwitcher } from '../../src/main/mode-switch.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { FakeDialog } from '../support/main/electron-fakes.js';

describe('switching delivery mode from the tray', () => {
  let t: TestRelay;
  let dialog: FakeDialog;
  let prefs: DesktopPrefs;
  let switcher: ModeSwitcher;

  beforeEach(async () => {
    t = await startTestRelay();
    dialog = new FakeDialog();
    prefs = await DesktopPrefs.load(t.relay.services.settings);
    switcher = new ModeSwitcher(t.relay.services.settings, prefs, dialog);
  });

  afterEach(() => t.stop());

  it('asks before the first switch to real; cancelling keeps sandbox', async () => {
    dialog.responses = [1];
    expect(await switcher.setMode('real')).toBe('cancelled');
    expect(dialog.boxes).toHaveLength(1);
    expect(dialog.boxes[0]).toMatchObject({ type: 'warning', cancelId: 1, defaultId: 1 });
    expect(t.relay.ctx.settings.current().delivery_mode).toBe('sandbox');
    expect(prefs.current().realModeConfirmed).toBe(false);
    // the API sees the same mode
    const settings = (await (await t.api('/api/settings')).json()) as Record<string, unknown>;
    expect(JSON.stringify(settings)).toContain('"delivery_mode":"sandbox"');
  });

  it('switches after confirmation and does not ask again, even after a restart', async () => {
    dialog.responses = [0];
    expect(await switcher.setMode('real')).toBe('switched');
    expect(t.relay.ctx.settings.current().delivery_mode).toBe('real');
    const settings = (await (await t.api('/api/settings')).json()) as Record<string, unknown>;
    expect(JSON.stringify(settings)).toContain('"delivery_mode":"real"');

    expect(await switcher.setMode('sandbox')).toBe('switched');
    expect(await switcher.setMode('real')).toBe('switched');
    expect(dialog.boxes).toHaveLength(1);

    // the confirmation is kept in the relay's database
    const reread = await DesktopPrefs.load(t.relay.services.settings);
    expect(reread.current().realModeConfirmed).toBe(true);
    const again = new ModeSwitcher(t.relay.services.settings, reread, dialog);
    expect(await again.setMode('sandbox')).toBe('switched');
    expect(await again.setMode('real')).toBe('switched');
    expect(dialog.boxes).toHaveLength(1);
  });

  it('switching to sandbox or to the current mode needs no dialog', async () => {
    expect(await switcher.setMode('sandbox')).toBe('unchanged');
    await t.relay.ctx.settings.update({ delivery_mode: 'real' });
    expect(await switcher.setMode('real')).toBe('unchanged');
    expect(await switcher.setMode('sandbox')).toBe('switched');
    expect(dialog.boxes).toHaveLength(0);
  });

  it('does not switch when the mode changed elsewhere while the dialog was open', async () => {
    const slowDialog = {
      showMessageBox: async () => {
        await t.relay.ctx.settings.update({ delivery_mode: 'real' });
        return { response: 0 };
      },
    };
    const s = new ModeSwitcher(t.relay.services.settings, prefs, slowDialog);
    let settingsEvents = 0;
    t.relay.ctx.bus.on('settings', () => settingsEvents++);
    expect(await s.setMode('real')).toBe('unchanged');
    expect(settingsEvents).toBe(1);
  });
});
