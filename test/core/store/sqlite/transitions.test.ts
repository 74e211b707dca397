import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../../src/core/store/sqlite/migrations/index.js';
import { guardOf, guardWithin, reportedGuard, stateWritten, statesFrom } from '../../../../src/core/store/sql/transitions.js';
import { openTempStore } from '../../../support/store/sqlite.js';

describe('SQL of the message state machine', () => {
  it('guards each transition with the states the table allows it from', () => {
    expect(guardOf('claim')).toBe(`state = 'queued'`);
    expect(guardOf('promote')).toBe(`state = 'deferred'`);
    expect(guardOf('sent')).toBe(`state = 'sending'`);
    expect(guardOf('report')).toBe(`state IN ('sent','error') AND reported_ts IS NULL`);
    expect(guardOf('delete')).toBe(`state IN ('queued','deferred','sending','sent','error')`);
    expect(guardOf('report', 'm')).toBe(`m.state IN ('sent','error') AND m.reported_ts IS NULL`);
  });

  it('adds the delivered check to the transitions only undelivered messages may take', () => {
    expect(guardOf('retry')).toBe(`state IN ('error','deferred') AND sent_ts IS NULL`);
    expect(guardOf('replace', 'm')).toBe(`m.state IN ('queued','deferred','error') AND m.sent_ts IS NULL`);
  });

  it('writes the state the table leads to, and refuses what the table does not allow', () => {
    expect(stateWritten('claim')).toBe(`'sending'`);
    expect(stateWritten('enqueue', { scheduled: true })).toBe(`'deferred'`);
    expect(() => stateWritten('delete')).toThrow(/writes no state/);
    expect(guardWithin('purge', ['error'])).toBe(`state = 'error'`);
    // retention's two sweeps: reported outcomes past retention, unreported ones without an application
    expect(guardWithin('purge', ['sent', 'error'], true)).toBe(`state IN ('sent','error') AND reported_ts IS NOT NULL`);
    expect(guardWithin('purge', ['sent', 'error'], false)).toBe(`state IN ('sent','error') AND reported_ts IS NULL`);
    // the report keeps the state: it writes none
    expect(() => stateWritten('report')).toThrow(/writes none/);
    expect(() => guardWithin('purge', ['queued'])).toThrow(/not allowed from queued/);
    // enqueue starts from no row at all
    expect(statesFrom('enqueue')).toEqual([]);
    expect(() => guardOf('enqueue')).toThrow(/at least one state/);
  });

  it('matches the conditions of the partial indexes the statements name', () => {
    const schema = MIGRATIONS.map((m) => m.up.toString()).join('\n');
    for (const t of ['claim', 'promote', 'expire', 'report'] as const) expect(schema).toContain(`WHERE ${guardOf(t)}`);
    expect(schema).toContain(`WHERE ${reportedGuard(true)}`);
  });

  it('fails to open, not to run, when a guard stops matching the index a statement names', async () => {
    const t = await openTempStore();
    try {
      // every statement is prepared when the store opens: this one did, with the derived guard
      await t.store.withConnection((db) => db.prepare(`SELECT seq FROM messages INDEXED BY messages_queued WHERE ${guardOf('claim')}`));
      // a table that let claims start from a second state would make the same statement unpreparable
      const widened = `state IN ('queued','deferred')`;
      await expect(
        t.store.withConnection((db) => db.prepare(`SELECT seq FROM messages INDEXED BY messages_queued WHERE ${widened}`)),
      ).rejects.toThrow(/no query solution/);
    } finally {
      await t.remove();
    }
  });
});
