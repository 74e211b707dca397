import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDesktopIpcHandlers, invokeHandler, registerIpcHandlers, senderCheck, type IpcHandlers } from '../../src/main/ipc.js';
import { IpcChannel, IpcError, isIpcResult } from '../../src/shared/ipc.js';
import { FakeClipboard, FakeIpcMain, FakeShell } from '../support/main/electron-fakes.js';
import { tempDir } from '../support/common/temp-dir.js';

const ORIGIN = 'app://renderer';

describe('IPC handlers and the error envelope', () => {
  let dataDir: string;
  let downloadsDir: string;
  let shell: FakeShell;
  let clipboard: FakeClipboard;
  let ipcMain: FakeIpcMain;
  let handlers: IpcHandlers;

  beforeEach(() => {
    const base = tempDir('gmr-ipc-');
    dataDir = path.join(base, 'data');
    downloadsDir = path.join(base, 'Downloads');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(downloadsDir);
    shell = new FakeShell();
    clipboard = new FakeClipboard();
    ipcMain = new FakeIpcMain();
    handlers = createDesktopIpcHandlers({
      connection: () => ({ url: 'http://127.0.0.1:8000', token: 'tok', smtp: { host: '127.0.0.1', port: 1025 } }),
      appInfo: () => ({ name: 'Genro Mail Relay', version: '0.1.0', electron: '45', chrome: '140', node: '22', platform: 'linux', packaged: false, dataDir }),
      shell,
      clipboard,
      dataDir,
      downloadsDir,
      pathExists: (p) => fs.existsSync(p),
    });
    registerIpcHandlers(ipcMain, handlers, senderCheck(ORIGIN));
  });

  it('registers one handler per channel of the map', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(IpcChannel).sort());
  });

  it('answers the relay connection in an ok envelope', async () => {
    const r = await ipcMain.invoke(`${ORIGIN}/index.html`, IpcChannel.RelayConnection);
    expect(r).toEqual({ ok: true, data: { url: 'http://127.0.0.1:8000', token: 'tok', smtp: { host: '127.0.0.1', port: 1025 } } });
    expect(isIpcResult(r)).toBe(true);
  });

  it('refuses calls from frames that are not the app renderer', async () => {
    for (const url of ['https://evil.example/', 'app://rendererx/index.html', 'file:///tmp/x.html', '']) {
      const r = await ipcMain.invoke(url, IpcChannel.RelayConnection);
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });

  it('copies text to the clipboard', async () => {
    expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.CopyText, 'SMTP port: 1025')).toEqual({ ok: true, data: null });
    expect(clipboard.text).toBe('SMTP port: 1025');
  });

  it('rejects bad arguments with invalid_argument, before the handler runs', async () => {
    const r = await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.CopyText, 42);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/argument 0/);
    expect(clipboard.text).toBe('');
    const extra = await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.AppInfo, 'unexpected');
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
  });

  it('opens only http(s) and mailto links externally', async () => {
    expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.OpenExternal, 'https://example.com/docs')).toEqual({ ok: true, data: null });
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url', 'smb://host/share']) {
      const r = await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.OpenExternal, bad);
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_url' } });
    }
    expect(shell.opened).toEqual(['https://example.com/docs']);
  });

  it('shows only files inside the data or downloads folder', async () => {
    const eml = path.join(downloadsDir, 'message.eml');
    fs.writeFileSync(eml, 'Subject: x\r\n\r\n');
    const db = path.join(dataDir, 'mail_service.db');
    fs.writeFileSync(db, '');
    expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.ShowItemInFolder, eml)).toEqual({ ok: true, data: null });
    expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.ShowItemInFolder, db)).toEqual({ ok: true, data: null });
    for (const bad of ['/etc/passwd', path.join(dataDir, '..', 'elsewhere'), 'relative/file', dataDir]) {
      expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.ShowItemInFolder, bad)).toMatchObject({ ok: false, error: { code: 'forbidden_path' } });
    }
    expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.ShowItemInFolder, path.join(dataDir, 'missing.db'))).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(shell.shownItems).toEqual([eml, db]);
  });

  it('opens the data folder and reports a failure from the shell', async () => {
    expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.OpenDataFolder)).toEqual({ ok: true, data: null });
    fs.rmSync(dataDir, { recursive: true });
    expect(await ipcMain.invoke(`${ORIGIN}/`, IpcChannel.OpenDataFolder)).toMatchObject({ ok: false, error: { code: 'open_failed' } });
    expect(shell.openedPaths).toEqual([dataDir, dataDir]);
  });

  it('keeps error codes of thrown errors and labels unknown ones internal', async () => {
    const throwing: IpcHandlers = {
      ...handlers,
      [IpcChannel.AppInfo]: () => {
        throw new IpcError('busy', 'try later');
      },
      [IpcChannel.RelayConnection]: () => {
        throw new Error('relay not started');
      },
    };
    expect(await invokeHandler(throwing, IpcChannel.AppInfo, [])).toEqual({ ok: false, error: { code: 'busy', message: 'try later' } });
    expect(await invokeHandler(throwing, IpcChannel.RelayConnection, [])).toEqual({ ok: false, error: { code: 'internal', message: 'relay not started' } });
  });

  it('unregisters every channel', () => {
    const other = new FakeIpcMain();
    const off = registerIpcHandlers(other, handlers, senderCheck(ORIGIN));
    off();
    expect(other.handlers.size).toBe(0);
  });

  it('recognises envelopes and nothing else', () => {
    expect(isIpcResult({ ok: true, data: null })).toBe(true);
    expect(isIpcResult({ ok: false, error: { code: 'x', message: 'y' } })).toBe(true);
    expect(isIpcResult({ ok: false, error: { code: 1 } })).toBe(false);
    expect(isIpcResult({ ok: true })).toBe(false);
    expect(isIpcResult(null)).toBe(false);
    expect(isIpcResult('ok')).toBe(false);
  });
});
