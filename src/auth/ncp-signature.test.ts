// NAVER's API Gateway signature v2 checked against an independent signer written from NAVER's documentation: raw URI,
// the 5-minute window, the exact signature text.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { type NcpSignedRequest, ncpSignature, verifyNcpSignature } from './ncp-signature.ts';

const KEY = 'BKNCPTESTKEY00000001';
const SECRET = 'the-secret-of-the-ncp-test-key-0123456789';
const NOW = new Date('2026-05-01T12:00:00Z');
const URI = '/ncr/api/v2/repositories/reg/hello%2Fworld?page=2&pagesize=1';

/** NAVER's documented algorithm, written out independently of the module under test. */
function naverSign(secret: string, method: string, uri: string, timestamp: string, accessKey: string): string {
  const message = [`${method} ${uri}`, timestamp, accessKey].join('\n');
  return createHmac('sha256', secret).update(message).digest('base64');
}

function signed(over: Partial<NcpSignedRequest> = {}, at = NOW): NcpSignedRequest {
  const timestamp = String(at.getTime());
  return { method: 'DELETE', url: URI, timestamp, accessKey: KEY, signature: naverSign(SECRET, 'DELETE', URI, timestamp, KEY), ...over };
}

const secretOf = async (id: string): Promise<string | null> => (id === KEY ? SECRET : null);
const verify = (r: NcpSignedRequest, now = NOW) => verifyNcpSignature(r, secretOf, { now });

describe('NCP API Gateway signature v2', () => {
  it('signs exactly as NAVER documents it', () => {
    assert.equal(ncpSignature(SECRET, 'GET', URI, '1', KEY), naverSign(SECRET, 'GET', URI, '1', KEY));
    assert.match(ncpSignature(SECRET, 'GET', URI, '1', KEY), /^[A-Za-z0-9+/]{43}=$/);
  });

  it('accepts a correct signature within five minutes either way', async () => {
    assert.deepEqual(await verify(signed()), { ok: true, keyId: KEY });
    assert.equal((await verify(signed({}, new Date(NOW.getTime() - 299_000)))).ok, true);
    assert.equal((await verify(signed({}, new Date(NOW.getTime() + 299_000)))).ok, true);
  });

  it('is computed over the raw URI: a decoded %2F, another query, method or key does not verify', async () => {
    const good = signed();
    for (const changed of [
      { url: '/ncr/api/v2/repositories/reg/hello/world?page=2&pagesize=1' },
      { url: '/ncr/api/v2/repositories/reg/hello%2fworld?page=2&pagesize=1' },
      { url: '/ncr/api/v2/repositories/reg/hello%2Fworld?page=3&pagesize=1' },
      { method: 'GET' },
      { signature: naverSign(`${SECRET}x`, 'DELETE', URI, good.timestamp!, KEY) },
    ]) {
      const out = await verify({ ...good, ...changed });
      assert.equal(out.ok, false, JSON.stringify(changed));
      if (!out.ok) assert.equal(out.failure.kind, 'mismatch', JSON.stringify(changed));
    }
  });

  it('refuses a stale or future timestamp, a timestamp in seconds or text, and signatures of the wrong form', async () => {
    const kind = async (r: NcpSignedRequest) => {
      const out = await verify(r);
      return out.ok ? 'ok' : out.failure.kind;
    };
    assert.equal(await kind(signed({}, new Date(NOW.getTime() - 301_000))), 'expired');
    assert.equal(await kind(signed({}, new Date(NOW.getTime() + 301_000))), 'expired');
    assert.equal(await kind(signed({ timestamp: String(Math.floor(NOW.getTime() / 1000)) })), 'expired');
    assert.equal(await kind(signed({ timestamp: '2026-05-01T12:00:00Z' })), 'malformed');
    assert.equal(await kind(signed({ accessKey: 'bad key!' })), 'malformed');
    const sig = signed().signature!;
    assert.equal(await kind(signed({ signature: sig.slice(0, -1) })), 'mismatch');
    assert.equal(await kind(signed({ signature: `${sig}AA==` })), 'mismatch');
    assert.equal(await kind(signed({ signature: Buffer.from(sig, 'base64').toString('hex') })), 'mismatch');
    // The last character before '=' carries two bits the base64 decoder ignores: only the exact text is the signature.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = alphabet.indexOf(sig[42]!);
    const sibling = `${sig.slice(0, 42)}${alphabet[(last & ~3) | ((last + 1) & 3)]}=`;
    assert.deepEqual(Buffer.from(sibling, 'base64'), Buffer.from(sig, 'base64'), 'the sibling decodes to the same bytes');
    assert.equal(await kind(signed({ signature: sibling })), 'mismatch');
  });

  it('tells missing headers and unknown keys apart', async () => {
    const none = await verify({ method: 'GET', url: '/', timestamp: undefined, accessKey: undefined, signature: undefined });
    assert.deepEqual(none, { ok: false, failure: { kind: 'missing', message: 'the request is not signed' } });
    const partial = await verify(signed({ signature: undefined }));
    assert.equal(!partial.ok && partial.failure.kind, 'missing');
    assert.match(!partial.ok ? (partial.failure as { message: string }).message : '', /x-ncp-apigw-signature-v2/);
    const stranger = await verify(signed({ accessKey: 'BKNOSUCHKEY000000000' }));
    assert.deepEqual(stranger, { ok: false, failure: { kind: 'unknown-key', keyId: 'BKNOSUCHKEY000000000' } });
  });
});
