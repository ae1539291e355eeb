// The request ledger: client tokens (claimed, then completed with the answer to replay) and signature nonces. A claim
// reads then writes, under an advisory lock of its own token (never the registry lock: signed requests must not queue
// behind pushes); everything else is one conditional statement, so two replicas presenting the same token or nonce
// at once cannot both win.
import type { ClientTokenClaim } from '../../../core/index.ts';
import { get, type Q, run, traits } from '../sql/query.ts';

/**
 * The dialects join a ledger key's parts with NUL, which PostgreSQL TEXT cannot hold: there an injective escape (\\
 * for a backslash, \\0 for NUL) keeps distinct keys distinct. SQLite stores the key as it is, as it always has, so
 * nonces and tokens recorded before an upgrade are still found. Keys are only ever looked up, never read back.
 */
function* storedKey(key: string): Q<string> {
  return (yield* traits()).textHoldsNul ? key : key.replace(/\\/g, '\\\\').replace(/\0/g, '\\0');
}

interface TokenRow {
  fingerprint: string;
  created_at: number;
  status: number | null;
  body: string | null;
}

export function* claimClientToken(key: string, fingerprint: string, at: Date, limits: { validSince: Date; pendingStaleBefore: Date }): Q<ClientTokenClaim> {
  const row = yield* get<TokenRow>('SELECT fingerprint, created_at, status, body FROM client_tokens WHERE key = $1', yield* storedKey(key));
  const expired = row !== undefined && row.created_at < limits.validSince.getTime();
  const abandoned = row !== undefined && row.status === null && row.created_at < limits.pendingStaleBefore.getTime();
  if (row === undefined || expired || abandoned) {
    yield* run(
      `INSERT INTO client_tokens (key, fingerprint, created_at, status, body) VALUES ($1, $2, $3, NULL, NULL)
                 ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = excluded.created_at, status = NULL, body = NULL`,
      yield* storedKey(key),
      fingerprint,
      at.getTime(),
    );
    return { kind: 'new' };
  }
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.status === null || row.body === null) return { kind: 'pending' };
  return { kind: 'done', status: row.status, body: row.body };
}

export function* completeClientToken(key: string, fingerprint: string, answer: { status: number; body: string }): Q<void> {
  yield* run(
    'UPDATE client_tokens SET status = $1, body = $2 WHERE key = $3 AND fingerprint = $4 AND status IS NULL',
    answer.status,
    answer.body,
    yield* storedKey(key),
    fingerprint,
  );
}

export function* releaseClientToken(key: string, fingerprint: string): Q<void> {
  yield* run('DELETE FROM client_tokens WHERE key = $1 AND fingerprint = $2 AND status IS NULL', yield* storedKey(key), fingerprint);
}

export function* useNonce(key: string, at: Date, validSince: Date): Q<boolean> {
  // Inserted, or taken over from a use older than the window: either way one row changed, and only for one caller.
  return (
    (yield* run(
      `INSERT INTO nonces (key, used_at) VALUES ($1, $2)
               ON CONFLICT (key) DO UPDATE SET used_at = excluded.used_at WHERE nonces.used_at < $3`,
      yield* storedKey(key),
      at.getTime(),
      validSince.getTime(),
    )) === 1
  );
}

export function* pruneRequestLedger(before: { tokens: Date; nonces: Date }, limit: number): Q<number> {
  if (limit <= 0) return 0;
  // The outer test again: a row a concurrent claim renewed after the subquery chose it is re-checked and kept.
  const tokens = yield* run(
    'DELETE FROM client_tokens WHERE key IN (SELECT key FROM client_tokens WHERE created_at < $1 LIMIT $2) AND created_at < $1',
    before.tokens.getTime(),
    limit,
  );
  const nonces = yield* run(
    'DELETE FROM nonces WHERE key IN (SELECT key FROM nonces WHERE used_at < $1 LIMIT $2) AND used_at < $1',
    before.nonces.getTime(),
    Math.max(0, limit - tokens),
  );
  return tokens + nonces;
}
