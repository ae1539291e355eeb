// The official @huaweicloud/huaweicloud-sdk-swr against a real berth process with auth required: the life of a
// repository as an SWR user runs it. Namespace, docker credentials from createSecret, two tags pushed by skopeo into
// ns/team/app, list and show (team$app), retag, tag delete, the 406 of a repository that still holds images, the last
// tags and then the repository deleted (after which /v2 says NAME_UNKNOWN), and pins refusing deletes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as swr from '@huaweicloud/huaweicloud-sdk-swr';
import { createPin } from './berth-api-helpers.ts';
import { type BuiltImage, buildImageLayout } from './fixtures/oci-layout.ts';
import { isolatedToolEnv, skipUnless, skopeoArgs, type ToolEnv, tool } from './fixtures/tools.ts';
import { ACCEPT_MANIFESTS, assertError, pushImage } from './oci-helpers.ts';
import { assertSwrError, REGION, type SwrBerth, sdkRejects, startSwrBerth, swrNamespace, swrRaw } from './swr-helpers.ts';

const skip = skipUnless('skopeo');

interface RepoEntry {
  name: string;
  namespace: string;
  num_images: number;
  path: string;
  internal_path: string;
  tags: string[];
  size: number;
  created_at: string;
  updated_at: string;
}
interface TagEntry {
  Tag: string;
  digest: string;
  path: string;
  size: number;
  manifest: string;
  created: string;
  updated: string;
  schema: number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

describe('SWR repository flow through @huaweicloud/huaweicloud-sdk-swr (auth required)', { skip }, () => {
  let e: SwrBerth;
  let t: ToolEnv;
  let one: BuiltImage;
  let two: BuiltImage;
  const ns = swrNamespace('life');
  const repo = `${ns}/team/app`;
  const v2Status = async (ref: string): Promise<number> => (await e.oci.get(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } })).status;
  const digestOf = async (ref: string): Promise<string | undefined> =>
    (await e.oci.get(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } })).header('docker-content-digest');

  before(async () => {
    e = await startSwrBerth();
    t = await isolatedToolEnv([e.berth.host]);
    one = await buildImageLayout(join(t.dir, 'one'), 'v1', { seed: 'swr-one' });
    two = await buildImageLayout(join(t.dir, 'two'), 'v2', { seed: 'swr-two' });
  });
  after(async () => {
    await e?.dispose();
    await t?.dispose();
  });

  // Steps build on each other, in order.
  it('createNamespace, then a second create is 409; showNamespace and listNamespaces with a filter', async () => {
    const created = await e.sdk.createNamespace(new swr.CreateNamespaceRequest().withBody(new swr.CreateNamespaceRequestBody().withNamespace(ns)));
    assert.equal(created.httpStatusCode, 201);
    await sdkRejects(
      e.sdk.createNamespace(new swr.CreateNamespaceRequest().withBody(new swr.CreateNamespaceRequestBody().withNamespace(ns))),
      409,
      'SVCSTG.SWR.4090001',
    );
    const shown = await e.sdk.showNamespace(new swr.ShowNamespaceRequest().withNamespace(ns));
    assert.deepEqual(
      [shown.name, shown.auth, typeof shown.id, (shown as unknown as { creator_name: string }).creator_name],
      [ns, 7, 'number', e.admin.accessKeyId],
    );
    const listed = await e.sdk.listNamespaces(new swr.ListNamespacesRequest().withFilter(`namespace::${ns}|mode::visible`));
    assert.deepEqual(
      listed.namespaces?.map((n) => n.name),
      [ns],
    );
    const other = await e.sdk.listNamespaces(new swr.ListNamespacesRequest().withNamespace(`${ns}-none`));
    assert.deepEqual(other.namespaces, []);
  });

  it('createSecret gives docker credentials for berth itself that skopeo logs in and pushes two tags with', async () => {
    const secret = await e.sdk.createSecret(new swr.CreateSecretRequest());
    assert.equal(secret.httpStatusCode, 200);
    const auths = secret.auths ?? {};
    assert.deepEqual(Object.keys(auths), [e.berth.host], "the registry host is berth's own host:port");
    const decoded = Buffer.from(auths[e.berth.host]!.auth!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    assert.equal(user, `${REGION}@${e.admin.accessKeyId}`);
    const command = (secret as unknown as Record<string, string>)['X-Swr-Dockerlogin'];
    assert.equal(command, `docker login -u ${user} -p ${password} ${e.berth.host}`, 'the SDK copies X-Swr-Dockerlogin into the response');
    const authfile = join(t.dir, 'swr-auth.json');
    await tool('skopeo', skopeoArgs(t, ['login', '--tls-verify=false', '--authfile', authfile, '-u', user, '-p', password, e.berth.host]), t);
    for (const [img, tag] of [
      ['one', 'v1'],
      ['two', 'v2'],
    ] as const) {
      await tool(
        'skopeo',
        skopeoArgs(t, [
          'copy',
          '--dest-tls-verify=false',
          '--dest-authfile',
          authfile,
          `oci:${join(t.dir, img)}:${tag}`,
          `docker://${e.berth.host}/${repo}:${tag}`,
        ]),
        t,
      );
    }
    assert.equal(await digestOf('v1'), one.manifestDigest);
    assert.equal(await digestOf('v2'), two.manifestDigest);
  });

  it('listReposDetails (array + Content-Range), showRepository and listRepositoryTags (capital Tag) show what skopeo pushed, by team$app', async () => {
    const listed = await e.sdk.listReposDetails(new swr.ListReposDetailsRequest().withNamespace(ns).withLimit('10').withOffset('0'));
    const entries = listed as unknown as RepoEntry[] & { 'Content-Range'?: string; httpStatusCode: number };
    assert.ok(Array.isArray(entries), 'the SDK hands back the JSON array itself');
    assert.equal(entries['Content-Range'], '0-1/1');
    assert.equal(entries.length, 1);
    const [r] = entries;
    assert.deepEqual(
      [r!.name, r!.namespace, r!.num_images, [...r!.tags].sort(), r!.path, r!.internal_path],
      ['team/app', ns, 2, ['v1', 'v2'], `${e.berth.host}/${repo}`, `${e.berth.host}/${repo}`],
    );
    assert.ok(r!.size > 0 && RFC3339.test(r!.created_at) && RFC3339.test(r!.updated_at), JSON.stringify(r));

    const shown = await e.sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(ns).withRepository('team$app'));
    const s = shown as unknown as Record<string, unknown>;
    assert.deepEqual([s.name, s.num_images, s.path, s.is_public, s.category], ['team/app', 2, `${e.berth.host}/${repo}`, false, 'other']);
    assert.ok(typeof s.size === 'number' && s.size > 0 && RFC3339.test(String(s.created)) && RFC3339.test(String(s.updated)), JSON.stringify(s));

    const tags = await e.sdk.listRepositoryTags(new swr.ListRepositoryTagsRequest().withNamespace(ns).withRepository('team$app'));
    const list = tags as unknown as TagEntry[] & { 'Content-Range'?: string };
    assert.equal(list['Content-Range'], '0-2/2');
    const byTag = new Map(list.map((x) => [x.Tag, x]));
    assert.deepEqual([...byTag.keys()].sort(), ['v1', 'v2']);
    const v1 = byTag.get('v1')!;
    assert.deepEqual([v1.digest, v1.path, v1.schema], [one.manifestDigest, `${e.berth.host}/${repo}:v1`, 2]);
    assert.equal(v1.manifest, one.manifest.toString('utf8'), 'the manifest exactly as pushed');
    assert.equal(v1.size, one.layerSizes.reduce((a, b) => a + b, 0) + one.config.length, 'size is config plus layers: what a pull downloads');
    const paged = await e.sdk.listRepositoryTags(
      new swr.ListRepositoryTagsRequest().withNamespace(ns).withRepository('team$app').withLimit('1').withOffset('1'),
    );
    const page = paged as unknown as TagEntry[] & { 'Content-Range'?: string };
    assert.deepEqual([page.map((x) => x.Tag), page['Content-Range']], [['v2'], '1-1/2']);

    const one1 = await swrRaw(e.raw, 'GET', `/v2/manage/namespaces/${ns}/repos/team$app/tags/v1`, { key: e.admin });
    assert.equal(one1.status, 200, one1.describe());
    assert.deepEqual(
      [one1.json<{ tag: string }>().tag, one1.json<{ digest: string }>().digest],
      ['v1', one.manifestDigest],
      'showRepoTag spells it lowercase "tag"',
    );
  });

  it('createRepoTag retags by the exact manifest; an existing tag moves only with override', async () => {
    const retag = (source: string, destination: string, override?: boolean) => {
      const body = new swr.CreateRepoTagRequestBody().withSourceTag(source).withDestinationTag(destination);
      if (override !== undefined) body.withOverride(override);
      return e.sdk.createRepoTag(new swr.CreateRepoTagRequest().withNamespace(ns).withRepository('team$app').withBody(body));
    };
    assert.equal((await retag('v1', 'v3')).httpStatusCode, 201);
    assert.equal(await digestOf('v3'), one.manifestDigest, 'the new tag serves the same image through /v2');
    await sdkRejects(retag('v1', 'v2'), 409, 'SVCSTG.SWR.4090006');
    assert.equal(await digestOf('v2'), two.manifestDigest, 'a refused retag moved nothing');
    assert.equal((await retag('v2', 'moving')).httpStatusCode, 201);
    assert.equal((await retag('v1', 'moving', true)).httpStatusCode, 201);
    assert.equal(await digestOf('moving'), one.manifestDigest, 'override moves the tag');
    await sdkRejects(retag('nope', 'x'), 404, 'SVCSTG.SWR.4040010');
    await sdkRejects(retag('v1', '-bad'), 400, 'SVCSTG.SWR.4000016');
  });

  it('deleteRepoTag removes one tag (204) and leaves the image to its other tags; unknown tag is 404', async () => {
    for (const tag of ['v3', 'moving']) {
      const out = await e.sdk.deleteRepoTag(new swr.DeleteRepoTagRequest().withNamespace(ns).withRepository('team$app').withTag(tag));
      assert.equal(out.httpStatusCode, 204);
      assert.equal(await v2Status(tag), 404);
    }
    assert.equal(await v2Status(one.manifestDigest), 200, 'v1 still holds the image');
    await sdkRejects(e.sdk.deleteRepoTag(new swr.DeleteRepoTagRequest().withNamespace(ns).withRepository('team$app').withTag('v3')), 404, 'SVCSTG.SWR.4040010');
  });

  it('deleteRepo while it holds images is 406 SVCSTG.SWR.4060012 and deletes nothing', async () => {
    const err = await sdkRejects(e.sdk.deleteRepo(new swr.DeleteRepoRequest().withNamespace(ns).withRepository('team$app')), 406, 'SVCSTG.SWR.4060012');
    assert.match(err.errorMsg!, /2 image/);
    for (const ref of ['v1', 'v2', one.manifestDigest, two.manifestDigest]) assert.equal(await v2Status(ref), 200, `${ref} is intact`);
    const raw = await swrRaw(e.raw, 'DELETE', `/v2/manage/namespaces/${ns}/repos/team$app`, { key: e.admin });
    assertSwrError(raw, 406, 'SVCSTG.SWR.4060012');
  });

  it('a pinned image refuses the delete of its last tag with 409 naming the pin; the pin gone, the delete works', async () => {
    const pin = await createPin(e.oci, repo, 'v2', 'runs in prod');
    const err = await sdkRejects(
      e.sdk.deleteRepoTag(new swr.DeleteRepoTagRequest().withNamespace(ns).withRepository('team$app').withTag('v2')),
      409,
      'SVCSTG.SWR.4090023',
    );
    assert.ok(err.errorMsg!.includes(pin.id), err.errorMsg);
    assert.equal(await v2Status('v2'), 200, 'nothing was deleted');
    const raw = await swrRaw(e.raw, 'DELETE', `/v2/manage/namespaces/${ns}/repos/team$app/tags/v2`, { key: e.admin });
    const body = assertSwrError(raw, 409, 'SVCSTG.SWR.4090023');
    assert.ok(body.errors![0]!.detail.includes(pin.id), 'errors[0].detail carries the pins');
    const removed = await e.oci.req('DELETE', `/berth/v1/pins/${pin.id}`);
    assert.ok(removed.status >= 200 && removed.status < 300, removed.describe());
  });

  it('deleting the last tags deletes their images; the empty repository then deletes (204) and /v2 says NAME_UNKNOWN', async () => {
    for (const tag of ['v2', 'v1']) {
      assert.equal((await e.sdk.deleteRepoTag(new swr.DeleteRepoTagRequest().withNamespace(ns).withRepository('team$app').withTag(tag))).httpStatusCode, 204);
    }
    assert.equal(await v2Status(one.manifestDigest), 404, 'the last tag took its image along (SWR counts tags as images)');
    assert.equal(await v2Status(two.manifestDigest), 404);
    const shown = await e.sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(ns).withRepository('team$app'));
    assert.equal((shown as unknown as { num_images: number }).num_images, 0);
    assert.equal((await e.sdk.deleteRepo(new swr.DeleteRepoRequest().withNamespace(ns).withRepository('team$app'))).httpStatusCode, 204);
    assertError(await e.oci.get(`/v2/${repo}/tags/list`), 404, 'NAME_UNKNOWN');
    await sdkRejects(e.sdk.deleteRepo(new swr.DeleteRepoRequest().withNamespace(ns).withRepository('team$app')), 404, 'SVCSTG.SWR.4040004');
    await sdkRejects(e.sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(ns).withRepository('team$app')), 404, 'SVCSTG.SWR.4040004');
  });

  it('createRepo, updateRepo (201, stored), a duplicate is 409; deleteNamespaces refused while it holds repositories, then 204', async () => {
    const body = new swr.CreateRepoRequestBody().withRepository('svc/api').withIsPublic(false).withCategory('linux').withDescription('first');
    assert.equal((await e.sdk.createRepo(new swr.CreateRepoRequest().withNamespace(ns).withBody(body))).httpStatusCode, 201);
    await sdkRejects(e.sdk.createRepo(new swr.CreateRepoRequest().withNamespace(ns).withBody(body)), 409, 'SVCSTG.SWR.4090002');
    const update = new swr.UpdateRepoRequestBody().withIsPublic(true).withDescription('second');
    assert.equal((await e.sdk.updateRepo(new swr.UpdateRepoRequest().withNamespace(ns).withRepository('svc$api').withBody(update))).httpStatusCode, 201);
    const s = (await e.sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(ns).withRepository('svc$api'))) as unknown as Record<string, unknown>;
    assert.deepEqual([s.name, s.is_public, s.category, s.description, s.num_images, s.size], ['svc/api', true, 'linux', 'second', 0, 0]);
    assert.equal((await e.oci.get(`/v2/${ns}/svc/api/tags/list`)).status, 200, 'the repository exists for /v2 too');
    const filtered = await e.sdk.listReposDetails(new swr.ListReposDetailsRequest().withNamespace(ns).withCategory('linux'));
    assert.deepEqual(
      (filtered as unknown as RepoEntry[]).map((x) => x.name),
      ['svc/api'],
    );
    await sdkRejects(e.sdk.deleteNamespaces(new swr.DeleteNamespacesRequest().withNamespace(ns)), 406, 'SVCSTG.SWR.4060013');
    assert.equal((await e.sdk.deleteRepo(new swr.DeleteRepoRequest().withNamespace(ns).withRepository('svc$api'))).httpStatusCode, 204);
    assert.equal((await e.sdk.deleteNamespaces(new swr.DeleteNamespacesRequest().withNamespace(ns))).httpStatusCode, 204);
    await sdkRejects(e.sdk.showNamespace(new swr.ShowNamespaceRequest().withNamespace(ns)), 404, 'SVCSTG.SWR.4040001');
  });

  it('a namespace implied by a /v2 push is an SWR namespace with its repository', async () => {
    const implied = swrNamespace('push');
    await pushImage(e.oci, `${implied}/web`, 'latest');
    const shown = await e.sdk.showNamespace(new swr.ShowNamespaceRequest().withNamespace(implied));
    assert.equal(shown.name, implied);
    const s = (await e.sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(implied).withRepository('web'))) as unknown as Record<string, unknown>;
    assert.equal(s.num_images, 1);
    await sdkRejects(
      e.sdk.createNamespace(new swr.CreateNamespaceRequest().withBody(new swr.CreateNamespaceRequestBody().withNamespace(implied))),
      409,
      'SVCSTG.SWR.4090001',
    );
  });
});
