// Idempotent requests and single-use nonces on top of the RequestLedger port: the one flow every signed dialect
// uses, so a replayed answer is always the stored first answer and a crashed request never blocks its token forever.
import { RegistryError } from '../errors.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

/** Twice the widest clock window of any signature scheme (15 minutes): a nonce is kept while any timestamp carrying it could pass. */
export const NONCE_MEMORY_MS = 30 * 60_000;
/** A first request still running after this long is taken to have crashed; its token may be claimed again. */
export const PENDING_TOKEN_STALE_MS = 5 * 60_000;

/** False when `key` (dialect, access key and nonce) was already used within the memory window. */
export async function useNonceOnce(deps: UsesMeta<'useNonce'> & Pick<RegistryDeps, 'clock'>, key: string): Promise<boolean> {
  const now = deps.clock.now();
  return deps.meta.useNonce(key, now, new Date(now.getTime() - NONCE_MEMORY_MS));
}

export interface IdempotentAnswer {
  status: number;
  body: string;
}

export type IdempotentOutcome = { kind: 'ran' | 'replayed'; answer: IdempotentAnswer } | { kind: 'mismatch' };

/**
 * Runs `run` once per (key, fingerprint) within `retentionMs`: a repeat gets the first answer, a repeat with another
 * fingerprint is a mismatch, a repeat while the first still runs is a conflict (INVALID_REQUEST with reason
 * "in-progress"). Answers `remember` rejects (e.g. server errors) are not kept, so a retry runs again; so is a throw.
 */
export async function runIdempotent(
  deps: UsesMeta<'claimClientToken' | 'completeClientToken' | 'releaseClientToken'> & Pick<RegistryDeps, 'clock'>,
  token: { key: string; fingerprint: string; retentionMs: number },
  run: () => Promise<IdempotentAnswer>,
  remember: (answer: IdempotentAnswer) => boolean = (a) => a.status < 500,
): Promise<IdempotentOutcome> {
  const now = deps.clock.now();
  const claim = await deps.meta.claimClientToken(token.key, token.fingerprint, now, {
    validSince: new Date(now.getTime() - token.retentionMs),
    pendingStaleBefore: new Date(now.getTime() - PENDING_TOKEN_STALE_MS),
  });
  if (claim.kind === 'mismatch') return { kind: 'mismatch' };
  if (claim.kind === 'done') return { kind: 'replayed', answer: { status: claim.status, body: claim.body } };
  if (claim.kind === 'pending') {
    throw new RegistryError('INVALID_REQUEST', 'a request with this token is still being processed; retry later', { reason: 'in-progress' });
  }
  let answer: IdempotentAnswer;
  try {
    answer = await run();
  } catch (e) {
    await deps.meta.releaseClientToken(token.key, token.fingerprint).catch(() => undefined);
    throw e;
  }
  if (remember(answer)) await deps.meta.completeClientToken(token.key, token.fingerprint, answer);
  else await deps.meta.releaseClientToken(token.key, token.fingerprint);
  return { kind: 'ran', answer };
}

/**
 * Signature nonces only matter while a timestamp could still be accepted (15 minutes either way is the widest
 * window of any dialect), client tokens for their retention; older entries go in bounded batches.
 */
export async function pruneRequestLedger(deps: UsesMeta<'pruneRequestLedger'> & Pick<RegistryDeps, 'clock'>, tokenRetentionMs: number): Promise<number> {
  const now = deps.clock.now().getTime();
  const before = { tokens: new Date(now - tokenRetentionMs), nonces: new Date(now - NONCE_MEMORY_MS) };
  let total = 0;
  for (let i = 0; i < 10; i++) {
    const n = await deps.meta.pruneRequestLedger(before, 1_000);
    total += n;
    if (n < 1_000) break;
  }
  return total;
}
