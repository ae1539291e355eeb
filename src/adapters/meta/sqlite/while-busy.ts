// Waiting out another process's lock where SQLite will not wait (switching to WAL) or not long enough (an upgrade
// that rebuilds tables): better-sqlite3 is synchronous, so the pause blocks this thread as SQLite's busy handler does.

/**
 * Runs `fn`, again every `pauseMs` while it fails with SQLITE_BUSY or one of its extended codes (BUSY_RECOVERY,
 * BUSY_SNAPSHOT), for up to `waitMs`; then, or on any other error, throws. `fn` must leave nothing behind when it
 * fails busy (a statement, or a transaction that rolled back).
 */
export function whileBusy<T>(fn: () => T, waitMs: number, pauseMs: number): T {
  const deadline = Date.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, pauseMs);
    }
  }
}
