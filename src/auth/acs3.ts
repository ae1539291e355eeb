// Verifies Alibaba Cloud's ACS3-HMAC-SHA256 header signature (what the SDKs send by default) by rebuilding the
// canonical request from the decoded query re-encoded per RFC 3986 and exactly the headers the client listed.
import { createHash, createHmac } from 'node:crypto';
import { ACS_MAX_SKEW_MS, type AcsOutcome, acsPercentEncode, clockFailure, nonceFailure, type SecretOf, sameSignature } from './acs-common.ts';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Request {
  method: string;
  /** The raw path, without the query. */
  path: string;
  /** The query parameters, decoded, in any order. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Node's rawHeaders (name, value, name, value...). */
  rawHeaders: readonly string[];
  body: Uint8Array;
}

export interface ParsedAcs3 {
  keyId: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_RE = /^ACS3-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$/;
/** Without these signed a captured request could be replayed later, elsewhere or with another body. */
const MUST_SIGN = ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
/** These choose the operation (and how the body is read), so they must be signed whenever they are sent. */
const SIGNED_IF_SENT = ['x-acs-action', 'x-acs-version'];

/** The parts of `ACS3-HMAC-SHA256 Credential=<key id>,SignedHeaders=<a;b>,Signature=<hex>`, or why it is unreadable. */
export function parseAcs3Authorization(header: string): ParsedAcs3 | string {
  const m = AUTH_RE.exec(header.trim());
  if (!m || m[1]!.length > 128) return `The Authorization header must be "${ACS3_ALGORITHM} Credential=<AccessKeyId>,SignedHeaders=<headers>,Signature=<hex>".`;
  const signedHeaders = m[2]!.split(';');
  if (signedHeaders.some((h) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(h))) return 'SignedHeaders must be lower-case header names separated by semicolons.';
  return { keyId: m[1]!, signedHeaders, signature: m[3]!.toLowerCase() };
}

/** Header name (lower case) to its trimmed values, as the signer collects them. */
export function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = out.get(name) ?? [];
    list.push(rawHeaders[i + 1]!.trim());
    out.set(name, list);
  }
  return out;
}

function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return [...query]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${acsPercentEncode(k)}=${acsPercentEncode(v)}`)
    .join('&');
}

/** The canonical request; `signedHeaders` in the order the client listed them, each present in `headers`. */
export function acs3CanonicalRequest(req: Acs3Request, headers: Map<string, string[]>, signedHeaders: readonly string[], payloadHash: string): string {
  const uri = req.path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const sorted = [...signedHeaders].sort();
  // Repeated headers: values sorted and joined with "," (what the SDK's signer does).
  const canonicalHeaders = sorted.map((h) => `${h}:${[...(headers.get(h) ?? [])].sort().join(',')}\n`).join('');
  return [req.method.toUpperCase(), uri, canonicalQuery(req.query), canonicalHeaders, sorted.join(';'), payloadHash].join('\n');
}

/** hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(sha256(canonical request)))). */
export function acs3Signature(secret: string, canonicalRequest: string): string {
  const stringToSign = `${ACS3_ALGORITHM}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

/**
 * Checks the ACS3 Authorization header of `req`. Order: shape, key, signed-header set, clock, nonce shape, payload
 * hash, signature; the caller then spends the nonce (replay protection needs the metadata store).
 */
export async function verifyAcs3(req: Acs3Request, secretOf: SecretOf, o: { now: Date; maxSkewMs?: number }): Promise<AcsOutcome> {
  const headers = headerValues(req.rawHeaders);
  const authorization = headers.get('authorization')?.join(',') ?? '';
  if (authorization === '') return { ok: false, failure: { kind: 'missing' } };
  const parsed = parseAcs3Authorization(authorization);
  if (typeof parsed === 'string') return { ok: false, failure: { kind: 'malformed', message: parsed } };
  const secret = await secretOf(parsed.keyId);
  if (secret === null) return { ok: false, failure: { kind: 'unknown-key', keyId: parsed.keyId } };
  const required = [
    ...MUST_SIGN,
    ...SIGNED_IF_SENT.filter((h) => headers.has(h)),
    ...(req.body.byteLength > 0 && headers.has('content-type') ? ['content-type'] : []),
  ];
  const unsigned = required.filter((h) => !parsed.signedHeaders.includes(h));
  if (unsigned.length > 0) return { ok: false, failure: { kind: 'incomplete', message: `SignedHeaders must include ${unsigned.join(', ')}.` } };
  const absent = parsed.signedHeaders.filter((h) => !headers.has(h));
  if (absent.length > 0)
    return { ok: false, failure: { kind: 'incomplete', message: `The signed header(s) ${absent.join(', ')} are missing from the request.` } };
  const single = (h: string): string => headers.get(h)!.join(',');
  const clock = clockFailure('x-acs-date', single('x-acs-date'), o.now, o.maxSkewMs ?? ACS_MAX_SKEW_MS);
  if (clock) return { ok: false, failure: clock };
  const nonce = single('x-acs-signature-nonce');
  const badNonce = nonceFailure('x-acs-signature-nonce', nonce);
  if (badNonce) return { ok: false, failure: badNonce };
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  if (single('x-acs-content-sha256').toLowerCase() !== payloadHash) {
    return { ok: false, failure: { kind: 'mismatch', message: 'The x-acs-content-sha256 header does not match the SHA-256 of the request body.' } };
  }
  const expected = acs3Signature(secret, acs3CanonicalRequest(req, headers, parsed.signedHeaders, payloadHash));
  if (!sameSignature(expected, parsed.signature)) {
    return {
      ok: false,
      failure: {
        kind: 'mismatch',
        message: 'The request signature does not conform to Aliyun standards: recompute it with your AccessKeySecret over the canonical request.',
      },
    };
  }
  return { ok: true, keyId: parsed.keyId, nonce };
}
