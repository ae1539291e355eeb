// The request ledger: client tokens (claimed, then completed with the answer to replay) and signature nonces, each
// decided by one conditional write so two replicas presenting the same token or nonce at once cannot both win.
import type { ClientTokenClaim } from '../../../core/index.ts';
import type { Db } from './db.ts';

interface TokenRow { fingerprint: string; created_at: number; status: number | null; body: string | null }

export function claimClientToken(db: Db, key: string, fingerprint: string, at: Date, limits: { validSince: Date; pendingStaleBefore: Date }): ClientTokenClaim {
  return db.tx((): ClientTokenClaim => {
    const row = db.q('SELECT fingerprint, created_at, status, body FROM client_tokens WHERE key = ?').get(key) as TokenRow | undefined;
    const expired = row !== undefined && row.created_at < limits.validSince.getTime();
    const abandoned = row !== undefined && row.status === null && row.created_at < limits.pendingStaleBefore.getTime();
    if (row === undefined || expired || abandoned) {
      db.q(`INSERT INTO client_tokens (key, fingerprint, created_at, status, body) VALUES (?, ?, ?, NULL, NULL)
            ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = excluded.created_at, status = NULL, body = NULL`)
        .run(key, fingerprint, at.getTime());
      return { kind: 'new' };
    }
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.status === null || row.body === null) return { kind: 'pending' };
    return { kind: 'done', status: row.status, body: row.body };
  });
}

export function completeClientToken(db: Db, key: string, fingerprint: string, answer: { status: number; body: string }): void {
  db.q('UPDATE client_tokens SET status = ?, body = ? WHERE key = ? AND fingerprint = ? AND status IS NULL')
    .run(answer.status, answer.body, key, fingerprint);
}

export function releaseClientToken(db: Db, key: string, fingerprint: string): void {
  db.q('DELETE FROM client_tokens WHERE key = ? AND fingerprint = ? AND status IS NULL').run(key, fingerprint);
}

export function useNonce(db: Db, key: string, at: Date, validSince: Date): boolean {
  // Inserted, or taken over from a use older than the window: either way one row changed, and only for one caller.
  return db.q(`INSERT INTO nonces (key, used_at) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET used_at = excluded.used_at WHERE nonces.used_at < ?`)
    .run(key, at.getTime(), validSince.getTime()).changes === 1;
}

export function pruneRequestLedger(db: Db, before: { tokens: Date; nonces: Date }, limit: number): number {
  if (limit <= 0) return 0;
  return db.tx(() => {
    const tokens = db.q('DELETE FROM client_tokens WHERE key IN (SELECT key FROM client_tokens WHERE created_at < ? LIMIT ?)')
      .run(before.tokens.getTime(), limit).changes;
    const nonces = db.q('DELETE FROM nonces WHERE key IN (SELECT key FROM nonces WHERE used_at < ? LIMIT ?)')
      .run(before.nonces.getTime(), Math.max(0, limit - tokens)).changes;
    return tokens + nonces;
  });
}
