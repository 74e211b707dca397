import { contextBridge, ipcRenderer } from 'electron';
import {
  DESKTOP_API_KEY,
  IpcChannel,
  isIpcResult,
  type DesktopApi,
  type IpcArgs,
  type IpcChannelName,
  type IpcErrorBody,
  type IpcReturn,
} from '../shared/ipc.js';

/**
 * Typed invoke: unwraps the `IpcResult` envelope. A failure rejects with the envelope's plain
 * `{code, message}` object, because the context bridge strips custom properties from Error objects.
 */
async function invoke<C extends IpcChannelName>(channel: C, ...args: IpcArgs<C>): Promise<IpcReturn<C>> {
  const result: unknown = await ipcRenderer.invoke(channel, ...args);
  if (!isIpcResult(result)) throw { code: 'bad_reply', message: `unexpected reply on ${channel}` } satisfies IpcErrorBody;
  if (!result.ok) throw { code: result.error.code, message: result.error.message } satisfies IpcErrorBody;
  return result.data as IpcReturn<C>;
}

const api: DesktopApi = {
  platform: process.platform,
  getConnection: () => invoke(IpcChannel.RelayConnection),
  appInfo: () => invoke(IpcChannel.AppInfo),
  openExternal: (url) => invoke(IpcChannel.OpenExternal, url),
  openDataFolder: () => invoke(IpcChannel.OpenDataFolder),
  showItemInFolder: (path) => invoke(IpcChannel.ShowItemInFolder, path),
  copyText: (text) => invoke(IpcChannel.CopyText, text),
};

contextBridge.exposeInMainWorld(DESKTOP_API_KEY, api);
