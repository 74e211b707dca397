import type { TestContext } from '../relay/context.js';

/** What createReporter takes, from a test context. */
export function reporterDeps(t: TestContext) {
  return { reports: t.store.reports, messages: t.store.messages, settings: t.settings, bus: t.bus, config: t.config, clock: t.clock, logger: t.logger };
}
