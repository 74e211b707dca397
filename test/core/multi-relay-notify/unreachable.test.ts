import { describe, expect, it } from 'vitest';
import { databaseFailure } from '../../../src/core/api/middleware/errors.js';
import { unreachableReason } from '../../../src/core/store/unreachable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/** Which errors mean "the database cannot be reached" (store/unreachable.ts), and the 503 they become. */
describe('an unreachable database (unreachableReason)', () => {
  it('names the reason of a refused, cut or shut-down connection', () => {
    expect(unreachableReason(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe('connection refused');
    expect(unreachableReason(new Error('Connection terminated unexpectedly'))).toBe('connection lost');
    expect(unreachableReason(withCode('terminating connection due to administrator command', '57P01'))).toBe('the server is shutting down');
    expect(unreachableReason(withCode('the database system is starting up', '57P03'))).toBe('the server is starting up or shutting down');
    expect(unreachableReason(withCode('connection failure', '08006'))).toBe('connection failure');
    expect(unreachableReason(new AggregateError([withCode('x', 'ECONNREFUSED')], 'all addresses failed'))).toBe('connection refused');
  });

  it('leaves every other error alone', () => {
    expect(unreachableReason(withCode('duplicate key value violates unique constraint', '23505'))).toBeNull();
    expect(unreachableReason(withCode('disk full', 'SQLITE_FULL'))).toBeNull();
    expect(unreachableReason(new Error('boom'))).toBeNull();
    expect(unreachableReason('ECONNREFUSED')).toBeNull();
  });

  it('becomes a 503 naming the reason in the error middleware', () => {
    expect(databaseFailure(withCode('connect ECONNREFUSED', 'ECONNREFUSED'))).toMatchObject({ status: 503, code: 'database_unreachable', message: 'database unreachable: connection refused' });
    expect(databaseFailure(new Error('boom'))).toBeNull();
  });
});
