// Caps the unfinished upload sessions one access key holds, so one key cannot pile up sessions (each living up to the idle timeout).
import { ANONYMOUS_PRINCIPAL } from './slots.ts';

interface Entry {
  principal: string;
  repository: string;
  lastSeen: number;
}

/**
 * In memory and per replica, like the upload slots: the metadata store does not record who opened a session, and
 * counting there would need a migration. A restart forgets the count; the sessions it forgets expire by idle timeout.
 * Sessions finished or cancelled through another replica stay counted here until the principal reaches the cap:
 * then `recheck` asks the store which of them still exist, so round-robin replicas do not lock a key out.
 */
export class OpenSessions {
  readonly #max: number;
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #byId = new Map<string, Entry>();
  /** Reservations made but not yet given a session id, so concurrent POSTs cannot overshoot the cap. */
  readonly #pending = new Map<string, number>();

  /** `max` 0 means unlimited. */
  constructor(max: number, idleMs: number, now: () => number = Date.now) {
    this.#max = max;
    this.#idleMs = idleMs;
    this.#now = now;
  }

  /** Holds a place for a new session; null when the principal is at the cap. Call the result with the id, or null on failure. */
  tryReserve(principal: string, repository: string): ((id: string | null) => void) | null {
    if (this.#max === 0 || principal === ANONYMOUS_PRINCIPAL) return () => undefined;
    if (this.openBy(principal) >= this.#max) return null;
    this.#pending.set(principal, (this.#pending.get(principal) ?? 0) + 1);
    let settled = false;
    return (id) => {
      if (settled) return;
      settled = true;
      const left = (this.#pending.get(principal) ?? 1) - 1;
      if (left > 0) this.#pending.set(principal, left);
      else this.#pending.delete(principal);
      if (id !== null) this.#byId.set(id, { principal, repository, lastSeen: this.#now() });
    };
  }

  /** Activity on a session pushes back when this counter considers it expired, as the store's idle timeout does. */
  touch(id: string): void {
    const entry = this.#byId.get(id);
    if (entry) entry.lastSeen = this.#now();
  }

  /** The session was finished, cancelled or found gone. */
  close(id: string): void {
    this.#byId.delete(id);
  }

  /** Forgets the principal's sessions the store no longer has (finished, cancelled or expired elsewhere). */
  async recheck(principal: string, exists: (repository: string, id: string) => Promise<boolean>): Promise<void> {
    const mine = [...this.#byId].filter(([, entry]) => entry.principal === principal);
    const gone = await Promise.all(mine.map(async ([id, entry]) => ((await exists(entry.repository, id)) ? null : id)));
    for (const id of gone) if (id !== null) this.#byId.delete(id);
  }

  /** Open sessions plus pending reservations of the principal, after forgetting sessions idle past the timeout. */
  openBy(principal: string): number {
    const cutoff = this.#now() - this.#idleMs;
    let open = this.#pending.get(principal) ?? 0;
    for (const [id, entry] of this.#byId) {
      if (entry.lastSeen < cutoff) this.#byId.delete(id);
      else if (entry.principal === principal) open++;
    }
    return open;
  }
}
