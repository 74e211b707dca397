import { nowSec } from '../../../src/core/clock.js';
import { MessageIntake } from '../../../src/core/services/intake.js';
import { accountWithDefaults } from '../../../src/core/store/records.js';
import type { TestContext } from '../relay/context.js';

export interface IntakeContext extends TestContext {
  /** 'dispatch' for every dispatch wake announced on the bus */
  wakes: string[];
  /** the one intake the messages and send services share */
  intake: MessageIntake;
}

/** The context with account 'acc' stored, its message intake, and the dispatch wakes it hears. */
export async function withIntake(ctx: TestContext): Promise<IntakeContext> {
  await ctx.store.accounts.upsert(accountWithDefaults({ id: 'acc', host: '127.0.0.1', port: 2525 }), nowSec(ctx.clock));
  const wakes: string[] = [];
  ctx.bus.on('dispatch.wake', () => wakes.push('dispatch'));
  const intake = new MessageIntake({ store: ctx.store, bus: ctx.bus, clock: ctx.clock });
  return { ...ctx, wakes, intake };
}
