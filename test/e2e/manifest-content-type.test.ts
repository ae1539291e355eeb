// A manifest is stored only under a type its pusher declared and its body agrees with: OCI's Content-Type and ECR's
// imageManifestMediaType are checked by the same core rule, so a text/plain push is refused instead of tagged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { type EcrBerth, ecrRepo, type SdkError, startEcrBerth } from './ecr-helpers.ts';
import { ACCEPT_MANIFESTS, assertError, assertStatus, type Descriptor, MT, mediaTypeOf, pushBlob, random, sha256 } from './oci-helpers.ts';

describe('the declared manifest media type (OCI Content-Type, ECR imageManifestMediaType)', () => {
  let e: EcrBerth;
  let repo: string;
  let config: Descriptor;
  let layer: Descriptor;
  const image = (mediaType?: string, nonce = random(4).toString('hex')) =>
    Buffer.from(JSON.stringify({ schemaVersion: 2, ...(mediaType ? { mediaType } : {}), config, layers: [layer], annotations: { nonce } }));
  const put = (ref: string, body: Buffer, contentType?: string) =>
    e.oci.req('PUT', `/v2/${repo}/manifests/${ref}`, { body, headers: contentType === undefined ? {} : { 'content-type': contentType } });
  const tagAbsent = async (tag: string) => assertError(await e.oci.get(`/v2/${repo}/manifests/${tag}`, { headers: { accept: ACCEPT_MANIFESTS } }), 404);

  before(async () => {
    e = await startEcrBerth();
    repo = ecrRepo('ctype');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    config = await pushBlob(e.oci, repo, Buffer.from('{"architecture":"amd64","os":"linux"}'), MT.ociConfig);
    layer = await pushBlob(e.oci, repo, random(300), MT.ociLayer);
  });
  after(async () => e?.dispose());

  it('OCI: a valid image manifest sent as text/plain is 400 MANIFEST_INVALID and leaves no tag', async () => {
    assertError(await put('plain', image(MT.ociManifest), 'text/plain'), 400, 'MANIFEST_INVALID');
    await tagAbsent('plain');
    assertError(await put('json', image(MT.ociManifest), 'application/json'), 400, 'MANIFEST_INVALID');
    await tagAbsent('json');
  });

  it('OCI: no Content-Type is refused (Distribution selects no manifest type without one); a header unlike the body too', async () => {
    assertError(await put('none', image(MT.ociManifest)), 400, 'MANIFEST_INVALID');
    await tagAbsent('none');
    assertError(await put('other', image(MT.ociManifest), MT.dockerManifest), 400, 'MANIFEST_INVALID');
    await tagAbsent('other');
  });

  it('OCI: parameters on the Content-Type are ignored, and the stored type is the bare media type', async () => {
    assertStatus(await put('charset', image(MT.ociManifest), `${MT.ociManifest}; charset=utf-8`), 201);
    assert.equal(mediaTypeOf(await e.oci.get(`/v2/${repo}/manifests/charset`, { headers: { accept: ACCEPT_MANIFESTS } })), MT.ociManifest);
  });

  it('OCI: without a mediaType field the Content-Type decides, and must fit the body: an index is no image manifest', async () => {
    const child = image(MT.ociManifest);
    assertStatus(await put(sha256(child), child, MT.ociManifest), 201);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MT.ociManifest, digest: sha256(child), size: child.length }] }));
    assertError(await put('misfit', index, MT.ociManifest), 400, 'MANIFEST_INVALID');
    await tagAbsent('misfit');
    assertStatus(await put('bare-index', index, MT.ociIndex), 201);
    assert.equal(mediaTypeOf(await e.oci.get(`/v2/${repo}/manifests/bare-index`, { headers: { accept: ACCEPT_MANIFESTS } })), MT.ociIndex);
    assertStatus(await put('bare-image', image(), MT.ociManifest), 201);
  });

  it('ECR PutImage: imageManifestMediaType must be a stored type and equal the body mediaType; one of them must say it', async () => {
    const refuse = async (input: { imageManifest: string; imageManifestMediaType?: string }, member: string) => {
      const err = await e.sdk.send(new PutImageCommand({ repositoryName: repo, imageTag: 'ecr-refused', ...input })).then(
        () => assert.fail(`PutImage ${JSON.stringify(input.imageManifestMediaType)} was accepted`),
        (x: SdkError) => x,
      );
      assert.equal(err.name, 'InvalidParameterException', err.message);
      assert.match(err.message, new RegExp(`^Invalid parameter at '${member}' failed to satisfy constraint: `));
    };
    await refuse({ imageManifest: image(MT.ociManifest).toString(), imageManifestMediaType: 'text/plain' }, 'imageManifestMediaType');
    await refuse({ imageManifest: image(MT.ociManifest).toString(), imageManifestMediaType: MT.dockerManifest }, 'imageManifestMediaType');
    await refuse({ imageManifest: image().toString() }, 'imageManifest');
    await tagAbsent('ecr-refused');
    const ok = await e.sdk.send(
      new PutImageCommand({ repositoryName: repo, imageTag: 'ecr-bare', imageManifest: image().toString(), imageManifestMediaType: MT.ociManifest }),
    );
    assert.equal(ok.image?.imageManifestMediaType, MT.ociManifest);
    const plain = await e.sdk.send(new PutImageCommand({ repositoryName: repo, imageTag: 'ecr-field', imageManifest: image(MT.dockerManifest).toString() }));
    assert.equal(plain.image?.imageManifestMediaType, MT.dockerManifest);
  });
});
