// Retention runs inside `berth serve`: every governed repository on a timer (lifecycle.interval) and on demand from
// the berth API, one run at a time in this process, each after the pull recorder flushed so pull ages are current.
import {
  type Actor,
  LIFECYCLE_ACTOR,
  type LifecycleRunResult,
  type RunAllDeps,
  type RunAllResult,
  runLifecycle,
  runLifecycleEverywhere,
} from '../core/index.ts';

export class LifecycleScheduler {
  readonly #deps: RunAllDeps;
  readonly #flushPulls: () => Promise<unknown>;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<unknown> | null = null;
  #stopped = false;

  constructor(deps: RunAllDeps, flushPulls: () => Promise<unknown>, onError: (err: unknown) => void) {
    this.#deps = deps;
    this.#flushPulls = flushPulls;
    this.#onError = onError;
  }

  /** Runs every `intervalMs` (0 = never on its own); the first run after one interval. */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      if (this.#current === null) this.runAll(LIFECYCLE_ACTOR).catch(this.#onError);
    }, intervalMs);
    this.#timer.unref();
  }

  async #exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#current) await this.#current.catch(() => undefined);
    const p = (async () => {
      await this.#flushPulls();
      return work();
    })();
    this.#current = p;
    try {
      return await p;
    } finally {
      this.#current = null;
    }
  }

  runAll(actor: Actor): Promise<RunAllResult> {
    return this.#exclusive(async () => (this.#stopped ? { runs: [], failed: [] } : runLifecycleEverywhere(this.#deps, actor)));
  }

  run(repository: string, actor: Actor): Promise<LifecycleRunResult> {
    return this.#exclusive(() => runLifecycle(this.#deps, repository, actor));
  }

  /** Stops the timer and waits for a run in progress (each delete is its own short transaction). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#current?.catch(() => undefined);
  }
}
