import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { DesktopApp, USER_DATA_FOLDER } from '../../src/main/desktop-app.js';
import { AUTOSTART_FILE } from '../../src/main/login-item.js';
import { IpcChannel, type RelayConnectionInfo } from '../../src/shared/ipc.js';
import { fakeElectron, type FakeMenu } from '../support/main/electron-fakes.js';
import { waitFor } from '../support/common/wait.js';
import { tempDir } from '../support/common/temp-dir.js';
import { RESOURCES } from '../support/common/paths.js';

const RENDERER = 'app://renderer';

interface Started {
  desktop: DesktopApp<FakeMenu>;
  fx: ReturnType<typeof fakeElectron>;
  base: string;
  dataDir: string;
  result: Awaited<ReturnType<DesktopApp['run']>>;
}

const running: Started[] = [];

async function startDesktop(opts: { lock?: boolean; extraArgv?: string[]; portArgs?: string[]; dataDir?: string } = {}): Promise<Started> {
  const base = tempDir('gmr-desktop-');
  const dataDir = opts.dataDir ?? path.join(base, 'data');
  // the built app's layout: out/main (this bundle), out/preload, out/renderer
  const mainDir = path.join(base, 'out', 'main');
  fs.mkdirSync(mainDir, { recursive: true });
  fs.mkdirSync(path.join(base, 'out', 'renderer', 'assets'), { recursive: true });
  fs.writeFileSync(path.join(base, 'out', 'renderer', 'index.html'), '<!doctype html><title>relay</title>');
  fs.writeFileSync(path.join(base, 'out', 'renderer', 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'not for the renderer');
  const fx = fakeElectron(base);
  fx.app.lockAvailable = opts.lock ?? true;
  const desktop = new DesktopApp<FakeMenu>(fx.deps, {
    platform: 'linux',
    arch: 'x64',
    argv: [
      ...(opts.portArgs ?? ['--port', '0', '--smtp-port', '0']),
      '--data-dir',
      dataDir,
      '--api-token',
      'desk-token-0123456789',
      // a Chromium switch on the command line must not upset the config loader
      '--no-sandbox',
      ...(opts.extraArgv ?? []),
    ],
    env: { XDG_CONFIG_HOME: path.join(base, 'xdg') },
    cwd: base,
    homeDir: path.join(base, 'home'),
    mainDir,
    resourcesDir: RESOURCES,
    execPath: '/opt/Genro Mail Relay/genro-mail-relay',
    logger: silentLogger(),
    trayCoalesceMs: 10,
  });
  const result = await desktop.run();
  const started = { desktop, fx, base, dataDir, result };
  running.push(started);
  return started;
}

afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.result === 'primary' && !s.fx.app.quitted) {
      s.fx.app.quit();
      await s.desktop.stopped;
    }
  }
});

async function connection(s: Started): Promise<RelayConnectionInfo> {
  const r = (await s.fx.ipcMain.invoke(`${RENDERER}/index.html`, IpcChannel.RelayConnection)) as { ok: true; data: RelayConnectionInfo };
  expect(r.ok).toBe(true);
  return r.data;
}

describe('desktop app lifecycle with injected Electron objects', () => {
  it('a second launch quits at once and starts nothing', async () => {
    const s = await startDesktop({ lock: false });
    expect(s.result).toBe('secondary');
    expect(s.fx.app.quitted).toBe(true);
    expect(s.desktop.relay).toBeNull();
    expect(s.fx.windows).toHaveLength(0);
    expect(s.fx.trays).toHaveLength(0);
    expect(fs.existsSync(path.join(s.dataDir, 'mail_service.db'))).toBe(false);
    // the lock lives in the per-user folder, the same for every launch
    expect(s.fx.app.getPath('userData')).toBe(path.join(s.fx.app.getPath('appData'), USER_DATA_FOLDER));
  });

  it('starts the relay in-process and hands the renderer its URL and token over IPC', async () => {
    const s = await startDesktop();
    expect(s.result).toBe('primary');
    const conn = await connection(s);
    expect(conn.token).toBe('desk-token-0123456789');
    expect(conn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${conn.url}/health`)).status).toBe(200);
    const settings = await fetch(`${conn.url}/api/settings`, { headers: { 'X-API-Token': conn.token } });
    expect(settings.status).toBe(200);
    expect(fs.existsSync(path.join(s.dataDir, 'mail_service.db'))).toBe(true);

    const appInfo = (await s.fx.ipcMain.invoke(`${RENDERER}/`, IpcChannel.AppInfo)) as { ok: true; data: { dataDir: string; version: string } };
    expect(appInfo.data).toMatchObject({ dataDir: s.dataDir, version: '0.1.0' });
    // other frames get nothing
    expect(await s.fx.ipcMain.invoke('https://example.com/', IpcChannel.RelayConnection)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('opens a hardened window on the renderer, served from app://renderer with no way out of its folder', async () => {
    const s = await startDesktop();
    expect(s.fx.windows).toHaveLength(1);
    const win = s.fx.windows[0];
    expect(win.visible).toBe(true);
    expect(win.loadedUrl).toBe(`${RENDERER}/index.html`);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true });
    expect(win.options.webPreferences.preload).toBe(path.join(s.base, 'out', 'preload', 'index.cjs'));
    // the token never travels in the URL
    expect(win.loadedUrl).not.toContain('desk-token-0123456789');

    expect(s.fx.protocol.privileged).toEqual(['app']);
    const serve = s.fx.protocol.handlers.get('app')!;
    expect(await (await serve(new Request(`${RENDERER}/index.html`))).text()).toContain('<title>relay</title>');
    expect(await (await serve(new Request(`${RENDERER}/assets/app.js`))).text()).toBe('console.log(1)');
    expect(await (await serve(new Request(`${RENDERER}/queue/view`))).text()).toContain('<title>relay</title>');
    for (const escape of ['/%2e%2e/%2e%2e/secret.txt', '/..%2f..%2fsecret.txt', '/assets/..%2f..%2f..%2fsecret.txt']) {
      const res = await serve(new Request(`${RENDERER}${escape}`));
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('not for the renderer');
    }
    expect((await serve(new Request('app://elsewhere/index.html'))).status).toBe(403);
    expect((await serve(new Request(`${RENDERER}/assets/missing.js`))).status).toBe(404);

    // links leave for the system browser; navigation away is refused
    expect(win.webContents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(s.fx.shell.opened).toEqual(['https://example.com/']);
  });

  it('grants CORS on the relay to the renderer origin only', async () => {
    const s = await startDesktop();
    const conn = await connection(s);
    const { listener, filter } = s.fx.webRequest;
    expect(filter!.urls).toEqual(['http://127.0.0.1/*']);
    const answer = (details: { url: string; method: string; initiatorOrigin?: string }) => {
      let out: unknown;
      listener!({ statusLine: 'HTTP/1.1 404 Not Found', responseHeaders: { 'Content-Type': ['application/json'] }, ...details }, (r) => (out = r));
      return out as { responseHeaders?: Record<string, string[]>; statusLine?: string };
    };
    const preflight = answer({ url: `${conn.url}/api/messages`, method: 'OPTIONS', initiatorOrigin: RENDERER });
    expect(preflight.statusLine).toBe('HTTP/1.1 204 No Content');
    expect(preflight.responseHeaders!['Access-Control-Allow-Origin']).toEqual([RENDERER]);
    expect(preflight.responseHeaders!['Access-Control-Allow-Headers']![0]).toContain('X-API-Token');
    const get = answer({ url: `${conn.url}/api/events?token=x`, method: 'GET', initiatorOrigin: RENDERER });
    expect(get.statusLine).toBeUndefined();
    expect(get.responseHeaders!['Content-Type']).toEqual(['application/json']);
    // another page, or another local port, gets nothing added
    expect(answer({ url: `${conn.url}/api/messages`, method: 'GET', initiatorOrigin: 'https://evil.example' })).toEqual({});
    expect(answer({ url: 'http://127.0.0.1:1/api/messages', method: 'GET', initiatorOrigin: RENDERER })).toEqual({});
  });

  it('closing the window keeps the relay in the tray; a second launch brings the window back', async () => {
    const s = await startDesktop();
    const conn = await connection(s);
    const win = s.fx.windows[0];
    win.userClose();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);
    expect((await fetch(`${conn.url}/health`)).status).toBe(200);

    win.minimized = true;
    s.fx.app.emit('second-instance');
    expect(s.fx.windows).toHaveLength(1);
    expect(win.visible).toBe(true);
    expect(win.focused).toBe(true);
    expect(win.minimized).toBe(false);
  });

  it('the tray menu drives the running relay', async () => {
    const s = await startDesktop();
    const conn = await connection(s);
    const tray = s.fx.trays[0];
    const relay = s.desktop.relay!;
    expect(tray.tooltip).toContain('sandbox');
    expect(path.basename(tray.image.path)).toBe('tray-sandbox.png');

    tray.click('pause');
    expect(relay.ctx.settings.current().paused).toBe(true);
    await waitFor(() => tray.item('pause')?.label === 'Resume dispatch', 'menu rebuilt as paused');
    expect(path.basename(tray.image.path)).toBe('tray-paused.png');
    const view = (await (await fetch(`${conn.url}/api/settings`, { headers: { 'X-API-Token': conn.token } })).json()) as { paused: boolean };
    expect(view.paused).toBe(true);
    tray.click('pause');
    await waitFor(() => tray.item('pause')?.label === 'Pause dispatch', 'menu rebuilt as running');

    // first switch to real asks; the answer "stay in sandbox" keeps sandbox and the radio item
    s.fx.dialog.responses = [1];
    tray.click('mode-real');
    await waitFor(() => s.fx.dialog.boxes.length === 1, 'confirmation dialog');
    await waitFor(() => tray.item('mode-sandbox')?.checked === true, 'menu rebuilt after cancelling');
    expect(relay.ctx.settings.current().delivery_mode).toBe('sandbox');
    s.fx.dialog.responses = [0];
    tray.click('mode-real');
    await waitFor(() => relay.ctx.settings.current().delivery_mode === 'real', 'real mode');
    await waitFor(() => path.basename(tray.image.path) === 'tray-real.png', 'real icon');
    tray.click('mode-sandbox');
    await waitFor(() => relay.ctx.settings.current().delivery_mode === 'sandbox', 'back to sandbox');
    // the menu is rebuilt from the recounted state a moment later: a user clicks on that one
    await waitFor(() => tray.item('mode-sandbox')?.checked === true, 'menu rebuilt in sandbox');
    tray.click('mode-real');
    await waitFor(() => relay.ctx.settings.current().delivery_mode === 'real', 'real again');
    expect(s.fx.dialog.boxes).toHaveLength(2);

    tray.click('copy-api');
    expect(s.fx.clipboard.text).toBe(`API URL: ${conn.url}\nAPI token: desk-token-0123456789`);
    tray.click('copy-smtp');
    expect(s.fx.clipboard.text).toContain(`SMTP port: ${conn.smtp.port}`);

    expect(tray.item('rehearse-limits')?.checked).toBe(false);
    tray.click('rehearse-limits');
    await waitFor(() => tray.item('rehearse-limits')?.checked === true, 'menu rebuilt with limits rehearsal on');
    expect(s.desktop.relay!.services.settings.current().sandbox_rehearse_limits).toBe(true);

    tray.click('mute');
    expect(s.desktop.prefs!.current().notificationsMuted).toBe(true);
    expect(tray.item('mute')?.checked).toBe(true);

    const autostart = path.join(s.base, 'xdg', 'autostart', AUTOSTART_FILE);
    tray.click('login');
    expect(fs.readFileSync(autostart, 'utf8')).toContain(`Exec="/opt/Genro Mail Relay/genro-mail-relay" ${s.fx.app.getAppPath()} --hidden`);
    expect(tray.item('login')?.checked).toBe(true);
    tray.click('login');
    expect(fs.existsSync(autostart)).toBe(false);

    s.desktop.window!.show();
    s.fx.windows[0].hide();
    tray.click('open');
    expect(s.fx.windows[0].visible).toBe(true);
  });

  it('notifies the first captured message of a burst; clicking it opens the window', async () => {
    const s = await startDesktop();
    s.fx.windows[0].userClose();
    const bus = s.desktop.relay!.ctx.bus;
    for (let i = 0; i < 50; i++) {
      bus.emit('captured', { id: i, received_ts: 0, from: 'a@x', to: ['b@y'], subject: `s${i}`, size: 1, attachments: 0, mailbox: null, relay_message_id: null });
    }
    expect(s.fx.notifications.created).toHaveLength(1);
    const note = s.fx.notifications.created[0];
    expect(note.shown).toBe(true);
    expect(note.options.body).toContain('s0');
    note.emit('click');
    expect(s.fx.windows[0].visible).toBe(true);
  });

  it('quitting stops the relay gracefully and lets the window close', async () => {
    const s = await startDesktop();
    const conn = await connection(s);
    s.fx.trays[0].click('pause');
    s.fx.app.quit();
    // the first before-quit is held until the relay has stopped
    expect(s.fx.app.quitted).toBe(false);
    await s.desktop.stopped;
    expect(s.fx.app.quitted).toBe(true);
    await expect(fetch(`${conn.url}/health`)).rejects.toThrow();
    expect(s.fx.trays[0].destroyed).toBe(true);
    expect(s.fx.ipcMain.handlers.size).toBe(0);
    s.fx.windows[0].userClose();
    expect(s.fx.windows[0].destroyed).toBe(true);
    // the database was closed cleanly: the next start opens it, with what the tray changed
    const again = await startDesktop({ dataDir: s.dataDir });
    expect(again.result).toBe('primary');
    expect(again.desktop.relay!.ctx.settings.current().paused).toBe(true);
    expect(again.fx.trays[0].item('pause')?.label).toBe('Resume dispatch');
  });

  it('--hidden (start at login) starts in the tray without a window', async () => {
    const s = await startDesktop({ extraArgv: ['--hidden'] });
    expect(s.result).toBe('primary');
    expect(s.fx.windows).toHaveLength(0);
    expect(s.fx.trays).toHaveLength(1);
    s.fx.trays[0].click('open');
    expect(s.fx.windows).toHaveLength(1);
    expect(s.fx.windows[0].visible).toBe(true);
  });

  it('a taken port ends in an error dialog naming the fix, and exit 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const s = await startDesktop({ portArgs: ['--port', String(port), '--smtp-port', '0'] });
      expect(s.result).toBe('failed');
      expect(s.fx.app.exitCode).toBe(1);
      expect(s.fx.dialog.errors).toHaveLength(1);
      expect(s.fx.dialog.errors[0].content).toContain('--port');
      expect(s.fx.trays).toHaveLength(0);
    } finally {
      blocker.close();
    }
  });

  it('an invalid option ends in an error dialog naming it', async () => {
    const s = await startDesktop({ extraArgv: ['--delivery-mode', 'loud'] });
    expect(s.result).toBe('failed');
    expect(s.fx.dialog.errors[0].content).toContain('--delivery-mode');
  });
});
