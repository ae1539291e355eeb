// createSecret and createAuthorizationToken: docker login credentials for berth's own /v2, valid for the requested
// duration. The password is a berth login token naming the caller's key (it acts with the key's grants when used);
// the user name follows SWR's "<region>@<AK>", which berth ignores: the token alone says who logs in.

import type { SwrCall, SwrOperation } from '../context.ts';
import { SWR_ERRORS, SwrError } from '../errors.ts';
import { intParam } from '../input.ts';
import { rfc3339 } from '../wire.ts';

/** SWR's range for duration_seconds: 15 minutes to 24 hours. */
export const MIN_DURATION = 900;
export const MAX_DURATION = 86_400;
/** berth's default when no duration is asked for. */
export const DEFAULT_DURATION = 6 * 3600;

async function login(call: SwrCall, user: string): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
  // A /token Bearer token is narrower than its key (minting would widen it), and a login token minting the next one
  // would renew a leaked short-lived password forever: only a signed request may mint credentials.
  if (call.caller.viaToken === true || call.caller.principal.kind === 'token') {
    throw new SwrError(
      SWR_ERRORS.DENIED,
      'Insufficient permissions: docker credentials are minted only for requests signed with the access key (AK/SK), not for X-Auth-Token callers',
    );
  }
  const ttl = intParam(call.query, 'duration_seconds', DEFAULT_DURATION, MIN_DURATION, MAX_DURATION);
  const { token, expiresAt } = await call.ctx.signatures.issueLoginToken(call.caller.principal, ttl);
  const auth = Buffer.from(`${user}:${token}`, 'utf8').toString('base64');
  return {
    status: 200,
    body: { auths: { [call.host]: { auth } } },
    headers: { 'x-swr-dockerlogin': `docker login -u ${user} -p ${token} ${call.host}`, 'x-swr-expireat': rfc3339(expiresAt) },
  };
}

export const createSecret: SwrOperation = (call) => login(call, `${call.ctx.swr.region}@${call.caller.keyId ?? 'anonymous'}`);

export const createAuthorizationToken: SwrOperation = (call) => login(call, `bearertoken@${call.caller.keyId ?? 'anonymous'}`);
