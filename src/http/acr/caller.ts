// Who is calling the Alibaba API: the access key whose ACS3-HMAC-SHA256 or RPC v1 signature checks out, with its
// nonce spent once in the shared request ledger. With auth off (mode none) unsigned callers act as administrator,
// but a signature made with an existing key must still be right, so a wrong secret or a stale clock shows up locally.

import type { AcsFailure, AcsOutcome } from '../../auth/acs-common.ts';
import { hasRpcV1Signature, verifyRpcV1 } from '../../auth/acs-rpc-v1.ts';
import { ACS3_ALGORITHM, verifyAcs3 } from '../../auth/acs3.ts';
import { ANONYMOUS_ADMIN } from '../../auth/index.ts';
import { useNonceOnce } from '../../core/index.ts';
import { callerWithAuthOff, KeyLookup } from '../common/signed-caller.ts';
import type { AcrContext, Caller } from './context.ts';
import { AcrError, invalidParameter, missingParameter } from './errors.ts';
import { type CallParams, readParams } from './params.ts';

export interface RawCall {
  method: string;
  url: string;
  rawHeaders: readonly string[];
  authorization: string | undefined;
  body: Uint8Array;
  params: CallParams;
}

function refusal(f: Exclude<AcsFailure, { kind: 'missing' }>): AcrError {
  switch (f.kind) {
    case 'malformed':
      return new AcrError('IncompleteSignature', f.message);
    case 'incomplete':
      return new AcrError('IncompleteSignature', f.message);
    case 'unknown-key':
      return new AcrError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
    case 'missing-parameter':
      return missingParameter(f.name);
    case 'invalid-parameter':
      return invalidParameter(f.name, f.message);
    case 'bad-timestamp':
      return new AcrError('InvalidTimeStamp.Format', f.message);
    case 'expired':
      return new AcrError('InvalidTimeStamp.Expired', f.message);
    case 'mismatch':
      return new AcrError('SignatureDoesNotMatch', f.message);
  }
}

/** Which scheme the request claims (the ACS3 Authorization header wins), checked against the key's secret. */
async function verify(req: RawCall, secretOf: (keyId: string) => Promise<string | null>, now: Date): Promise<AcsOutcome> {
  if (req.authorization?.trimStart().startsWith(ACS3_ALGORITHM)) {
    const q = req.url.indexOf('?');
    return verifyAcs3(
      { method: req.method, path: q < 0 ? req.url : req.url.slice(0, q), query: req.params.query, rawHeaders: req.rawHeaders, body: req.body },
      secretOf,
      { now },
    );
  }
  if (hasRpcV1Signature(req.params.all)) return verifyRpcV1({ method: req.method, params: req.params.all }, secretOf, { now });
  return { ok: false, failure: { kind: 'missing' } };
}

export async function authenticate(ctx: AcrContext, req: RawCall, now: Date): Promise<Caller> {
  const keys = new KeyLookup(ctx.signatures);
  const outcome = await verify(req, keys.secretOf, now);
  if (!outcome.ok) {
    const { failure } = outcome;
    // Unsigned, unreadable, or signed with a key berth does not have: fine without auth. Anything after the key was
    // found means a real key signed wrongly. (A good signature still spends its nonce below, so it is not let in here.)
    const letIn = await callerWithAuthOff(ctx.signatures, outcome, (f) => f.kind !== 'missing' && f.kind !== 'malformed' && f.kind !== 'unknown-key');
    if (letIn) return letIn;
    if (failure.kind === 'missing')
      throw new AcrError('MissingAccessKeyId', 'AccessKeyId is mandatory for this action: sign the request with a berth access key.');
    throw refusal(failure);
  }
  const principal = keys.principal;
  if (principal === null) throw new AcrError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
  if (!(await useNonceOnce(ctx.deps, `acr\0${outcome.keyId}\0${outcome.nonce}`))) {
    throw new AcrError('SignatureNonceUsed', 'Specified signature nonce was used already: use a new nonce for every request.');
  }
  return { principal: ctx.signatures.mode === 'none' ? ANONYMOUS_ADMIN : principal, keyId: outcome.keyId };
}

const NO_BODY = new Uint8Array(0);

/** Whether RPC parameters (the signature among them) may arrive in a form body, so the headers cannot tell yet. */
function mayCarryForm(rawHeaders: readonly string[], contentType: string | undefined): boolean {
  if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name === 'transfer-encoding' || (name === 'content-length' && rawHeaders[i + 1]!.trim() !== '0')) return true;
  }
  return false;
}

/**
 * Before a byte of the body is read: refuses what the headers and query alone condemn (unsigned, malformed, unknown
 * key, a stale or malformed timestamp, an incomplete signed-header set), as authenticate would after the body. ACS3
 * signs the body's hash, so a signature that may still verify is left to authenticate; an RPC v1 call whose form body
 * may hold the parameters is too. With auth none authenticate's own rule decides. No nonce is spent here.
 */
export async function preauthenticate(ctx: AcrContext, req: Omit<RawCall, 'body' | 'params'> & { contentType: string | undefined }, now: Date): Promise<void> {
  const acs3 = req.authorization?.trimStart().startsWith(ACS3_ALGORITHM) === true;
  if (!acs3 && mayCarryForm(req.rawHeaders, req.contentType)) return;
  const call: RawCall = { ...req, body: NO_BODY, params: readParams(req.url, NO_BODY, req.contentType) };
  const outcome = await verify(call, new KeyLookup(ctx.signatures).secretOf, now);
  if (outcome.ok || outcome.failure.kind === 'mismatch') return;
  await authenticate(ctx, call, now);
}
