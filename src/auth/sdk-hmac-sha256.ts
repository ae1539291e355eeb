// Verifies Huawei Cloud's SDK-HMAC-SHA256 (APIG AK/SK) signature on an incoming request, as the SWR SDKs sign it:
// the raw path encoded per segment with a trailing "/", the decoded query re-encoded and sorted, the client's
// SignedHeaders, the body's SHA-256 and X-Sdk-Date; hex HMAC with the secret itself (no key derivation).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { headerMap } from './raw-headers.ts';

export interface SdkHmacRequest {
  method: string;
  /** The raw request target: path and query exactly as sent. */
  url: string;
  /** Node's rawHeaders (name, value, name, value...). */
  rawHeaders: readonly string[];
  body: Uint8Array;
}

export interface SdkHmacOptions {
  now: Date;
  /** Allowed distance between X-Sdk-Date and now; default 15 minutes, as API Gateway. */
  maxSkewMs?: number;
}

export type SdkHmacFailure =
  | { kind: 'missing' }
  | { kind: 'malformed'; message: string; keyId: string | null }
  | { kind: 'unknown-key'; keyId: string }
  | { kind: 'expired'; message: string }
  | { kind: 'mismatch'; message: string };

export type SdkHmacOutcome = { ok: true; keyId: string } | { ok: false; failure: SdkHmacFailure };

export const SDK_HMAC_ALGORITHM = 'SDK-HMAC-SHA256';
const AUTH_RE = /^SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$/;
const ACCESS_RE = /Access=([A-Za-z0-9]{1,128})\b/;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** RFC 3986 encoding of every byte but the unreserved A-Z a-z 0-9 - _ . ~, as the SDK's urlEncode does. */
export function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Each raw path segment encoded (so "$" is %24 and an already-encoded "%2F" becomes %252F), always ending in "/". */
export function canonicalUri(rawPath: string): string {
  const joined = rawPath.split('/').map(rfc3986).join('/');
  return joined.endsWith('/') ? joined : `${joined}/`;
}

function decodeQueryPart(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** Keys sorted, `enc(key)=enc(value)`, repeated keys' values sorted; null when the query cannot be decoded. */
export function canonicalQuery(rawQuery: string): string | null {
  const values = new Map<string, string[]>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? part : part.slice(0, eq));
    const value = decodeQueryPart(eq < 0 ? '' : part.slice(eq + 1));
    if (key === null || value === null) return null;
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  const out: string[] = [];
  for (const key of [...values.keys()].sort()) {
    for (const value of values.get(key)!.sort()) out.push(`${rfc3986(key)}=${rfc3986(value)}`);
  }
  return out.join('&');
}

export function parseSdkDate(text: string): Date | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export interface SignInput {
  method: string;
  url: string;
  /** Lowercase names in the order SignedHeaders lists them, with their values. */
  headers: ReadonlyArray<[string, string]>;
  payloadHash: string;
  date: string;
}

/** The string to sign for a request (exported so tests can show where a difference comes from). */
export function stringToSign(input: SignInput): string | null {
  const q = input.url.indexOf('?');
  const query = canonicalQuery(q < 0 ? '' : input.url.slice(q + 1));
  if (query === null) return null;
  const canonical = [
    input.method.toUpperCase(),
    canonicalUri(q < 0 ? input.url : input.url.slice(0, q)),
    query,
    input.headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    input.headers.map(([name]) => name).join(';'),
    input.payloadHash,
  ].join('\n');
  return `${SDK_HMAC_ALGORITHM}\n${input.date}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

export function sdkHmacSignature(secret: string, toSign: string): string {
  return createHmac('sha256', secret).update(toSign, 'utf8').digest('hex');
}

function skewMessage(stamp: string, signed: Date, now: Date, maxSkewMs: number): string | null {
  if (Math.abs(signed.getTime() - now.getTime()) <= maxSkewMs) return null;
  return `X-Sdk-Date ${stamp} is more than ${Math.round(maxSkewMs / 60_000)} minutes away from the server time ${now.toISOString()}`;
}

/** The payload hash to sign with, or a refusal: a declared hash must be the body's, and only an empty body may go unsigned. */
function payloadHash(declared: string | undefined, body: Uint8Array): { hash: string } | { refused: string } {
  const actual = createHash('sha256').update(body).digest('hex');
  if (declared === undefined) return { hash: actual };
  if (declared === UNSIGNED_PAYLOAD) {
    return body.byteLength === 0
      ? { hash: declared }
      : { refused: 'X-Sdk-Content-Sha256 UNSIGNED-PAYLOAD is refused for a request with a body: sign the body' };
  }
  return declared.toLowerCase() === actual ? { hash: declared } : { refused: 'X-Sdk-Content-Sha256 does not match the request body' };
}

/**
 * Checks the Authorization header of `req`; `secretOf` returns the key's secret, or null when no such key exists.
 * Order: shape, key, clock, signed headers, payload hash, signature.
 */
export async function verifySdkHmac(req: SdkHmacRequest, secretOf: (keyId: string) => Promise<string | null>, o: SdkHmacOptions): Promise<SdkHmacOutcome> {
  const headers = headerMap(req.rawHeaders);
  const authorization = headers.get('authorization');
  if (authorization === undefined || authorization === '') return { ok: false, failure: { kind: 'missing' } };
  const m = AUTH_RE.exec(authorization);
  if (!m) {
    const keyId = ACCESS_RE.exec(authorization)?.[1] ?? null;
    return {
      ok: false,
      failure: { kind: 'malformed', keyId, message: 'Authorization must be "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>"' },
    };
  }
  const [keyId, signedList, signature] = [m[1]!, m[2]!.toLowerCase().split(';'), m[3]!.toLowerCase()];
  const secret = await secretOf(keyId);
  if (secret === null) return { ok: false, failure: { kind: 'unknown-key', keyId } };
  const stamp = headers.get('x-sdk-date') ?? '';
  const signedAt = parseSdkDate(stamp);
  if (signedAt === null) return { ok: false, failure: { kind: 'malformed', keyId, message: 'X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ' } };
  const skew = skewMessage(stamp, signedAt, o.now, o.maxSkewMs ?? 15 * 60_000);
  if (skew) return { ok: false, failure: { kind: 'expired', message: skew } };
  if (!signedList.includes('x-sdk-date')) return { ok: false, failure: { kind: 'mismatch', message: 'x-sdk-date must be among the SignedHeaders' } };
  const signedHeaders: Array<[string, string]> = [];
  for (const name of signedList) {
    const value = headers.get(name);
    if (value === undefined) return { ok: false, failure: { kind: 'mismatch', message: `signed header ${name.slice(0, 100)} is missing from the request` } };
    signedHeaders.push([name, value]);
  }
  const payload = payloadHash(headers.get('x-sdk-content-sha256'), req.body);
  if ('refused' in payload) return { ok: false, failure: { kind: 'mismatch', message: payload.refused } };
  const toSign = stringToSign({ method: req.method, url: req.url, headers: signedHeaders, payloadHash: payload.hash, date: stamp });
  if (toSign === null) return { ok: false, failure: { kind: 'mismatch', message: 'the query string is not valid percent-encoding' } };
  const expected = Buffer.from(sdkHmacSignature(secret, toSign));
  const given = Buffer.from(signature);
  const same = expected.length === given.length && timingSafeEqual(expected, given);
  return same ? { ok: true, keyId } : { ok: false, failure: { kind: 'mismatch', message: 'verify aksk signature fail' } };
}
