import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import Fastify, { type FastifyInstance } from 'fastify';
import { openTestRegistry, pushBlob, pushImage, sha256, TEST_ACTOR, type TestRegistry } from '../../adapters/test-helpers.ts';
import { keyPrincipal } from '../../auth/index.ts';
import { TestSha256 } from '../../auth/test-helpers.ts';
import { type AccessKey, createPin, PullRecorder, putManifest } from '../../core/index.ts';
import type { SignatureAuth } from '../common/access.ts';
import { ecrPlugin } from './routes.ts';

const KEY: AccessKey = {
  id: 'BKTESTKEY00000000000',
  name: 't',
  secretHash: '',
  sealedSecret: '',
  createdAt: new Date(0),
  lastUsedAt: null,
  grants: [{ repositories: 'team/*', actions: ['pull', 'push', 'delete', 'admin'] }],
};
const SECRET = 'the-secret-of-the-test-key-0123456789abcd';

function signatures(mode: 'none' | 'required'): SignatureAuth {
  return {
    mode,
    signingKey: async (id) => (id === KEY.id ? { principal: keyPrincipal(KEY), secret: SECRET } : null),
    issueLoginToken: async () => ({ token: 'a.b.c', expiresAt: new Date(0) }),
  };
}

async function server(reg: TestRegistry, mode: 'none' | 'required'): Promise<FastifyInstance> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  await app.register(
    ecrPlugin({ deps: reg.deps, pulls: new PullRecorder(reg.deps), signatures: signatures(mode), ecr: { region: 'us-east-1', registryId: '123456789012' } }),
  );
  return app;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

async function call(app: FastifyInstance, op: string, input: unknown, sign: { key?: string; secret?: string } | null = {}, at?: Date): Promise<Answer> {
  // A string is sent as it is (bodies JSON.stringify cannot build, such as ones nested thousands deep).
  const body = typeof input === 'string' ? input : JSON.stringify(input);
  let headers: Record<string, string> = {
    host: 'localhost',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${op}`,
  };
  if (sign) {
    const signer = new SignatureV4({
      service: 'ecr',
      region: 'us-west-2',
      sha256: TestSha256,
      credentials: { accessKeyId: sign.key ?? KEY.id, secretAccessKey: sign.secret ?? SECRET },
    });
    headers = (await signer.sign(new HttpRequest({ method: 'POST', path: '/', headers, body }), { signingDate: at ?? new Date() })).headers as Record<
      string,
      string
    >;
  }
  const res = await app.inject({ method: 'POST', url: '/', headers, payload: body });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown>, headers: res.headers };
}

let reg: TestRegistry;
let app: FastifyInstance;
let strict: FastifyInstance;
before(async () => {
  reg = await openTestRegistry({ start: new Date() });
  app = await server(reg, 'none');
  strict = await server(reg, 'required');
});
after(async () => {
  await app.close();
  await strict.close();
  await reg.close();
});

describe('ECR wire and auth', () => {
  it('answers JSON 1.1 with a request id, and errors as {__type, message} with HTTP 400', async () => {
    const ok = await call(app, 'DescribeRegistry', {}, null);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(String(ok.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(ok.body, { registryId: '123456789012', replicationConfiguration: { rules: [] } });
    const bad = await call(app, 'DeleteRepository', { repositoryName: 'team/none' }, null);
    assert.equal(bad.status, 400);
    assert.match(String(bad.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(bad.body, {
      __type: 'RepositoryNotFoundException',
      message: "The repository with name 'team/none' does not exist in the registry with id '123456789012'",
    });
    assert.equal((await call(app, 'StartImageScan', {}, null)).body.__type, 'UnknownOperationException');
  });

  it('refuses JSON nested too deep as a SerializationException, never as a client that went away', async () => {
    const deep = `{"repositoryNames":${'{"a":'.repeat(5_000)}{}${'}'.repeat(5_000)}}`;
    const res = await call(app, 'DescribeRepositories', deep, null);
    assert.equal(res.status, 400);
    assert.equal(res.body.__type, 'SerializationException');
    assert.match(String(res.body.message), /nested/);
  });

  it('with auth off, unsigned and unknown-key requests pass but a wrong or stale signature of a real key does not', async () => {
    assert.equal((await call(app, 'DescribeRepositories', {}, { key: 'AKIADUMMY', secret: 'y' })).status, 200);
    assert.equal((await call(app, 'DescribeRepositories', {}, { secret: 'wrong' })).body.__type, 'InvalidSignatureException');
    const stale = await call(app, 'DescribeRepositories', {}, {}, new Date(Date.now() - 20 * 60_000));
    assert.equal(stale.body.__type, 'InvalidSignatureException');
    assert.match(String(stale.body.message), /^Signature expired: /);
  });

  it('with auth required, a signature is needed, from a known key, and the key grants decide', async () => {
    assert.equal((await call(strict, 'DescribeRepositories', {}, null)).body.__type, 'MissingAuthenticationTokenException');
    assert.equal((await call(strict, 'DescribeRepositories', {}, { key: 'AKIADUMMY' })).body.__type, 'UnrecognizedClientException');
    assert.equal((await call(strict, 'DescribeRepositories', {}, { secret: 'nope' })).body.__type, 'InvalidSignatureException');
    assert.equal((await call(strict, 'CreateRepository', { repositoryName: 'team/auth' })).status, 200);
    const denied = await call(strict, 'CreateRepository', { repositoryName: 'other/auth' });
    assert.equal(denied.body.__type, 'AccessDeniedException');
    assert.match(
      String(denied.body.message),
      /user\/BKTESTKEY00000000000 is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:123456789012:repository\/other\/auth/,
    );
  });
});

describe('ECR images', () => {
  const repo = 'team/images';
  let one: string;
  let two: string;
  before(async () => {
    const config = await pushBlob(reg.deps, repo, '{}');
    const layer = await pushBlob(reg.deps, repo, 'layer-1');
    one = await pushImage(reg.deps, repo, 'a', config, [layer]);
    for (const t of ['b', 'c']) await pushImage(reg.deps, repo, t, config, [layer]);
    two = await pushImage(reg.deps, repo, 'z', config, [layer, await pushBlob(reg.deps, repo, 'layer-2')]);
  });

  it("ListImages pages by (digest, tag) entry, splitting an image's tags across pages without loss or repeats", async () => {
    const seen: string[] = [];
    let token: unknown;
    for (let i = 0; i < 10; i++) {
      const page = await call(app, 'ListImages', { repositoryName: repo, maxResults: 2, ...(token ? { nextToken: token } : {}) }, null);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...(page.body.imageIds as Array<{ imageDigest: string; imageTag?: string }>).map((x) => `${x.imageDigest}:${x.imageTag}`));
      token = page.body.nextToken;
      if (!token) break;
    }
    const expected = [...['a', 'b', 'c'].map((t) => `${one}:${t}`), `${two}:z`].sort();
    assert.deepEqual([...seen].sort(), expected);
    assert.equal(new Set(seen).size, seen.length);
  });

  it('DescribeImages reports tags, size, media types and fails the whole call for an unknown id', async () => {
    const all = await call(app, 'DescribeImages', { repositoryName: repo, maxResults: 1 }, null);
    assert.equal((all.body.imageDetails as unknown[]).length, 1);
    assert.equal(typeof all.body.nextToken, 'string');
    const byTag = await call(app, 'DescribeImages', { repositoryName: repo, imageIds: [{ imageTag: 'b' }] }, null);
    const detail = (byTag.body.imageDetails as Array<Record<string, unknown>>)[0]!;
    assert.deepEqual(detail.imageTags, ['a', 'b', 'c']);
    assert.equal(detail.imageSizeInBytes, 2 + 7);
    assert.equal(detail.artifactMediaType, 'application/vnd.oci.image.config.v1+json');
    assert.equal(typeof detail.imagePushedAt, 'number');
    const missing = await call(app, 'DescribeImages', { repositoryName: repo, imageIds: [{ imageTag: 'b' }, { imageTag: 'nope' }] }, null);
    assert.equal(missing.body.__type, 'ImageNotFoundException');
    assert.equal(
      (await call(app, 'DescribeImages', { repositoryName: repo, imageIds: [{ imageTag: '-bad tag' }] }, null)).body.__type,
      'InvalidParameterException',
    );
    assert.equal(
      (await call(app, 'DescribeImages', { repositoryName: repo, imageIds: [{ imageTag: 'b' }], maxResults: 5 }, null)).body.__type,
      'InvalidParameterException',
    );
  });

  it('BatchDeleteImage: untag, last tag takes the image, pins and indexes refuse per id, unknown ids are failures', async () => {
    const config = await pushBlob(reg.deps, 'team/del', '{}');
    const layer = await pushBlob(reg.deps, 'team/del', 'l');
    const child = await pushImage(reg.deps, 'team/del', null, config, [layer]);
    const index = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: child, size: 1 }],
      }),
    );
    await putManifest(reg.deps, {
      repository: 'team/del',
      reference: 'idx',
      body: index,
      contentType: 'application/vnd.oci.image.index.v1+json',
      actor: TEST_ACTOR,
    });
    const pinned = await pushImage(reg.deps, 'team/del', 'prod', config, [layer], { annotations: { n: 'p' } });
    await createPin(reg.deps, { repository: 'team/del', reference: pinned, reason: 'prod' }, TEST_ACTOR);
    const res = await call(
      app,
      'BatchDeleteImage',
      {
        repositoryName: 'team/del',
        imageIds: [{ imageDigest: child }, { imageDigest: pinned }, { imageTag: 'ghost' }, {}, { imageTag: 'idx', imageDigest: child }],
      },
      null,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      (res.body.failures as Array<{ failureCode: string }>).map((f) => f.failureCode),
      ['ImageReferencedByManifestList', 'ImageInUse', 'ImageNotFound', 'MissingDigestAndTag', 'ImageTagDoesNotMatchDigest'],
    );
    assert.deepEqual(res.body.imageIds, []);
    const gone = await call(app, 'BatchDeleteImage', { repositoryName: 'team/del', imageIds: [{ imageTag: 'idx' }, { imageDigest: child }] }, null);
    assert.deepEqual(gone.body, { imageIds: [{ imageDigest: sha256(index), imageTag: 'idx' }, { imageDigest: child }], failures: [] });
    const repoDelete = await call(app, 'DeleteRepository', { repositoryName: 'team/del', force: true }, null);
    assert.equal(repoDelete.body.__type, 'RepositoryInUseException');
    assert.equal((await call(app, 'DeleteRepository', { repositoryName: 'team/images' }, null)).body.__type, 'RepositoryNotEmptyException');
  });
});
