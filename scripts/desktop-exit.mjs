// What npm start does when the desktop app's process ends: a pure decision, tested in test/main.

/** an exit sooner than this after the start is Electron failing to come up, not the user quitting */
export const EARLY_EXIT_MS = 15_000;

/**
 * 'headless' when Electron ended on its own, early, with an error code or a signal (missing system
 * libraries, no usable display, a crash at start); otherwise 'exit' with the code npm start exits with.
 * @param {{ code: number | null, signal: string | null, elapsedMs: number, stopRequested: boolean }} e
 * @returns {{ action: 'headless', reason: string } | { action: 'exit', code: number }}
 */
export function afterDesktopExit({ code, signal, elapsedMs, stopRequested }) {
  const failed = code !== 0 || signal !== null;
  if (failed && !stopRequested && elapsedMs < EARLY_EXIT_MS) {
    return { action: 'headless', reason: `the desktop app exited early (${signal ? `signal ${signal}` : `code ${code}`})` };
  }
  return { action: 'exit', code: code ?? (signal ? 1 : 0) };
}
