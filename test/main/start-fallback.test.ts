import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script of npm start, without type declarations
import { afterDesktopExit, EARLY_EXIT_MS } from '../../scripts/desktop-exit.mjs';

type Exit = { code: number | null; signal: string | null; elapsedMs: number; stopRequested: boolean };
const decide = afterDesktopExit as (e: Exit) => { action: 'headless'; reason: string } | { action: 'exit'; code: number };
const exit = (over: Partial<Exit>): Exit => ({ code: 0, signal: null, elapsedMs: 60_000, stopRequested: false, ...over });

describe('npm start: the desktop app exits early, the relay starts headless instead', () => {
  it('falls back when Electron ends on its own, early, with an error code or a signal', () => {
    expect(decide(exit({ code: 1, elapsedMs: 800 }))).toEqual({ action: 'headless', reason: 'the desktop app exited early (code 1)' });
    expect(decide(exit({ code: 127, elapsedMs: 50 }))).toEqual({ action: 'headless', reason: 'the desktop app exited early (code 127)' });
    expect(decide(exit({ code: null, signal: 'SIGSEGV', elapsedMs: EARLY_EXIT_MS - 1 }))).toEqual({ action: 'headless', reason: 'the desktop app exited early (signal SIGSEGV)' });
  });

  it('exits with the app when the user quit, a stop was asked for, or it failed after running a while', () => {
    expect(decide(exit({ code: 0, elapsedMs: 500 }))).toEqual({ action: 'exit', code: 0 });
    expect(decide(exit({ code: null, signal: 'SIGTERM', elapsedMs: 500, stopRequested: true }))).toEqual({ action: 'exit', code: 1 });
    expect(decide(exit({ code: 130, elapsedMs: 500, stopRequested: true }))).toEqual({ action: 'exit', code: 130 });
    expect(decide(exit({ code: 1, elapsedMs: EARLY_EXIT_MS }))).toEqual({ action: 'exit', code: 1 });
  });
});
