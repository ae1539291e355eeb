// RPC v1 verification against Alibaba's published example (a known answer) and against requests altered after signing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rpcV1Signature, rpcV1StringToSign, verifyRpcV1 } from './acs-rpc-v1.ts';

const NOW = new Date('2026-03-01T10:00:00Z');
const secretOf = async (id: string): Promise<string | null> => (id === 'BKTEST' ? 'the-secret' : null);

function signed(extra: Record<string, string> = {}, at = '2026-03-01T10:05:00Z', method = 'POST'): Map<string, string> {
  const p = new Map(
    Object.entries({
      Action: 'DeleteAcrImageRepositories',
      Format: 'json',
      Version: '2021-05-21',
      Timestamp: at,
      SignatureNonce: 'n-1',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      AccessKeyId: 'BKTEST',
      RegionId: 'cn-hangzhou',
      RepoId: 'crr-abc',
      ...extra,
    }),
  );
  p.set('Signature', rpcV1Signature('the-secret', rpcV1StringToSign(method, p)));
  return p;
}

describe('RPC signature v1 (HMAC-SHA1)', () => {
  it("reproduces the example in Alibaba Cloud's signature documentation", () => {
    const p = new Map(
      Object.entries({
        AccessKeyId: 'testid',
        Action: 'DescribeRegions',
        Format: 'XML',
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
        SignatureVersion: '1.0',
        Timestamp: '2016-02-23T12:46:24Z',
        Version: '2014-05-26',
      }),
    );
    const toSign = rpcV1StringToSign('GET', p);
    assert.equal(
      toSign,
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    assert.equal(rpcV1Signature('testsecret', toSign), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('encodes values per RFC 3986 (space, *, ~, !, non-ASCII) before signing', () => {
    const p = new Map([
      ['A', "a b*c~d!e'(f)"],
      ['B', 'é'],
    ]);
    assert.equal(rpcV1StringToSign('POST', p), `POST&%2F&${encodeURIComponent('A=a%20b%2Ac~d%21e%27%28f%29&B=%C3%A9')}`);
  });

  it('accepts a correct signature and returns the key and nonce', async () => {
    assert.deepEqual(await verifyRpcV1({ method: 'POST', params: signed() }, secretOf, { now: NOW }), { ok: true, keyId: 'BKTEST', nonce: 'n-1' });
  });

  it('refuses a changed parameter, another method, a wrong secret, an unknown key and an unsigned request', async () => {
    const changed = signed();
    changed.set('RepoId', 'crr-other');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: changed }, secretOf, { now: NOW })), 'mismatch');
    assert.equal(kind(await verifyRpcV1({ method: 'GET', params: signed() }, secretOf, { now: NOW })), 'mismatch');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed() }, async () => 'another-secret', { now: NOW })), 'mismatch');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed({ AccessKeyId: 'BKNOPE' }) }, secretOf, { now: NOW })), 'unknown-key');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: new Map([['Action', 'X']]) }, secretOf, { now: NOW })), 'missing');
  });

  it('enforces the 15-minute window, the timestamp format, the method and version, and a nonce', async () => {
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed({}, '2026-03-01T09:44:00Z') }, secretOf, { now: NOW })), 'expired');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed({}, '2026-03-01T10:16:00Z') }, secretOf, { now: NOW })), 'expired');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed({}, '2026-03-01T09:46:00Z') }, secretOf, { now: NOW })), 'ok');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed({}, '2026-03-01 10:00:00') }, secretOf, { now: NOW })), 'bad-timestamp');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed({ SignatureMethod: 'HMAC-SHA256' }) }, secretOf, { now: NOW })), 'invalid-parameter');
    assert.equal(kind(await verifyRpcV1({ method: 'POST', params: signed({ SignatureVersion: '2.0' }) }, secretOf, { now: NOW })), 'invalid-parameter');
    const noNonce = signed();
    noNonce.delete('SignatureNonce');
    assert.deepEqual(await verifyRpcV1({ method: 'POST', params: noNonce }, secretOf, { now: NOW }), {
      ok: false,
      failure: { kind: 'missing-parameter', name: 'SignatureNonce' },
    });
  });
});

function kind(o: Awaited<ReturnType<typeof verifyRpcV1>>): string {
  return o.ok ? 'ok' : o.failure.kind;
}
