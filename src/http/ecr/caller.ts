// Who is calling the ECR API: the access key whose SigV4 signature checks out. With auth off (mode none) every
// caller acts as administrator, unsigned requests included, but a signature made with an existing key must still
// be right, so a wrong secret or a stale clock shows up locally as it would on AWS.
import { ANONYMOUS_ADMIN, verifySigV4, type KeyPrincipal, type SigV4Failure } from '../../auth/index.ts';
import type { Caller, EcrContext } from './context.ts';
import { EcrError } from './errors.ts';

export interface RawSignedRequest {
  method: string;
  url: string;
  rawHeaders: readonly string[];
  body: Uint8Array;
}

function refusal(f: Exclude<SigV4Failure, { kind: 'missing' }>): EcrError {
  switch (f.kind) {
    case 'malformed': return new EcrError('IncompleteSignatureException', f.message);
    case 'unknown-key': return new EcrError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    case 'expired': return new EcrError('InvalidSignatureException', f.message);
    case 'mismatch': return new EcrError('InvalidSignatureException', f.message);
  }
}

export async function authenticate(ctx: EcrContext, req: RawSignedRequest, now: Date): Promise<Caller> {
  let principal: KeyPrincipal | null = null;
  const secretOf = async (keyId: string): Promise<string | null> => {
    const found = await ctx.signatures.signingKey(keyId);
    principal = found?.principal ?? null;
    return found?.secret ?? null;
  };
  const outcome = await verifySigV4(req, secretOf, { service: 'ecr', now });
  if (ctx.signatures.mode === 'none') {
    if (outcome.ok) return { principal: ANONYMOUS_ADMIN, keyId: outcome.keyId };
    // Unsigned, or signed with dummy credentials no key matches: fine without auth; a wrong signature is not.
    if (['missing', 'unknown-key', 'malformed'].includes(outcome.failure.kind)) return { principal: ANONYMOUS_ADMIN, keyId: null };
  }
  if (outcome.ok && principal !== null) return { principal, keyId: outcome.keyId };
  if (outcome.ok) throw new EcrError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (outcome.failure.kind === 'missing') throw new EcrError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  throw refusal(outcome.failure);
}
