// ClientToken on the deletes: the first answer (status and exact body, RequestId included) is stored in the metadata
// store's ledger and replayed to every repeat with the same parameters within the retention window, across restarts
// and replicas; the same token with other parameters is IdempotentParameterMismatch.
import { createHash } from 'node:crypto';
import { type IdempotentAnswer, isRegistryError, runIdempotent } from '../../core/index.ts';
import type { AcrCall } from './context.ts';
import { AcrError, errorBody, fromRegistryError } from './errors.ts';
import { successBody } from './wire.ts';

/**
 * Answers that depend only on the request are kept: success, and "no such repository or tag". Refusals that change
 * when someone acts (Forbidden.RAM until a grant, a pin until it is removed) are not, so a retry after the fix runs.
 */
export function worthRemembering(answer: IdempotentAnswer): boolean {
  return answer.status < 300 || answer.status === 404;
}

/** The API parameters that define the request (validated, defaults applied): signatures, nonces and times never count. */
export function fingerprint(action: string, input: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([action, input]), 'utf8')
    .digest('hex');
}

/** The error a failed run answers with, or null for a failure that is not the client's (it propagates as a 500). */
function answerable(e: unknown): AcrError | null {
  if (e instanceof AcrError) return e;
  if (isRegistryError(e) && e.code !== 'INTERNAL') return fromRegistryError(e);
  return null;
}

export async function runOnce(
  call: AcrCall,
  token: string,
  input: unknown,
  ids: { requestId: string; hostId: string },
  execute: () => Promise<Record<string, unknown>>,
): Promise<IdempotentAnswer> {
  const outcome = await runIdempotent(
    call.ctx.deps,
    {
      key: `acr\0${call.caller.keyId ?? 'anonymous'}\0${token}`,
      fingerprint: fingerprint(call.action, input),
      retentionMs: call.ctx.acr.clientTokenRetentionMs,
    },
    async () => {
      try {
        return { status: 200, body: successBody(ids.requestId, await execute()) };
      } catch (e) {
        const err = answerable(e);
        if (err === null) throw e;
        return { status: err.status, body: errorBody(err, ids.requestId, ids.hostId) };
      }
    },
    worthRemembering,
  );
  if (outcome.kind === 'mismatch') {
    throw new AcrError(
      'IdempotentParameterMismatch',
      'The specified ClientToken was already used with different parameters: use a new ClientToken for a different request.',
    );
  }
  return outcome.answer;
}
