// The access-key row and mapper, shared so a key reads back identically through either store.
import type { AccessKey, Actor, Grant } from '../../core/index.ts';

export interface KeyRow { id: string; name: string; secret_hash: string; sealed_secret: string; grants: string; created_at: number; last_used_at: number | null }

/** The columns of a KeyRow in `access_keys`, in the order the INSERTs bind them. */
export const KEY_COLUMNS = 'id, name, secret_hash, sealed_secret, grants, created_at, last_used_at';
/** The port passes no actor for key changes; keys are managed by operators (CLI or admin API). */
export const OPERATOR: Actor = { principal: 'system', dialect: 'cli' };

export const toKey = (r: KeyRow): AccessKey => ({
  id: r.id, name: r.name, secretHash: r.secret_hash, sealedSecret: r.sealed_secret, grants: JSON.parse(r.grants) as Grant[],
  createdAt: new Date(r.created_at), lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
});
