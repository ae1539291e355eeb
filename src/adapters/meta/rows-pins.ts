// The pin row, its limits and mappers, shared so a pin (explicit or automatic) looks the same from either store.
import type { Digest, Pin } from '../../core/index.ts';

export interface PinRow { id: string; repository: string; digest: string; reason: string; owner: string; created_at: number; expires_at: number | null }

/** How deep an index nesting the protection walks; deeper chains are not something registries see. */
export const MAX_DEPTH = 8;
/** A refusal names at most this many pins. */
export const MAX_NAMED = 100;
/** The columns of a PinRow, read from `pins p JOIN repositories r`. */
export const PIN_COLUMNS = 'p.id, r.name AS repository, p.digest, p.reason, p.owner, p.created_at, p.expires_at';

export const toPin = (r: PinRow): Pin => ({
  id: r.id, repository: r.repository, digest: r.digest as Digest, reason: r.reason, owner: r.owner,
  createdAt: new Date(r.created_at), expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
});

/** The automatic pin of a manifest pulled at `pulledAt`: it lasts one pull window from that pull. */
export function autoPin(repository: string, digest: string, pulledAt: number, windowMs: number): Pin {
  return {
    id: 'auto-pull', repository, digest: digest as Digest, reason: `pulled at ${new Date(pulledAt).toISOString()}`, owner: 'berth',
    createdAt: new Date(pulledAt), expiresAt: new Date(pulledAt + windowMs),
  };
}

/** The audit form of broken pins: enough to find the deployment again. */
export function pinSummary(pins: readonly Pin[]): Array<Record<string, string | null>> {
  return pins.map((p) => ({ id: p.id, digest: p.digest, owner: p.owner, reason: p.reason }));
}
