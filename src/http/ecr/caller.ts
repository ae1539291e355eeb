// Who is calling the ECR API: the access key whose SigV4 signature checks out. With auth off (mode none) every
// caller acts as administrator, unsigned requests included, but a signature made with an existing key must still
// be right, so a wrong secret or a stale clock shows up locally as it would on AWS.
import { type SigV4Failure, verifySigV4 } from '../../auth/index.ts';
import { callerWithAuthOff, KeyLookup } from '../common/signed-caller.ts';
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
    case 'malformed':
      return new EcrError('IncompleteSignatureException', f.message);
    case 'unknown-key':
      return new EcrError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    case 'expired':
      return new EcrError('InvalidSignatureException', f.message);
    case 'mismatch':
      return new EcrError('InvalidSignatureException', f.message);
  }
}

/** The key a header too broken to parse still names (Credential=<key id>/...). */
function credentialKeyId(req: RawSignedRequest): string | undefined {
  let authorization = '';
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'authorization') authorization = req.rawHeaders[i + 1]!;
  return /Credential=([A-Za-z0-9]{1,128})\//.exec(authorization)?.[1];
}

export async function authenticate(ctx: EcrContext, req: RawSignedRequest, now: Date): Promise<Caller> {
  const keys = new KeyLookup(ctx.signatures);
  const outcome = await verifySigV4(req, keys.secretOf, { service: 'ecr', now, alsoSigned: ['x-amz-target'] });
  // A malformed header may still name a key berth has; expired and mismatched signatures always involve one.
  const letIn = await callerWithAuthOff(
    ctx.signatures,
    outcome,
    async (f) =>
      f.kind !== 'missing' && f.kind !== 'unknown-key' && (f.kind !== 'malformed' || keys.principal !== null || (await keys.exists(credentialKeyId(req)))),
  );
  if (letIn) return letIn;
  const principal = keys.principal;
  if (outcome.ok && principal !== null) return { principal, keyId: outcome.keyId };
  if (outcome.ok) throw new EcrError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (outcome.failure.kind === 'missing') throw new EcrError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  throw refusal(outcome.failure);
}

const NO_BODY = new Uint8Array(0);

/**
 * Before a byte of the body is read: refuses what the headers alone condemn (unsigned, malformed, unknown key, a date
 * outside the window), exactly as authenticate would after the body. A signature that might still verify (the body's
 * hash is in it) is left to authenticate. With auth none authenticate's own rule decides, so nothing changes there.
 */
export async function preauthenticate(ctx: EcrContext, req: Omit<RawSignedRequest, 'body'>, now: Date): Promise<void> {
  const outcome = await verifySigV4({ ...req, body: NO_BODY }, new KeyLookup(ctx.signatures).secretOf, { service: 'ecr', now, alsoSigned: ['x-amz-target'] });
  if (outcome.ok || outcome.failure.kind === 'mismatch') return;
  await authenticate(ctx, { ...req, body: NO_BODY }, now);
}
