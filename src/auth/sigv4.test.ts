import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { type IncomingSigned, parseAuthorization, verifySigV4 } from './sigv4.ts';
import { TestSha256 } from './test-helpers.ts';

const KEY = 'BKTESTKEY00000000000';
const SECRET = 'secret-of-the-test-key-0123456789abcdefgh';
const AT = new Date('2026-03-01T12:00:00Z');

/** Signs like the SDK does and returns what the server would see. */
async function signed(
  o: { body?: string; secret?: string; at?: Date; service?: string; region?: string; extra?: Record<string, string>; checksum?: boolean } = {},
): Promise<IncomingSigned> {
  const body = o.body ?? '{"repositoryName":"team/app"}';
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 5000,
    path: '/',
    headers: {
      host: '127.0.0.1:5000',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'test/1.0',
      ...o.extra,
    },
    body,
  });
  const signer = new SignatureV4({
    service: o.service ?? 'ecr',
    region: o.region ?? 'eu-west-1',
    sha256: TestSha256,
    credentials: { accessKeyId: KEY, secretAccessKey: o.secret ?? SECRET },
    applyChecksum: o.checksum ?? true,
  });
  const out = await signer.sign(request, { signingDate: o.at ?? AT });
  const rawHeaders = Object.entries(out.headers).flatMap(([k, v]) => [k, String(v)]);
  return { method: 'POST', url: '/', rawHeaders, body: Buffer.from(body) };
}

const lookup = async (id: string): Promise<string | null> => (id === KEY ? SECRET : null);
const verify = (req: IncomingSigned, now = AT) => verifySigV4(req, lookup, { service: 'ecr', now });

describe('SigV4 verification', () => {
  it('accepts a request signed by @smithy/signature-v4, for any region, within the allowed clock skew', async () => {
    assert.deepEqual(await verify(await signed()), { ok: true, keyId: KEY, region: 'eu-west-1' });
    assert.equal((await verify(await signed({ region: 'us-east-1' }))).ok, true);
    assert.equal((await verify(await signed(), new Date(AT.getTime() + 14 * 60_000))).ok, true);
    assert.equal(
      (await verify(await signed({ extra: { 'x-amz-content-sha256': createHash('sha256').update('{"repositoryName":"team/app"}').digest('hex') } }))).ok,
      true,
    );
  });

  it('rejects a tampered body, a wrong secret, a tampered signed header and an unknown key', async () => {
    const other = Buffer.from('{"repositoryName":"team/other"}');
    const plain = await signed({ checksum: false });
    assert.equal((await verify(plain)).ok, true);
    assert.match(JSON.stringify(await verify({ ...plain, body: other })), /"kind":"mismatch".*does not match the signature you provided/);
    const req = await signed();
    assert.match(JSON.stringify(await verify({ ...req, body: other })), /"kind":"mismatch".*x-amz-content-sha256 header does not match/);
    assert.equal(((await verify(await signed({ secret: `${SECRET}x` }))) as { ok: false; failure: { kind: string } }).failure.kind, 'mismatch');
    const headers = [...req.rawHeaders];
    headers[headers.indexOf('x-amz-target') + 1] = 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository';
    assert.equal(((await verify({ ...req, rawHeaders: headers })) as { ok: false; failure: { kind: string } }).failure.kind, 'mismatch');
    const unknown = await verifySigV4(req, async () => null, { service: 'ecr', now: AT });
    assert.deepEqual(unknown, { ok: false, failure: { kind: 'unknown-key', keyId: KEY } });
  });

  it('a header that was not signed may change (user-agent), a signed one may not', async () => {
    const req = await signed();
    const headers = req.rawHeaders.map((v, i, all) => (i > 0 && all[i - 1] === 'user-agent' ? 'other/2.0' : v));
    assert.equal((await verify({ ...req, rawHeaders: headers })).ok, true);
  });

  it('refuses an expired or future date with AWS messages, and a scope for another service', async () => {
    const late = await verify(await signed(), new Date(AT.getTime() + 16 * 60_000));
    assert.equal(late.ok, false);
    assert.match(JSON.stringify(late), /Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z \(20260301T121600Z - 15 min\.\)/);
    const early = await verify(await signed(), new Date(AT.getTime() - 16 * 60_000));
    assert.match(JSON.stringify(early), /"kind":"expired".*Signature not yet current/);
    assert.match(JSON.stringify(await verify(await signed({ service: 's3' }))), /scoped to correct service: 'ecr'/);
  });

  it('says what is missing or malformed', async () => {
    const req = await signed();
    const without = (name: string): IncomingSigned => {
      const i = req.rawHeaders.indexOf(name);
      return { ...req, rawHeaders: [...req.rawHeaders.slice(0, i), ...req.rawHeaders.slice(i + 2)] };
    };
    assert.deepEqual(await verify(without('authorization')), { ok: false, failure: { kind: 'missing' } });
    assert.match(JSON.stringify(await verify(without('x-amz-date'))), /"kind":"malformed".*X-Amz-Date/);
    assert.match(JSON.stringify(await verify(without('x-amz-target'))), /Signed header 'x-amz-target' is missing/);
    assert.equal(typeof parseAuthorization('Basic abc'), 'string');
    assert.equal(typeof parseAuthorization('AWS4-HMAC-SHA256 Credential=K/2026/r/ecr/aws4_request, SignedHeaders=host, Signature=00'), 'string');
    assert.deepEqual(
      parseAuthorization(`AWS4-HMAC-SHA256 Credential=K/20260301/r/ecr/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`),
      {
        keyId: 'K',
        date: '20260301',
        region: 'r',
        service: 'ecr',
        signedHeaders: ['host', 'x-amz-date'],
        signature: 'a'.repeat(64),
      },
    );
  });
});
