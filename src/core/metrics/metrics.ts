import type { RelayContext } from '../context.js';

/** Prometheus metrics, fed by the bus and read from the store. */
export interface Metrics {
  contentType: string;
  render(): Promise<string>;
  stop(): void;
}

export function createMetrics(deps: { ctx: RelayContext }): Metrics {
  void deps;
  return { contentType: 'text/plain; version=0.0.4; charset=utf-8', render: async () => '', stop() {} };
}
