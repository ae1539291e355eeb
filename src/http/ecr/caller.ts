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

/** Whether a header too broken to parse still names a key berth has (Credential=<key id>/...). */
async function namesExistingKey(ctx: EcrContext, req: RawSignedRequest): Promise<boolean> {
  let authorization = '';
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'authorization') authorization = req.rawHeaders[i + 1]!;
  const keyId = /Credential=([A-Za-z0-9]{1,128})\//.exec(authorization)?.[1];
  return keyId !== undefined && (await ctx.signatures.signingKey(keyId)) !== null;
}

export async function authenticate(ctx: EcrContext, req: RawSignedRequest, now: Date): Promise<Caller> {
  let principal: KeyPrincipal | null = null;
  const secretOf = async (keyId: string): Promise<string | null> => {
    const found = await ctx.signatures.signingKey(keyId);
    principal = found?.principal ?? null;
    return found?.secret ?? null;
  };
  const outcome = await verifySigV4(req, secretOf, { service: 'ecr', now, alsoSigned: ['x-amz-target'] });
  if (ctx.signatures.mode === 'none') {
    if (outcome.ok) return { principal: ANONYMOUS_ADMIN, keyId: outcome.keyId };
    // Unsigned, or signed with dummy credentials no key matches: fine without auth. A signature by a key berth has
    // must be right, malformed or not, so a client with broken signing hears about it before auth is turned on.
    const keyFound = principal !== null || (outcome.failure.kind === 'malformed' && (await namesExistingKey(ctx, req)));
    if (outcome.failure.kind === 'missing' || outcome.failure.kind === 'unknown-key' || (outcome.failure.kind === 'malformed' && !keyFound)) {
      return { principal: ANONYMOUS_ADMIN, keyId: null };
    }
  }
  if (outcome.ok && principal !== null) return { principal, keyId: outcome.keyId };
  if (outcome.ok) throw new EcrError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (outcome.failure.kind === 'missing') throw new EcrError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  throw refusal(outcome.failure);
}
