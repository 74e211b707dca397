import type { RelayContext } from '../context.js';

/** The sandbox SMTP server that captures mail. */
export interface Sink {
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

export function createSink(deps: { ctx: RelayContext }): Sink {
  return {
    async start() {
      return { host: deps.ctx.config.smtpHost, port: deps.ctx.config.smtpPort };
    },
    async stop() {},
  };
}
