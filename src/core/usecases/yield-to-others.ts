// Long metadata work must let waiting requests in: the embedded store answers synchronously, so awaiting it never
// reaches the event loop, and a run that does not yield on its own holds the process until it ends.

/**
 * Resolves after the event loop has served what was waiting (I/O callbacks first, then this). Lifecycle runs (pushes
 * stalled for minutes over 10,000 repositories without it, docs/LIFECYCLE.md "Figures") and GC passes call it
 * between batches.
 */
export const yieldToOthers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
