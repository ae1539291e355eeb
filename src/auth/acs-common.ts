// What Alibaba Cloud's two signature schemes (ACS3-HMAC-SHA256 and the RPC HMAC-SHA1 v1) share on the server side:
// the RFC 3986 encoding both canonical forms use, the timestamp rule, the outcome shape and a constant-time compare.
import { timingSafeEqual } from 'node:crypto';

/** Alibaba's clock window for both schemes. */
export const ACS_MAX_SKEW_MS = 15 * 60_000;

export type AcsFailure =
  /** No signature at all (an unsigned request). */
  | { kind: 'missing' }
  /** Too broken to tell which key signed it. */
  | { kind: 'malformed'; message: string }
  | { kind: 'unknown-key'; keyId: string }
  /** From here on the key exists: the request names it, so the failure is real whatever the auth mode. */
  | { kind: 'missing-parameter'; name: string }
  | { kind: 'invalid-parameter'; name: string; message: string }
  | { kind: 'incomplete'; message: string }
  | { kind: 'bad-timestamp'; message: string }
  | { kind: 'expired'; message: string }
  | { kind: 'mismatch'; message: string };

export type AcsOutcome = { ok: true; keyId: string; nonce: string } | { ok: false; failure: AcsFailure };

/** Looks up an access key's secret; null when no such key exists. */
export type SecretOf = (keyId: string) => Promise<string | null>;

/** encodeURIComponent plus the characters it leaves alone that RFC 3986 reserves: what both canonical forms use. */
export function acsPercentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/;

/** `YYYY-MM-DDTHH:mm:ssZ` (UTC, as the SDKs write it), or null. */
export function parseAcsTimestamp(text: string): Date | null {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 19) !== `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` ? null : d;
}

/** The failure for a timestamp that is malformed or more than `maxSkewMs` away from now; null when it is fine. */
export function clockFailure(name: string, text: string | undefined, now: Date, maxSkewMs = ACS_MAX_SKEW_MS): AcsFailure | null {
  if (text === undefined || text === '') return { kind: 'missing-parameter', name };
  const signedAt = parseAcsTimestamp(text);
  if (signedAt === null)
    return { kind: 'bad-timestamp', message: `The specified ${name} "${text.slice(0, 64)}" is not in the format YYYY-MM-DDThh:mm:ssZ (UTC).` };
  const skew = Math.abs(signedAt.getTime() - now.getTime());
  if (skew > maxSkewMs) {
    return {
      kind: 'expired',
      message: `Specified time stamp or date value is expired: ${text} is more than ${maxSkewMs / 60_000} minutes away from the server time ${now.toISOString()}.`,
    };
  }
  return null;
}

/** A nonce the ledger can key on: printable ASCII, bounded. */
export function nonceFailure(name: string, nonce: string | undefined): AcsFailure | null {
  if (nonce === undefined || nonce === '') return { kind: 'missing-parameter', name };
  if (!/^[\x21-\x7e]{1,128}$/.test(nonce))
    return { kind: 'invalid-parameter', name, message: `The specified ${name} must be 1 to 128 printable ASCII characters.` };
  return null;
}

/** Equal strings, compared without a timing leak (lengths are public: the signatures have fixed sizes). */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
