// Who is calling the SWR API: the access key whose SDK-HMAC-SHA256 signature checks out, or the key behind a berth
// token sent as X-Auth-Token (IAM-token style). With auth off every caller acts as administrator, but a signature
// naming an existing key must still be right, so a wrong secret or a stale clock shows up locally as on Huawei Cloud.
import { ANONYMOUS_ADMIN } from '../../auth/index.ts';
import { type SdkHmacFailure, type SdkHmacRequest, verifySdkHmac } from '../../auth/sdk-hmac-sha256.ts';
import { callerWithAuthOff, KeyLookup } from '../common/signed-caller.ts';
import type { Caller, SwrContext } from './context.ts';
import { SWR_ONLY, SwrError } from './errors.ts';

const PREFIX = 'Incorrect IAM authentication information';

function refused(why: string): SwrError {
  return new SwrError(SWR_ONLY.authentication, `${PREFIX}: ${why}`);
}

function refusal(f: SdkHmacFailure): SwrError {
  switch (f.kind) {
    case 'missing':
      return refused('no credentials: sign the request with SDK-HMAC-SHA256 (AK/SK) or send X-Auth-Token');
    case 'malformed':
      return refused(f.message);
    case 'unknown-key':
      return refused('verify aksk signature fail: the access key does not exist');
    case 'expired':
      return refused(`verify aksk signature fail: ${f.message}`);
    case 'mismatch':
      return refused(f.message.startsWith('verify aksk') ? f.message : `verify aksk signature fail: ${f.message}`);
  }
}

function header(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1];
  return undefined;
}

async function byToken(ctx: SwrContext, token: string): Promise<Caller> {
  const principal = ctx.signatures.verifyToken ? await ctx.signatures.verifyToken(token) : null;
  const keyId = principal?.kind === 'key' || principal?.kind === 'token' ? principal.keyId : null;
  if (ctx.signatures.mode === 'none') return { principal: ANONYMOUS_ADMIN, keyId, viaToken: true };
  if (principal === null || keyId === null) throw refused('verify token fail: X-Auth-Token is not a valid berth token');
  return { principal, keyId, viaToken: true };
}

export async function authenticate(ctx: SwrContext, req: SdkHmacRequest, now: Date): Promise<Caller> {
  const authorization = header(req.rawHeaders, 'authorization');
  const token = header(req.rawHeaders, 'x-auth-token');
  if ((authorization === undefined || authorization === '') && token !== undefined && token !== '') return byToken(ctx, token);
  const keys = new KeyLookup(ctx.signatures);
  const outcome = await verifySdkHmac(req, keys.secretOf, { now });
  // A malformed header may still name a key berth has; expired and mismatched signatures always involve one.
  const letIn = await callerWithAuthOff(
    ctx.signatures,
    outcome,
    async (f) => f.kind !== 'missing' && f.kind !== 'unknown-key' && (f.kind !== 'malformed' || keys.principal !== null || (await keys.exists(f.keyId))),
  );
  if (letIn) return letIn;
  const principal = keys.principal;
  if (outcome.ok && principal !== null) return { principal, keyId: outcome.keyId };
  if (outcome.ok) throw refused('verify aksk signature fail: the access key does not exist');
  throw refusal(outcome.failure);
}

const NO_BODY = new Uint8Array(0);

/**
 * Before a byte of the body is read: a token caller is checked in full (a token covers no body) and returned; a
 * signature is refused when the headers alone condemn it (unsigned, malformed, unknown key, a stale date), as
 * authenticate would after the body. Null: the signature covers the body, so authenticate decides after reading it.
 */
export async function preauthenticate(ctx: SwrContext, req: Omit<SdkHmacRequest, 'body'>, now: Date): Promise<Caller | null> {
  const authorization = header(req.rawHeaders, 'authorization');
  const token = header(req.rawHeaders, 'x-auth-token');
  if ((authorization === undefined || authorization === '') && token !== undefined && token !== '') return byToken(ctx, token);
  const outcome = await verifySdkHmac({ ...req, body: NO_BODY }, new KeyLookup(ctx.signatures).secretOf, { now });
  if (outcome.ok || outcome.failure.kind === 'mismatch') return null;
  await authenticate(ctx, { ...req, body: NO_BODY }, now);
  return null;
}
