// createSecret and createAuthorizationToken: docker login credentials for berth's own /v2, valid for the requested
// duration. The password is a berth login token naming the caller's key (it acts with the key's grants when used);
// the user name follows SWR's "<region>@<AK>", which berth ignores: the token alone says who logs in.
import { SWR_ERRORS, SwrError } from '../errors.ts';
import type { SwrCall, SwrOperation } from '../context.ts';
import { intParam } from '../input.ts';
import { rfc3339 } from '../wire.ts';

/** SWR's range for duration_seconds: 15 minutes to 24 hours. */
export const MIN_DURATION = 900;
export const MAX_DURATION = 86_400;
/** berth's default when no duration is asked for. */
export const DEFAULT_DURATION = 6 * 3600;

async function login(call: SwrCall, user: string): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
  // A /token Bearer token is narrower than its key: minting a login token from it would widen it to the key's grants.
  if (call.caller.principal.kind === 'token') {
    throw new SwrError(SWR_ERRORS.DENIED, 'Insufficient permissions: a scoped /token token cannot mint docker credentials; sign with the access key or use a login token');
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
