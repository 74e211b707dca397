import { okAnswer, type CapturedReadBody } from '../../../shared/api/index.js';
import type { RelayApi } from './client.js';

/** PUT /api/captured/read: these ids, else what the search matches, else all captured mail. */
export async function setCapturedRead(api: Pick<RelayApi, 'checked'>, sel: CapturedReadBody): Promise<void> {
  await api.checked(okAnswer, 'PUT', '/api/captured/read', sel);
}
