import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLoginItem } from '../../src/main/login-item.js';
import { FakeApp } from '../support/main/electron-fakes.js';
import { tempDir } from '../support/common/temp-dir.js';

describe('start at login', () => {
  it('uses the OS login items on macOS and Windows', () => {
    const app = new FakeApp(tempDir());
    app.isPackaged = true;
    const item = createLoginItem({ app, platform: 'win32', execPath: 'C:\\Apps\\relay.exe', autostartDir: 'unused' })!;
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(app.loginItem).toMatchObject({ openAtLogin: true, path: 'C:\\Apps\\relay.exe', args: ['--hidden'] });
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
  });

  it('writes an XDG autostart entry on Linux', () => {
    const base = tempDir();
    const app = new FakeApp(base);
    app.isPackaged = true;
    const dir = path.join(base, 'autostart');
    const item = createLoginItem({ app, platform: 'linux', execPath: '/home/u/Apps/Genro Mail Relay.AppImage', autostartDir: dir })!;
    item.setEnabled(true);
    const entry = fs.readFileSync(path.join(dir, 'genro-mail-relay.desktop'), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/home/u/Apps/Genro Mail Relay.AppImage" --hidden');
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
    expect(createLoginItem({ app, platform: 'aix', execPath: 'x', autostartDir: dir })).toBeNull();
  });
});
