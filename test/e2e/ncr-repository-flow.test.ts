// The NCR API end to end against a real berth process, called the way NCR users script it (curl-style HTTP signed
// with NAVER's signature v2): images pushed by skopeo into reg/hello/world appear as registry "reg", image
// "hello/world"; registries, images and tags page with real links; details carry real platforms, sizes and times;
// tags and images are deleted (204, then 404) and /v2 agrees; a pinned image is refused with 409 naming the pin.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPin } from './berth-api-helpers.ts';
import { type BuiltImage, type BuiltIndex, buildImageLayout, buildMultiArchLayout } from './fixtures/oci-layout.ts';
import { isolatedToolEnv, skipUnless, skopeoArgs, type ToolEnv, tool } from './fixtures/tools.ts';
import { API, allPages, assertNcrError, type NcrBerth, ncr, ncrOk, type Page, startNcrBerth } from './ncr-helpers.ts';
import { pushImage } from './oci-helpers.ts';

const skip = skipUnless('skopeo');

interface Registry {
  name: string;
  bucket: string;
  created: number;
  end_point: string;
  status: string;
}
interface Image {
  name: string;
  namespace: string;
  description: string;
  last_updated: number;
  full_description?: string;
  tag_mutability_enabled?: boolean;
}
interface PlatformImage {
  architecture: string;
  os: string;
  variant: string;
  digest: string;
  mediaType: string;
  size: number;
  created: number | null;
  updated: number;
  latest_pulled: number | null;
}
interface Tag {
  name: string;
  digest: string;
  full_size: number;
  last_updated: number;
  v2: boolean;
  images: PlatformImage[];
}

describe('NCR API over images pushed by skopeo', { skip }, () => {
  let e: NcrBerth;
  let t: ToolEnv;
  let app: BuiltImage;
  let multi: BuiltIndex;
  const call = (method: string, uri: string, body?: object | string) => ncr(e.raw, method, uri, e.admin, body === undefined ? {} : { body });
  const push = (layout: string, ref: string) =>
    tool(
      'skopeo',
      skopeoArgs(t, [
        'copy',
        '--all',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${e.admin.accessKeyId}:${e.admin.secretAccessKey}`,
        `oci:${join(t.dir, layout)}`,
        `docker://${e.berth.host}/${ref}`,
      ]),
      t,
    );

  before(async () => {
    e = await startNcrBerth();
    t = await isolatedToolEnv([e.berth.host]);
    app = await buildImageLayout(join(t.dir, 'app'), 'v1', { seed: 'ncr-app', layerBytes: 2048 });
    multi = await buildMultiArchLayout(join(t.dir, 'multi'), 'multi');
    for (const tag of ['v1', 'v2', 'v3']) await push('app:v1', `reg/hello/world:${tag}`);
    await push('multi:multi', 'reg/hello/world:multi');
    for (const name of ['alpha', 'beta/one', 'a/b/c/d']) await pushImage(e.oci, `reg/${name}`, 'latest');
  });
  after(async () => {
    await e?.dispose();
    await t?.dispose();
  });

  it('registries: pushed ones are listed, created ones keep their bucket, a second create is 409, paging is exact', async () => {
    assertNcrError(await call('POST', `${API}/repositories/reg`, { bucket: 'b0' }), 409, '409');
    assert.deepEqual(ncrOk(await call('POST', `${API}/repositories/fresh`, { bucket: 'my-bucket', storageType: 'objectStorage' }), 201), {
      returnCode: '201',
      returnMessage: 'Registry Creation is successful',
    });
    assertNcrError(await call('POST', `${API}/repositories/fresh`, { bucket: 'my-bucket' }), 409, '409');
    assertNcrError(await call('POST', `${API}/repositories/other`, {}), 400, '100');
    const pages = await allPages<Registry>(e.raw, `${API}/repositories?pagesize=1`, e.admin);
    assert.deepEqual(
      pages.map((p) => p.results.map((r) => r.name)),
      [['fresh'], ['reg']],
    );
    assert.deepEqual(
      pages.map((p) => p.count),
      [2, 2],
    );
    assert.equal(pages[0]!.next, `${e.berth.url}${API}/repositories?page=2&pagesize=1`);
    assert.equal(pages[1]!.previous, `${e.berth.url}${API}/repositories?page=1&pagesize=1`);
    const fresh = pages[0]!.results[0]!;
    assert.equal(fresh.bucket, 'my-bucket');
    assert.equal(fresh.end_point, `${e.berth.host}/fresh`);
    assert.ok(Math.abs(fresh.created - Date.now()) < 600_000, `created is epoch ms: ${fresh.created}`);
  });

  it('images of a registry: names without the registry, exact count and pages, an unknown registry is 404', async () => {
    const first = ncrOk<Page<Image>>(await call('GET', `${API}/repositories/reg?page=1&pagesize=3`));
    assert.equal(first.count, 4);
    assert.deepEqual(
      first.results.map((i) => i.name),
      ['a/b/c/d', 'alpha', 'beta/one'],
    );
    assert.equal(first.previous, null);
    assert.equal(first.next, `${e.berth.url}${API}/repositories/reg?page=2&pagesize=3`);
    const second = ncrOk<Page<Image>>(await ncr(e.raw, 'GET', first.next!, e.admin));
    assert.deepEqual([second.results.map((i) => i.name), second.next], [['hello/world'], null]);
    assert.equal(second.results[0]!.namespace, 'reg');
    assert.ok(Math.abs(second.results[0]!.last_updated - Date.now()) < 600_000);
    const past = ncrOk<Page<Image>>(await call('GET', `${API}/repositories/reg?page=9&pagesize=3`));
    assert.deepEqual([past.count, past.results, past.next, past.previous], [4, [], null, `${e.berth.url}${API}/repositories/reg?page=2&pagesize=3`]);
    assertNcrError(await call('GET', `${API}/repositories/nosuch`), 404, '300');
  });

  it('image detail and edit: descriptions are stored, too long or not JSON is 400', async () => {
    const uri = `${API}/repositories/reg/hello%2Fworld`;
    const before = ncrOk<Image>(await call('GET', uri));
    assert.deepEqual([before.name, before.description, before.full_description, before.tag_mutability_enabled], ['hello/world', '', '', true]);
    ncrOk(await call('PATCH', uri, { description: 'short one', full_description: '# Hello\n\nworld' }), 204);
    const after = ncrOk<Image>(await call('GET', uri));
    assert.deepEqual([after.description, after.full_description], ['short one', '# Hello\n\nworld']);
    assertNcrError(await call('PATCH', uri, { description: 'x'.repeat(101) }), 400, '100');
    assertNcrError(await call('PATCH', uri, '{"description": '), 400, '100');
    assertNcrError(await call('PATCH', uri, '[1]'), 400, '100');
    assertNcrError(await call('GET', `${API}/repositories/reg/nothing`), 404, '300');
    assertNcrError(await call('PATCH', `${API}/repositories/reg/nothing`, { description: 'x' }), 404, '300');
  });

  it('tags: paged in name order, each with its images — platform from the config or the index, real sizes and times', async () => {
    const pages = await allPages<Tag>(e.raw, `${API}/repositories/reg/hello%2Fworld/tags?pagesize=3`, e.admin);
    assert.deepEqual(
      pages.map((p) => p.results.map((x) => x.name)),
      [['multi', 'v1', 'v2'], ['v3']],
    );
    assert.equal(pages[0]!.count, 4);
    const v1 = pages[0]!.results[1]!;
    assert.equal(v1.digest, app.manifestDigest);
    assert.equal(v1.full_size, app.config.length + app.layerSizes[0]!);
    assert.equal(v1.v2, true);
    assert.deepEqual(
      v1.images.map((i) => [i.architecture, i.os, i.digest, i.size]),
      [['amd64', 'linux', app.manifestDigest, v1.full_size]],
    );
    assert.ok(Math.abs(v1.images[0]!.created! - Date.now()) < 600_000 && typeof v1.last_updated === 'number');
    const detail = ncrOk<Tag>(await call('GET', `${API}/repositories/reg/hello%2Fworld/tags/multi`));
    assert.equal(detail.digest, multi.indexDigest);
    assert.deepEqual(
      detail.images.map((i) => [i.architecture, i.os, i.digest, i.size]),
      multi.children.map((c, i) => [['amd64', 'arm64'][i], 'linux', c.manifestDigest, c.config.length + c.layerSizes[0]!]),
    );
    assert.equal(detail.full_size, Math.max(...detail.images.map((i) => i.size)));
    assertNcrError(await call('GET', `${API}/repositories/reg/hello%2Fworld/tags/nope`), 404, '300');
    assertNcrError(await call('GET', `${API}/repositories/reg/nothing/tags`), 404, '300');
    assertNcrError(await call('GET', `${API}/repositories/nosuch/hello%2Fworld/tags/v1`), 404, '300');
  });

  it('names with several encoded slashes work everywhere, and %2F is decoded once only', async () => {
    const base = `${API}/repositories/reg/a%2Fb%2Fc%2Fd`;
    assert.equal(ncrOk<Image>(await call('GET', base)).name, 'a/b/c/d');
    assert.deepEqual(
      ncrOk<Page<Tag>>(await call('GET', `${base}/tags`)).results.map((x) => x.name),
      ['latest'],
    );
    assertNcrError(await call('GET', `${API}/repositories/reg/a%252Fb%252Fc%252Fd`), 400, '100');
    assertNcrError(await call('GET', `${API}/repositories/reg/a%2F%2Fb`), 400, '100');
    // Encoded unreserved characters are themselves (decoded once, like %2F); anything the grammar refuses is 400.
    assert.equal(ncrOk<Image>(await call('GET', `${API}/repositories/r%65g/hello%2Fw%6Frld`)).name, 'hello/world');
    assert.equal(ncrOk<Tag>(await call('GET', `${API}/repositories/reg/hello%2Fworld/tags/v%31`)).name, 'v1');
    for (const bad of ['%2E%2E', 'a%25b', 'a%2570', '%2E%2E%2F%2E%2E%2Fetc']) assertNcrError(await call('GET', `${API}/repositories/reg/${bad}`), 400, '100');
    ncrOk(await call('DELETE', `${base}/tags/latest`), 204);
    ncrOk(await call('DELETE', base), 204);
    assertNcrError(await call('GET', base), 404, '300');
  });

  it('delete tag: 204, then 404; the manifest stays for the other tags', async () => {
    ncrOk(await call('DELETE', `${API}/repositories/reg/hello%2Fworld/tags/v3`), 204);
    assertNcrError(await call('DELETE', `${API}/repositories/reg/hello%2Fworld/tags/v3`), 404, '300');
    assert.equal((await e.oci.get('/v2/reg/hello/world/manifests/v3')).status, 404);
    assert.equal((await e.oci.get('/v2/reg/hello/world/manifests/v2')).status, 200);
    assert.equal(ncrOk<Page<Tag>>(await call('GET', `${API}/repositories/reg/hello%2Fworld/tags`)).count, 3);
  });

  it('a pinned image is refused with 409 naming the pin, and stays', async () => {
    const pin = await createPin(e.oci, 'reg/alpha', 'latest', 'ncr e2e deployment');
    const refused = assertNcrError(await call('DELETE', `${API}/repositories/reg/alpha`), 409, '409');
    assert.deepEqual(
      refused.error.pins?.map((p) => [p.id, p.repository]),
      [[pin.id, 'reg/alpha']],
    );
    assert.match(refused.error.details, new RegExp(pin.id));
    assert.equal((await e.oci.get('/v2/reg/alpha/manifests/latest')).status, 200);
  });

  it('delete image: 204, then 404, and /v2 says NAME_UNKNOWN; a registry is deleted only once empty', async () => {
    ncrOk(await call('DELETE', `${API}/repositories/reg/hello%2Fworld`), 204);
    assertNcrError(await call('DELETE', `${API}/repositories/reg/hello%2Fworld`), 404, '300');
    assertNcrError(await call('GET', `${API}/repositories/reg/hello%2Fworld/tags`), 404, '300');
    const tags = await e.oci.get('/v2/reg/hello/world/tags/list');
    assert.equal(tags.status, 404, tags.describe());
    assert.equal(tags.json<{ errors: Array<{ code: string }> }>().errors[0]!.code, 'NAME_UNKNOWN');
    assertNcrError(await call('DELETE', `${API}/repositories/reg`), 409, '409');
    ncrOk(await call('DELETE', `${API}/repositories/fresh`), 204);
    assertNcrError(await call('DELETE', `${API}/repositories/fresh`), 404, '300');
  });
});
