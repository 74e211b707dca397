import { GenropyApp, type GenropyAppOptions } from '../index.js';
import { StubRelay, TestClock } from './stub-relay.js';

export interface Setup {
  app: GenropyApp;
  relay: StubRelay;
  clock: TestClock;
  stop(): Promise<void>;
}

/** A registered application (tenant "acme", account "acc") in front of a stub relay. */
export async function registeredApp(o: Partial<GenropyAppOptions> = {}): Promise<Setup> {
  const relay = await new StubRelay().start();
  const clock = new TestClock();
  const app = await GenropyApp.start({ proxyUrl: relay.url, adminToken: 'ADMIN', tenantId: 'acme', clock, ...o });
  await app.saveAccount({
    id: 'acc',
    account_name: 'Main',
    smtp_host: 'smtp.example.org',
    smtp_port: 587,
    smtp_tls: true,
    smtp_from_address: 'Shop <shop@example.org>',
    system_bcc: 'archive@example.org',
    save_output_message: true,
  });
  const registered = await app.register();
  if (!registered.ok) throw new Error(`register failed: ${registered.error}`);
  return {
    app,
    relay,
    clock,
    async stop() {
      await app.stop();
      await relay.stop();
    },
  };
}

/** The ids of each add-messages call the stub relay received, in order. */
export function pushedIds(relay: StubRelay): string[][] {
  return relay.callsTo('POST /commands/add-messages').map((c) => (c.json as { messages: { id: string }[] }).messages.map((m) => m.id));
}

/** The messages of the last add-messages call. */
export function lastPush(relay: StubRelay): Record<string, unknown>[] {
  const calls = relay.callsTo('POST /commands/add-messages');
  return (calls.at(-1)?.json as { messages: Record<string, unknown>[] } | undefined)?.messages ?? [];
}
