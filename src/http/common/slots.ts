// Bounds how many uploads stream at once, overall and per caller, so a burst degrades into 429s and one key cannot starve the rest.

/**
 * The principal every caller has without credentials (auth none, anonymous access). It is exempt from the per-key
 * share: with auth none everyone is this principal, and a per-key cap would make auth none worse than the global limit.
 */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

export class Slots {
  #inUse = 0;
  readonly #max: number;
  readonly #perPrincipal: number;
  readonly #held = new Map<string, number>();

  /** `max` 0 means unlimited; `perPrincipal` 0 means no per-principal share. */
  constructor(max: number, perPrincipal = 0) {
    this.#max = max;
    this.#perPrincipal = perPrincipal;
  }

  tryAcquire(principal: string = ANONYMOUS_PRINCIPAL): (() => void) | null {
    if (this.#max > 0 && this.#inUse >= this.#max) return null;
    const shared = this.#perPrincipal > 0 && principal !== ANONYMOUS_PRINCIPAL;
    const held = this.#held.get(principal) ?? 0;
    if (shared && held >= this.#perPrincipal) return null;
    this.#inUse++;
    if (shared) this.#held.set(principal, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      if (!shared) return;
      const now = (this.#held.get(principal) ?? 1) - 1;
      // Dropping zero counts keeps the map as small as the set of callers streaming right now.
      if (now > 0) this.#held.set(principal, now);
      else this.#held.delete(principal);
    };
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** Slots the principal holds now (0 for callers exempt from the share). */
  heldBy(principal: string): number {
    return this.#held.get(principal) ?? 0;
  }
}

/** The per-key share when the config leaves it unset: a quarter of the global limit, at least 1; unlimited stays unlimited. */
export function defaultPerKeyShare(max: number): number {
  return max === 0 ? 0 : Math.max(1, Math.floor(max / 4));
}
