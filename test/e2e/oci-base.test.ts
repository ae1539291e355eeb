// OCI Distribution: the /v2/ support check every client makes first, and how unknown endpoints answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError, type Client, repoName, useTarget } from './oci-helpers.ts';

describe('OCI base endpoint', () => {
  let c: Client;

  useTarget((t) => (c = t.client));

  it('GET /v2/ answers 200 with Docker-Distribution-Api-Version: registry/2.0', async () => {
    const res = await c.get('/v2/');
    assert.equal(res.status, 200, res.describe());
    assert.equal(res.header('docker-distribution-api-version'), 'registry/2.0');
  });

  it('HEAD /v2/ answers 200 with the version header and no body', async () => {
    const res = await c.head('/v2/');
    assert.equal(res.status, 200, res.describe());
    assert.equal(res.header('docker-distribution-api-version'), 'registry/2.0');
    assert.equal(res.body.length, 0);
  });

  it('an unknown endpoint under /v2/ is 404 with the error envelope', async () => {
    for (const path of ['/v2/no-such-endpoint', `/v2/${repoName('base')}/nonsense/thing`, `/v2/${repoName('base')}/blobs`]) {
      const res = await c.get(path);
      assertError(res, 404);
    }
  });

  it('error answers also carry Docker-Distribution-Api-Version', async () => {
    const res = await c.get(`/v2/${repoName('base')}/manifests/latest`);
    assertError(res, 404);
    assert.equal(res.header('docker-distribution-api-version'), 'registry/2.0');
  });

  it('an unknown repository is 404 for HEAD without a body', async () => {
    const res = await c.head(`/v2/${repoName('base')}/manifests/latest`);
    assertError(res, 404);
  });

  it('a method an endpoint does not serve is 405 with an Allow header and the envelope', async () => {
    const res = await c.req('PUT', `/v2/${repoName('base')}/tags/list`, { body: '{}' });
    assertError(res, 405, 'UNSUPPORTED');
    assert.ok(res.header('allow'), `${res.describe()}: RFC 9110 requires Allow on 405`);
    assert.match(res.header('allow') ?? '', /\bGET\b/);
  });
});
