import type { RelayContext } from '../context.js';

export class QueueService {
  constructor(readonly ctx: RelayContext) {}
}
