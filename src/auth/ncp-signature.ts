// NAVER Cloud's API Gateway signature v2 (x-ncp-apigw-signature-v2), verified the way the gateway does: base64
// HMAC-SHA256 over "METHOD URI\ntimestamp\naccessKey" with the raw request target, within ±5 minutes, compared in
// constant time. Pure (the secret lookup is passed in), so the NCR dialect and its tests share one definition.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const NCP_HEADERS = {
  timestamp: 'x-ncp-apigw-timestamp',
  accessKey: 'x-ncp-iam-access-key',
  signature: 'x-ncp-apigw-signature-v2',
} as const;

/** The gateway refuses a timestamp more than five minutes away from its clock. */
export const NCP_MAX_SKEW_MS = 5 * 60_000;

export interface NcpSignedRequest {
  method: string;
  /** The request target exactly as sent: path and query, still percent-encoded (never the router's decoded form). */
  url: string;
  /** The three x-ncp-* header values, undefined when absent. */
  timestamp: string | undefined;
  accessKey: string | undefined;
  signature: string | undefined;
}

export type NcpFailure =
  | { kind: 'missing'; message: string }
  | { kind: 'malformed'; message: string }
  | { kind: 'unknown-key'; keyId: string }
  | { kind: 'expired'; message: string }
  | { kind: 'mismatch'; message: string };

export type NcpOutcome = { ok: true; keyId: string } | { ok: false; failure: NcpFailure };

/** What the client signs: the method, a space, the URI, then the timestamp and the access key on their own lines. */
export function ncpStringToSign(method: string, uri: string, timestamp: string, accessKey: string): string {
  return `${method} ${uri}\n${timestamp}\n${accessKey}`;
}

export function ncpSignature(secret: string, method: string, uri: string, timestamp: string, accessKey: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(ncpStringToSign(method, uri, timestamp, accessKey), 'utf8')
    .digest('base64');
}

const KEY_RE = /^[A-Za-z0-9_-]{1,128}$/;
const TIMESTAMP_RE = /^\d{1,16}$/;
// A SHA-256 HMAC is 32 bytes: 43 base64 characters and one '='. Anything else cannot be a signature. The form check
// alone is not enough (the 43rd character carries two bits the decoder ignores), so the text is compared, not bytes.
const SIGNATURE_RE = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Checks the three headers and the signature. `secretOf` returns the key's secret, or null for an unknown key;
 * it is asked only once the form of every header is right.
 */
export async function verifyNcpSignature(
  req: NcpSignedRequest,
  secretOf: (keyId: string) => Promise<string | null>,
  options: { now: Date; maxSkewMs?: number },
): Promise<NcpOutcome> {
  const { timestamp, accessKey, signature } = req;
  const absent = (Object.keys(NCP_HEADERS) as Array<keyof typeof NCP_HEADERS>).filter((k) => req[k] === undefined || req[k] === '');
  if (absent.length === 3) return { ok: false, failure: { kind: 'missing', message: 'the request is not signed' } };
  if (absent.length > 0) return { ok: false, failure: { kind: 'missing', message: `missing header(s): ${absent.map((k) => NCP_HEADERS[k]).join(', ')}` } };
  if (!KEY_RE.test(accessKey!)) return { ok: false, failure: { kind: 'malformed', message: `${NCP_HEADERS.accessKey} is not an access key id` } };
  if (!TIMESTAMP_RE.test(timestamp!)) {
    return { ok: false, failure: { kind: 'malformed', message: `${NCP_HEADERS.timestamp} must be epoch milliseconds` } };
  }
  const skew = Math.abs(options.now.getTime() - Number(timestamp));
  if (skew > (options.maxSkewMs ?? NCP_MAX_SKEW_MS)) {
    return {
      ok: false,
      failure: { kind: 'expired', message: `${NCP_HEADERS.timestamp} is more than 5 minutes away from the server time (${options.now.getTime()})` },
    };
  }
  const secret = await secretOf(accessKey!);
  if (secret === null) return { ok: false, failure: { kind: 'unknown-key', keyId: accessKey! } };
  const expected = Buffer.from(ncpSignature(secret, req.method, req.url, timestamp!, accessKey!), 'utf8');
  const given = SIGNATURE_RE.test(signature!) ? Buffer.from(signature!, 'utf8') : null;
  if (given === null || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      failure: { kind: 'mismatch', message: 'the signature does not match: sign "METHOD URI\\ntimestamp\\naccessKey" with the raw request URI' },
    };
  }
  return { ok: true, keyId: accessKey! };
}
