// ClientToken and deletion safety on the ACR API: a deployment pin refuses a delete with a 409 naming the pin (and
// that refusal is not remembered, so the same token works once the pin is gone), a key without the delete grant gets
// Forbidden.RAM, and a token answers the same after berth restarts on the same data.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type AcrBerth, acrNamespace, acrSdk, createKey, REGION, sdkRejects, startAcrBerth } from './acr-helpers.ts';
import { api, createPin } from './berth-api-helpers.ts';
import { AuthClient, keyBasic } from './ecr-helpers.ts';
import { startBerth } from './harness.ts';
import { pushImage } from './oci-helpers.ts';

interface RepoList {
  Repositories: Array<{ RepoId: string; RepoName: string }>;
}

describe('ACR deletes: pins, rights and ClientToken across a restart', () => {
  let e: AcrBerth;
  let oci: AuthClient;
  before(async () => {
    e = await startAcrBerth();
    oci = new AuthClient(e.berth.url, keyBasic(e.admin));
  });
  after(async () => e?.dispose());

  const repoIdOf = async (host: string, name: string): Promise<string> => {
    const listed = await acrSdk(host, e.admin, 'ACS3').call<RepoList>('ListAcrImageRepositories', { RepoName: name });
    assert.equal(listed.body.Repositories.length, 1, JSON.stringify(listed.body));
    return listed.body.Repositories[0]!.RepoId;
  };

  it('a pinned image: tag and repository deletes answer 409 OperationDenied.ImageInUse naming the pin; after unpinning the same token deletes', async () => {
    const sdk = acrSdk(e.berth.host, e.admin, 'ACS3');
    const repo = `${acrNamespace('pin')}/app`;
    await pushImage(oci, repo, 'v1');
    const RepoId = await repoIdOf(e.berth.host, repo);
    const pin = await createPin(oci, repo, 'v1', 'prod cluster');
    const token = randomUUID();
    const tagRefused = await sdkRejects(
      sdk.call('DeleteAcrImageTags', { RegionId: REGION, RepoId, Tag: 'v1', ClientToken: token }),
      'OperationDenied.ImageInUse',
      409,
    );
    assert.match(tagRefused.message, new RegExp(pin.id));
    const repoRefused = await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId }), 'OperationDenied.ImageInUse', 409);
    assert.match(repoRefused.message, new RegExp(pin.id));
    assert.equal((await oci.get(`/v2/${repo}/manifests/v1`)).status, 200);
    assert.equal((await api(oci, 'DELETE', `/berth/v1/pins/${pin.id}`)).status, 200);
    const deleted = await sdk.call('DeleteAcrImageTags', { RegionId: REGION, RepoId, Tag: 'v1', ClientToken: token });
    assert.equal(deleted.statusCode, 200, 'a refusal is not remembered: the same token runs once the pin is gone');
    assert.equal((await oci.get(`/v2/${repo}/manifests/v1`)).status, 404);
  });

  it('a key without the delete grant gets Forbidden.RAM and deletes nothing; granted, the same token then works', async () => {
    const ns = acrNamespace('ram');
    const repo = `${ns}/app`;
    await pushImage(oci, repo, 'v1');
    const RepoId = await repoIdOf(e.berth.host, repo);
    const reader = await createKey(e.berth, '--grant', `${ns}/*:pull`);
    const token = randomUUID();
    const err = await sdkRejects(
      acrSdk(e.berth.host, reader, 'v2').call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: token }),
      'Forbidden.RAM',
      403,
    );
    assert.match(err.message, /computenestsupplier:DeleteAcrImageRepositories/);
    assert.equal((await oci.get(`/v2/${repo}/tags/list`)).status, 200);
    // Tokens belong to the key that used them: the admin's call with the same token is a new request.
    assert.equal(
      (await acrSdk(e.berth.host, e.admin, 'v2').call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: token })).statusCode,
      200,
    );
    assert.equal((await oci.get(`/v2/${repo}/tags/list`)).status, 404);
  });

  it('replays the first answer of a token after berth restarts on the same data', async () => {
    const repo = `${acrNamespace('restart')}/app`;
    await pushImage(oci, repo, 'v1');
    const RepoId = await repoIdOf(e.berth.host, repo);
    const token = randomUUID();
    const first = await acrSdk(e.berth.host, e.admin, 'ACS3').call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: token });
    assert.equal(first.statusCode, 200);
    await e.berth.stop();
    const restarted = await startBerth({ dataDir: e.berth.dataDir, args: ['--auth', 'required'] });
    try {
      const again = await acrSdk(restarted.host, e.admin, 'v2').call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: token });
      assert.deepEqual([again.statusCode, again.body], [200, first.body], 'same status and body, RequestId included');
      await sdkRejects(
        acrSdk(restarted.host, e.admin, 'ACS3').call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId: 'crr-0000000000000000', ClientToken: token }),
        'IdempotentParameterMismatch',
        400,
      );
    } finally {
      await restarted.stop();
    }
  });
});
