// Bounds how many uploads stream at once, overall and per caller; uploads beyond that wait in a bounded FIFO queue
// (not reading their bodies) so a burst of pushes slows down instead of failing, and one key cannot starve the rest.

/**
 * The principal every caller has without credentials (auth none, anonymous access). It is exempt from the per-key
 * share: with auth none everyone is this principal, and a per-key cap would make auth none worse than the global limit.
 */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

export type Release = () => void;

/**
 * Why an upload got no slot: `queue-full` refused on arrival (the queue is full and its principal has as many waiting
 * as any other; with no queue, no slot was free); `evicted` it waited, but the queue was full and a principal with
 * fewer waiting took the place of the newest waiter of the principal with the most. The OCI dialect answers both 429.
 * `timeout`: it waited `queueTimeoutMs` (503). `aborted`: the client went away while waiting.
 */
export type Refusal = 'queue-full' | 'evicted' | 'timeout' | 'aborted';

export interface SlotLimits {
  /** Uploads streaming at once; 0 = unlimited. */
  max: number;
  /** Uploads one principal may stream at once; 0 = no share. Anonymous callers are exempt. */
  perPrincipal?: number;
  /** Uploads waiting for a slot at most, all principals together; 0 = no queue (refuse at once, as before the queue existed). */
  maxQueued?: number;
  /** How long an upload waits for a slot before it is refused. */
  queueTimeoutMs?: number;
}

interface Waiter {
  principal: string;
  grant: (release: Release) => void;
  refuse: (why: Refusal) => void;
}

export class Slots {
  #inUse = 0;
  readonly #max: number;
  readonly #perPrincipal: number;
  readonly #maxQueued: number;
  readonly #queueTimeoutMs: number;
  readonly #held = new Map<string, number>();
  readonly #queuedBy = new Map<string, number>();
  /** FIFO; a waiter leaves it when granted, refused by timeout, or aborted. Bounded by maxQueued. */
  readonly #queue: Waiter[] = [];

  constructor(limits: SlotLimits) {
    this.#max = limits.max;
    this.#perPrincipal = limits.perPrincipal ?? 0;
    this.#maxQueued = limits.maxQueued ?? 0;
    this.#queueTimeoutMs = limits.queueTimeoutMs ?? 30_000;
  }

  /** A slot now, or null when the global limit or the principal's share is reached (never queues). */
  tryAcquire(principal: string = ANONYMOUS_PRINCIPAL): Release | null {
    return this.#eligible(principal) ? this.#take(principal) : null;
  }

  /**
   * A slot now if one is free and nobody eligible waits ahead; else waits in FIFO order. A principal at its share
   * waits too, but later arrivals of other principals are served before it (the share is what one key may stream,
   * not a reason to fail its pushes). Resolves with the release, or with why no slot was given.
   */
  acquire(principal: string = ANONYMOUS_PRINCIPAL, signal?: AbortSignal): Promise<Release | Refusal> {
    if (signal?.aborted) return Promise.resolve('aborted');
    const now = this.tryAcquire(principal);
    if (now) return Promise.resolve(now);
    if (this.#queue.length >= this.#maxQueued && !this.#evictFor(principal)) return Promise.resolve('queue-full');
    const queued = this.#queuedBy.get(principal) ?? 0;
    return new Promise((resolve) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        const left = (this.#queuedBy.get(principal) ?? 1) - 1;
        if (left > 0) this.#queuedBy.set(principal, left);
        else this.#queuedBy.delete(principal);
      };
      const waiter: Waiter = {
        principal,
        grant: (release) => {
          leave();
          resolve(release);
        },
        refuse: (why) => {
          leave();
          resolve(why);
        },
      };
      const onAbort = (): void => waiter.refuse('aborted');
      // Unref'd: a waiting upload must not keep a stopping process alive (its socket does while the server runs).
      const timer = setTimeout(() => waiter.refuse('timeout'), this.#queueTimeoutMs).unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#queuedBy.set(principal, queued + 1);
    });
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** Uploads waiting for a slot now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Slots the principal holds now (0 for callers exempt from the share). */
  heldBy(principal: string): number {
    return this.#held.get(principal) ?? 0;
  }

  /**
   * A full queue makes room for `principal` when another principal has more uploads waiting than it would: that
   * principal's newest waiter is refused. So one key alone may use the whole queue, yet cannot keep others out of it.
   */
  #evictFor(principal: string): boolean {
    if (this.#queue.length === 0) return false;
    let most = principal;
    for (const [p, n] of this.#queuedBy) if (n > (this.#queuedBy.get(most) ?? 0)) most = p;
    if (most === principal || (this.#queuedBy.get(most) ?? 0) <= (this.#queuedBy.get(principal) ?? 0) + 1) return false;
    const newest = this.#queue.findLast((w) => w.principal === most);
    newest?.refuse('evicted');
    return newest !== undefined;
  }

  #isShared(principal: string): boolean {
    return this.#perPrincipal > 0 && principal !== ANONYMOUS_PRINCIPAL;
  }

  #eligible(principal: string): boolean {
    if (this.#max > 0 && this.#inUse >= this.#max) return false;
    return !this.#isShared(principal) || (this.#held.get(principal) ?? 0) < this.#perPrincipal;
  }

  #take(principal: string): Release {
    const shared = this.#isShared(principal);
    this.#inUse++;
    if (shared) this.#held.set(principal, (this.#held.get(principal) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      if (shared) {
        const now = (this.#held.get(principal) ?? 1) - 1;
        // Dropping zero counts keeps the map as small as the set of callers streaming right now.
        if (now > 0) this.#held.set(principal, now);
        else this.#held.delete(principal);
      }
      this.#pump();
    };
  }

  /** Hands freed slots to the oldest waiters that may take one (skipping principals at their share). */
  #pump(): void {
    for (let i = 0; i < this.#queue.length && (this.#max === 0 || this.#inUse < this.#max); ) {
      const waiter = this.#queue[i]!;
      if (this.#eligible(waiter.principal)) waiter.grant(this.#take(waiter.principal));
      else i++;
    }
  }
}

/** The per-key share when the config leaves it unset: a quarter of the global limit, at least 1; unlimited stays unlimited. */
export function defaultPerKeyShare(max: number): number {
  return max === 0 ? 0 : Math.max(1, Math.floor(max / 4));
}
