// Bounds how many uploads stream at once, so a burst of pushes degrades into 429s instead of exhausting the host.
export class Slots {
  #inUse = 0;
  readonly #max: number;

  /** `max` 0 means unlimited. */
  constructor(max: number) {
    this.#max = max;
  }

  tryAcquire(): (() => void) | null {
    if (this.#max > 0 && this.#inUse >= this.#max) return null;
    this.#inUse++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.#inUse--;
      }
    };
  }

  get inUse(): number {
    return this.#inUse;
  }
}
