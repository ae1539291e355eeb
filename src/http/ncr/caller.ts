// Who is calling the NCR API: the access key whose NCP signature v2 checks out. With auth off (mode none) every
// caller acts as administrator, unsigned requests included, but a request naming a key berth has must still be
// signed right, so a wrong secret or a stale clock shows up locally as it would behind NAVER's gateway.

import { NCP_HEADERS, type NcpFailure, verifyNcpSignature } from '../../auth/ncp-signature.ts';
import { callerWithAuthOff, KeyLookup } from '../common/signed-caller.ts';
import type { Caller, NcrContext } from './context.ts';
import { AUTH_FAILED, NcrError } from './errors.ts';

export interface RawNcrRequest {
  method: string;
  /** The request target as sent (req.raw.url): the signature covers exactly these bytes. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

function header(req: RawNcrRequest, name: string): string | undefined {
  const v = req.headers[name];
  // A repeated header arrives as an array (or joined): it cannot be a valid value, so it fails as malformed.
  return Array.isArray(v) ? v.join(', ') : v;
}

function refusal(f: NcpFailure): NcrError {
  const details = f.kind === 'unknown-key' ? `the access key ${f.keyId} is not known` : f.message;
  return new NcrError(AUTH_FAILED, details);
}

export async function authenticate(ctx: NcrContext, req: RawNcrRequest, now: Date): Promise<Caller> {
  const accessKey = header(req, NCP_HEADERS.accessKey);
  const keys = new KeyLookup(ctx.signatures);
  const outcome = await verifyNcpSignature(
    {
      method: req.method,
      url: req.url,
      accessKey,
      timestamp: header(req, NCP_HEADERS.timestamp),
      signature: header(req, NCP_HEADERS.signature),
    },
    keys.secretOf,
    { now },
  );
  // The access key is a header of its own, so whether it names a key berth has is known whatever went wrong.
  const letIn = await callerWithAuthOff(
    ctx.signatures,
    outcome,
    () => accessKey !== undefined && /^[A-Za-z0-9_-]{1,128}$/.test(accessKey) && keys.exists(accessKey),
  );
  if (letIn) return letIn;
  const principal = keys.principal;
  if (outcome.ok && principal !== null) return { principal, keyId: outcome.keyId };
  if (outcome.ok) throw new NcrError(AUTH_FAILED, 'the access key is not known');
  throw refusal(outcome.failure);
}
