// How torture clients wait while the target is down: one pending promise that the next start settles (or rejects,
// if the restart failed), raced against a timeout. Shared by the one-process and the replica targets.
export class UpSignal {
  #down: PromiseWithResolvers<void> | null = null;

  /** Resolves at the next `wake(null)`; rejects on `wake(error)`, or after `timeoutMs` with "<late> within N ms". */
  async wait(timeoutMs: number, late: string): Promise<void> {
    const down = (this.#down ??= Promise.withResolvers<void>());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_res, rej) => {
      timer = setTimeout(() => rej(new Error(`${late} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([down.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Settles whoever waits (read now, not before the start: a client may have started waiting meanwhile). */
  wake(error: unknown): void {
    const down = this.#down;
    this.#down = null;
    if (error === null) down?.resolve();
    else down?.reject(error);
  }
}
