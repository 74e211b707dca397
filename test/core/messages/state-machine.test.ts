import { describe, expect, it } from 'vitest';
import { MESSAGE_STATES } from '../../../src/core/messages/types.js';
import {
  TRANSITION_NAMES,
  TRANSITIONS,
  allowedFrom,
  canTransition,
  decideEnqueue,
  targetOf,
  transitionsFrom,
  type Origin,
} from '../../../src/core/messages/state-machine.js';

describe('message state machine', () => {
  it('names every transition of the architecture, each from known states to a known state', () => {
    expect(TRANSITION_NAMES).toEqual([
      'enqueue', 'replace', 'claim', 'promote', 'sent', 'fail', 'defer', 'release', 'expire', 'report', 'retry', 'delete', 'purge',
    ]);
    for (const t of TRANSITION_NAMES) {
      for (const s of allowedFrom(t)) expect(['new', ...MESSAGE_STATES], `${t} from ${s}`).toContain(s);
      expect([...MESSAGE_STATES, 'deleted', 'unchanged'], `${t} to`).toContain(targetOf(t));
    }
  });

  it('says where each transition starts and where it leads', () => {
    const table = Object.fromEntries(TRANSITION_NAMES.map((t) => [t, `${allowedFrom(t).join('|')} -> ${targetOf(t)}`]));
    expect(table).toEqual({
      enqueue: 'new -> queued',
      replace: 'queued|deferred|error -> queued',
      claim: 'queued -> sending',
      promote: 'deferred -> queued',
      sent: 'sending -> sent',
      fail: 'sending -> error',
      defer: 'sending -> deferred',
      release: 'sending -> queued',
      expire: 'sending -> queued',
      report: 'sent|error -> unchanged',
      retry: 'error|deferred -> queued',
      delete: 'queued|deferred|sending|sent|error -> deleted',
      purge: 'sent|error -> deleted',
    });
  });

  it('sends a message scheduled for later to deferred on enqueue and replace only', () => {
    expect(targetOf('enqueue', { scheduled: true })).toBe('deferred');
    expect(targetOf('replace', { scheduled: true })).toBe('deferred');
    expect(targetOf('enqueue', { scheduled: false })).toBe('queued');
    expect(targetOf('claim', { scheduled: true })).toBe('sending');
    expect(targetOf('retry', { scheduled: true })).toBe('queued');
  });

  it('refuses replace and retry once the message was delivered', () => {
    expect(canTransition('retry', 'error')).toBe(true);
    expect(canTransition('retry', 'sent', { delivered: true })).toBe(false);
    expect(canTransition('replace', 'error', { delivered: false })).toBe(true);
    expect(canTransition('replace', 'sent', { delivered: true })).toBe(false);
    // the other transitions do not look at it
    expect(canTransition('delete', 'sent', { delivered: true })).toBe(true);
    expect(canTransition('purge', 'sent', { delivered: true })).toBe(true);
    expect(canTransition('report', 'sent', { delivered: true })).toBe(true);
  });

  it('keeps the outcome once reported: a reported error is still an error, retried and replaced as one (#20.1)', () => {
    expect(targetOf('report')).toBe('unchanged');
    expect(canTransition('report', 'error')).toBe(true);
    // reported once per outcome
    expect(canTransition('report', 'error', { reported: true })).toBe(false);
    expect(canTransition('report', 'sent', { delivered: true, reported: true })).toBe(false);
    expect(canTransition('retry', 'error', { reported: true })).toBe(true);
    expect(canTransition('replace', 'error', { reported: true })).toBe(true);
    expect(canTransition('delete', 'error', { reported: true })).toBe(true);
    expect(canTransition('purge', 'error', { reported: true })).toBe(true);
    expect(canTransition('purge', 'sent', { delivered: true, reported: true })).toBe(true);
    expect(transitionsFrom('error', { reported: true })).toEqual(['replace', 'retry', 'delete', 'purge']);
    expect(transitionsFrom('sent', { delivered: true, reported: true })).toEqual(['delete', 'purge']);
  });

  it('lists the transitions out of every state', () => {
    const out = Object.fromEntries(['new', ...MESSAGE_STATES].map((s) => [s, transitionsFrom(s as Origin)]));
    expect(out).toEqual({
      new: ['enqueue'],
      queued: ['replace', 'claim', 'delete'],
      deferred: ['replace', 'promote', 'retry', 'delete'],
      sending: ['sent', 'fail', 'defer', 'release', 'expire', 'delete'],
      sent: ['report', 'delete', 'purge'],
      error: ['replace', 'report', 'retry', 'delete', 'purge'],
    });
    expect(transitionsFrom('sent', { delivered: true })).toEqual(['report', 'delete', 'purge']);
  });

  it('keeps `deleted` for the transitions that remove the message, and nothing leads back to new', () => {
    const removing = TRANSITION_NAMES.filter((t) => targetOf(t) === 'deleted');
    expect(removing).toEqual(['delete', 'purge']);
    expect(TRANSITION_NAMES.filter((t) => canTransition(t, 'new'))).toEqual(['enqueue']);
    expect(TRANSITION_NAMES.filter((t) => (targetOf(t) as string) === 'new')).toEqual([]);
  });

  it('names the timeline row each transition writes', () => {
    expect(Object.fromEntries(TRANSITION_NAMES.map((t) => [t, TRANSITIONS[t].events]))).toEqual({
      enqueue: ['queued'],
      replace: ['replaced'],
      claim: [],
      promote: ['due'],
      sent: ['sent'],
      fail: ['error'],
      defer: ['deferred', 'rate_limited'],
      release: ['lease_expired'],
      expire: ['lease_expired'],
      report: ['reported'],
      retry: ['retry'],
      delete: ['deleted'],
      purge: [],
    });
  });

  describe('decideEnqueue', () => {
    it('inserts a new id, queued or scheduled', () => {
      expect(decideEnqueue(null, false)).toEqual({ kind: 'insert', state: 'queued' });
      expect(decideEnqueue(null, true)).toEqual({ kind: 'insert', state: 'deferred' });
    });

    it('replaces a waiting or failed message, queued or scheduled', () => {
      for (const state of ['queued', 'deferred', 'error'] as const) {
        expect(decideEnqueue({ state, delivered: false }, false), state).toEqual({ kind: 'replace', state: 'queued' });
        expect(decideEnqueue({ state, delivered: false }, true), state).toEqual({ kind: 'replace', state: 'deferred' });
      }
    });

    it('refuses a message being sent or delivered', () => {
      expect(decideEnqueue({ state: 'sending', delivered: false }, false)).toEqual({ kind: 'refuse', reason: 'already sending' });
      expect(decideEnqueue({ state: 'sent', delivered: true }, false)).toEqual({ kind: 'refuse', reason: 'already sent' });
      expect(decideEnqueue({ state: 'sent', delivered: true }, true)).toEqual({ kind: 'refuse', reason: 'already sent' });
    });
  });
});
