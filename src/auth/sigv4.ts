// Verifies AWS Signature Version 4 on an incoming request by re-signing it with @smithy/signature-v4 (the signer
// the AWS SDKs themselves use) from the SignedHeaders the client listed, so the canonical form is never ours to get wrong.
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { headerMap } from './raw-headers.ts';

export interface IncomingSigned {
  method: string;
  /** The raw request target: path and query as sent. */
  url: string;
  /** Node's rawHeaders (name, value, name, value...): repeated headers must be joined the way the signer did. */
  rawHeaders: readonly string[];
  body: Uint8Array;
}

export interface SigV4Options {
  /** The signing name the credential scope must carry, e.g. "ecr". */
  service: string;
  now: Date;
  /** Allowed distance between X-Amz-Date and now; default 15 minutes, as AWS. */
  maxSkewMs?: number;
  /**
   * Headers that must be among the signed ones besides host and x-amz-date; for a JSON-RPC API the operation header
   * (x-amz-target), or a captured request could be replayed as another operation with the same body.
   */
  alsoSigned?: readonly string[];
}

export type SigV4Failure =
  | { kind: 'missing' }
  | { kind: 'malformed'; message: string }
  | { kind: 'unknown-key'; keyId: string }
  | { kind: 'expired'; message: string }
  | { kind: 'mismatch'; message: string };

export type SigV4Outcome = { ok: true; keyId: string; region: string } | { ok: false; failure: SigV4Failure };

export interface ParsedAuthorization {
  keyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;
const AMZ_DATE_RE = /^(\d{8})T\d{6}Z$/;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** The parts of `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=...`. */
export function parseAuthorization(header: string): ParsedAuthorization | string {
  if (!header.startsWith('AWS4-HMAC-SHA256')) return 'Unsupported authorization scheme: sign requests with AWS Signature Version 4 (AWS4-HMAC-SHA256).';
  const m = AUTH_RE.exec(header.trim());
  if (!m) return `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${header.slice(0, 200)}`;
  const scope = m[1]!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!) || scope.some((s) => s.length === 0 || s.length > 128)) {
    return `Credential should be scoped to a valid region, service and date: '${m[1]!.slice(0, 200)}'.`;
  }
  const signedHeaders = m[2]!.split(';');
  if (signedHeaders.some((h) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(h))) return 'SignedHeaders must be lowercase header names separated by semicolons.';
  return { keyId: scope[0]!, date: scope[1]!, region: scope[2]!, service: scope[3]!, signedHeaders, signature: m[3]! };
}

function amzStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** SHA-256 and HMAC-SHA256 in the shape the smithy signer expects (its default needs a browser-style crypto). */
class Sha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
  reset(): void {
    throw new Error('not resettable');
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function skewMessage(stamp: string, signed: Date, now: Date, maxSkewMs: number): string | null {
  const minutes = Math.round(maxSkewMs / 60_000);
  if (signed.getTime() < now.getTime() - maxSkewMs) {
    return `Signature expired: ${stamp} is now earlier than ${amzStamp(new Date(now.getTime() - maxSkewMs))} (${amzStamp(now)} - ${minutes} min.)`;
  }
  if (signed.getTime() > now.getTime() + maxSkewMs) {
    return `Signature not yet current: ${stamp} is still later than ${amzStamp(new Date(now.getTime() + maxSkewMs))} (${amzStamp(now)} + ${minutes} min.)`;
  }
  return null;
}

/**
 * Checks the Authorization header of `req`. `secretOf` returns the key's secret, or null when no such key exists.
 * Order: shape, key, clock, scope, payload hash, signature.
 */
export async function verifySigV4(req: IncomingSigned, secretOf: (keyId: string) => Promise<string | null>, o: SigV4Options): Promise<SigV4Outcome> {
  const headers = headerMap(req.rawHeaders);
  const authorization = headers.get('authorization');
  if (authorization === undefined || authorization === '') return { ok: false, failure: { kind: 'missing' } };
  const parsed = parseAuthorization(authorization);
  if (typeof parsed === 'string') return { ok: false, failure: { kind: 'malformed', message: parsed } };
  const secret = await secretOf(parsed.keyId);
  if (secret === null) return { ok: false, failure: { kind: 'unknown-key', keyId: parsed.keyId } };
  const stamp = headers.get('x-amz-date') ?? '';
  const signedAt = AMZ_DATE_RE.test(stamp) ? parseAmzDate(stamp) : null;
  if (signedAt === null)
    return { ok: false, failure: { kind: 'malformed', message: "Authorization header requires existence of a valid 'X-Amz-Date' header (YYYYMMDDTHHMMSSZ)." } };
  const skew = skewMessage(stamp, signedAt, o.now, o.maxSkewMs ?? 15 * 60_000);
  if (skew) return { ok: false, failure: { kind: 'expired', message: skew } };
  if (parsed.service !== o.service)
    return { ok: false, failure: { kind: 'mismatch', message: `Credential should be scoped to correct service: '${o.service}'.` } };
  if (parsed.date !== stamp.slice(0, 8)) {
    return {
      ok: false,
      failure: {
        kind: 'mismatch',
        message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${stamp.slice(0, 8)}', from '${stamp}'.`,
      },
    };
  }
  for (const required of ['host', 'x-amz-date', ...(o.alsoSigned ?? [])]) {
    if (!parsed.signedHeaders.includes(required))
      return { ok: false, failure: { kind: 'mismatch', message: `'${required}' must be a 'SignedHeader' in the AWS Authorization.` } };
  }
  const signedHeaders: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = headers.get(name);
    if (value === undefined) return { ok: false, failure: { kind: 'mismatch', message: `Signed header '${name}' is missing from the request.` } };
    signedHeaders[name] = value;
  }
  const claimed = signedHeaders['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== createHash('sha256').update(req.body).digest('hex')) {
    return { ok: false, failure: { kind: 'mismatch', message: 'The provided x-amz-content-sha256 header does not match what was computed.' } };
  }
  const expected = await signatureFor(req, signedHeaders, parsed, secret, signedAt);
  const same = expected.length === parsed.signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(parsed.signature));
  return same ? { ok: true, keyId: parsed.keyId, region: parsed.region } : { ok: false, failure: { kind: 'mismatch', message: MISMATCH } };
}

async function signatureFor(req: IncomingSigned, headers: Record<string, string>, auth: ParsedAuthorization, secret: string, signedAt: Date): Promise<string> {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1))) {
    const prior = query[k];
    query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  const request = new HttpRequest({ method: req.method, path, query, headers, body: req.body });
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: true,
    credentials: { accessKeyId: auth.keyId, secretAccessKey: secret },
  });
  const signed = await signer.sign(request, {
    signingDate: signedAt,
    signingRegion: auth.region,
    signingService: auth.service,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const produced = String(signed.headers.authorization ?? '');
  return /Signature=([0-9a-f]{64})$/.exec(produced)?.[1] ?? '';
}
