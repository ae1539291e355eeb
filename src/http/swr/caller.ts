// Who is calling the SWR API: the access key whose SDK-HMAC-SHA256 signature checks out, or the key behind a berth
// token sent as X-Auth-Token (IAM-token style). With auth off every caller acts as administrator, but a signature
// naming an existing key must still be right, so a wrong secret or a stale clock shows up locally as on Huawei Cloud.
import { ANONYMOUS_ADMIN, type KeyPrincipal } from '../../auth/index.ts';
import { verifySdkHmac, type SdkHmacFailure, type SdkHmacRequest } from '../../auth/sdk-hmac-sha256.ts';
import type { Caller, SwrContext } from './context.ts';
import { SWR_ONLY, SwrError } from './errors.ts';

const PREFIX = 'Incorrect IAM authentication information';

function refused(why: string): SwrError {
  return new SwrError(SWR_ONLY.authentication, `${PREFIX}: ${why}`);
}

function refusal(f: SdkHmacFailure): SwrError {
  switch (f.kind) {
    case 'missing': return refused('no credentials: sign the request with SDK-HMAC-SHA256 (AK/SK) or send X-Auth-Token');
    case 'malformed': return refused(f.message);
    case 'unknown-key': return refused('verify aksk signature fail: the access key does not exist');
    case 'expired': return refused(`verify aksk signature fail: ${f.message}`);
    case 'mismatch': return refused(f.message.startsWith('verify aksk') ? f.message : `verify aksk signature fail: ${f.message}`);
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
  let principal: KeyPrincipal | null = null;
  const secretOf = async (keyId: string): Promise<string | null> => {
    const found = await ctx.signatures.signingKey(keyId);
    principal = found?.principal ?? null;
    return found?.secret ?? null;
  };
  const outcome = await verifySdkHmac(req, secretOf, { now });
  if (ctx.signatures.mode === 'none') {
    if (outcome.ok) return { principal: ANONYMOUS_ADMIN, keyId: outcome.keyId };
    const f = outcome.failure;
    // Unsigned, or signed with dummy credentials no key matches: fine without auth. A signature by a key berth has
    // must be right, malformed or not, so a client with broken signing hears about it before auth is turned on.
    const namesKey = f.kind === 'malformed' && f.keyId !== null && (await ctx.signatures.signingKey(f.keyId)) !== null;
    if (f.kind === 'missing' || f.kind === 'unknown-key' || (f.kind === 'malformed' && !namesKey && principal === null)) {
      return { principal: ANONYMOUS_ADMIN, keyId: null };
    }
  }
  if (outcome.ok && principal !== null) return { principal, keyId: outcome.keyId };
  if (outcome.ok) throw refused('verify aksk signature fail: the access key does not exist');
  throw refusal(outcome.failure);
}
