// Verifies Alibaba Cloud's RPC signature v1 (HMAC-SHA1 over the sorted, RFC 3986-encoded parameters of the query
// and the form body), which the SDKs send with signatureAlgorithm "v2" and older tools send always.
import { createHmac } from 'node:crypto';
import { ACS_MAX_SKEW_MS, type AcsOutcome, acsPercentEncode, clockFailure, nonceFailure, type SecretOf, sameSignature } from './acs-common.ts';

export interface RpcV1Request {
  method: string;
  /** Every parameter of the query and the form body, decoded; names are unique (the caller refuses repeats). */
  params: ReadonlyMap<string, string>;
}

/** METHOD & encode("/") & encode(sorted k=v pairs of every parameter but Signature). */
export function rpcV1StringToSign(method: string, params: ReadonlyMap<string, string>): string {
  const keys = [...params.keys()].filter((k) => k !== 'Signature').sort();
  const canonical = keys.map((k) => `${acsPercentEncode(k)}=${acsPercentEncode(params.get(k)!)}`).join('&');
  return `${method.toUpperCase()}&${acsPercentEncode('/')}&${acsPercentEncode(canonical)}`;
}

/** base64(HMAC-SHA1(secret + "&", string to sign)). */
export function rpcV1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** Whether the request carries an RPC v1 signature at all (then it is checked, whatever the auth mode). */
export function hasRpcV1Signature(params: ReadonlyMap<string, string>): boolean {
  return params.has('Signature') || params.has('AccessKeyId');
}

/** Checks the signature in `req.params`. Order: shape, key, method and version, clock, nonce shape, signature. */
export async function verifyRpcV1(req: RpcV1Request, secretOf: SecretOf, o: { now: Date; maxSkewMs?: number }): Promise<AcsOutcome> {
  const p = req.params;
  if (!hasRpcV1Signature(p)) return { ok: false, failure: { kind: 'missing' } };
  const keyId = p.get('AccessKeyId') ?? '';
  if (keyId === '' || keyId.length > 128) return { ok: false, failure: { kind: 'malformed', message: 'AccessKeyId is mandatory for a signed request.' } };
  const secret = await secretOf(keyId);
  if (secret === null) return { ok: false, failure: { kind: 'unknown-key', keyId } };
  const signature = p.get('Signature') ?? '';
  if (signature === '') return { ok: false, failure: { kind: 'missing-parameter', name: 'Signature' } };
  const method = p.get('SignatureMethod');
  if (method === undefined) return { ok: false, failure: { kind: 'missing-parameter', name: 'SignatureMethod' } };
  if (method !== 'HMAC-SHA1')
    return {
      ok: false,
      failure: {
        kind: 'invalid-parameter',
        name: 'SignatureMethod',
        message: `The specified SignatureMethod "${method.slice(0, 32)}" is not supported: use HMAC-SHA1.`,
      },
    };
  const version = p.get('SignatureVersion');
  if (version === undefined) return { ok: false, failure: { kind: 'missing-parameter', name: 'SignatureVersion' } };
  if (version !== '1.0')
    return {
      ok: false,
      failure: {
        kind: 'invalid-parameter',
        name: 'SignatureVersion',
        message: `The specified SignatureVersion "${version.slice(0, 32)}" is not supported: use 1.0.`,
      },
    };
  const clock = clockFailure('Timestamp', p.get('Timestamp'), o.now, o.maxSkewMs ?? ACS_MAX_SKEW_MS);
  if (clock) return { ok: false, failure: clock };
  const nonce = p.get('SignatureNonce');
  const badNonce = nonceFailure('SignatureNonce', nonce);
  if (badNonce) return { ok: false, failure: badNonce };
  const expected = rpcV1Signature(secret, rpcV1StringToSign(req.method, p));
  if (!sameSignature(expected, signature)) {
    return {
      ok: false,
      failure: {
        kind: 'mismatch',
        message: 'Specified signature is not matched with our calculation: recompute it with your AccessKeySecret over the sorted parameters.',
      },
    };
  }
  return { ok: true, keyId, nonce: nonce! };
}
