// Deployment pins through the wire: every OCI delete path refuses to take a pinned image (409 DENIED naming the
// pins), the override needs admin and is audited, and recently pulled images pin themselves when configured.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { api, assertApiError, createPin, ociError, okJson, type PinJson } from './berth-api-helpers.ts';
import { type RunningBerth, runBerth, startBerth } from './harness.ts';
import { ACCEPT_MANIFESTS, assertStatus, Client, MT, pushImage, pushIndex, putManifest, repoName } from './oci-helpers.ts';

interface PinnedDetail {
  pins: Array<{ id: string; repository: string; digest: string; owner: string; reason: string }>;
}

describe('pins protect images from OCI deletes (auth off)', () => {
  let berth: RunningBerth;
  let c: Client;
  before(async () => {
    berth = await startBerth();
    c = new Client(berth.url);
  });
  after(async () => berth.dispose());

  const manifest = (repo: string, ref: string) => c.get(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } });

  it('DELETE by digest of a pinned image is 409 DENIED naming the pin; the image stays; a tag delete is still allowed', async () => {
    const repo = repoName('pins');
    const image = await pushImage(c, repo, 'v1');
    assertStatus((await putManifest(c, repo, 'v2', image.bytes, MT.ociManifest)).res, 201);
    const pin = await createPin(c, repo, 'v1', 'deployment web-prod', { owner: 'team-web' });
    assert.match(pin.id, /^pin-[a-z0-9]{16}$/);
    assert.equal(pin.digest, image.digest, 'a tag is pinned as the digest it points at');
    assert.equal(pin.owner, 'team-web');

    const refused = await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`);
    assert.equal(refused.status, 409, refused.describe());
    const err = ociError(refused);
    assert.equal(err.code, 'DENIED');
    assert.ok(err.message.includes(pin.id), `the message names the pin: ${err.message}`);
    const detail = err.detail as PinnedDetail;
    assert.deepEqual(
      detail.pins.map((p) => [p.id, p.owner, p.reason]),
      [[pin.id, 'team-web', 'deployment web-prod']],
    );
    assertStatus(await manifest(repo, image.digest), 200);

    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/v2`), 202);
    assertStatus(await manifest(repo, 'v1'), 200);
  });

  it('a pinned index protects its children: deleting a child by digest is refused', async () => {
    const repo = repoName('pins');
    const amd = await pushImage(c, repo);
    const arm = await pushImage(c, repo);
    const index = await pushIndex(c, repo, 'multi', [amd.descriptor, arm.descriptor]);
    const pin = await createPin(c, repo, index.digest);
    const refused = await c.req('DELETE', `/v2/${repo}/manifests/${arm.digest}`);
    assert.equal(refused.status, 409, refused.describe());
    assert.equal(ociError(refused).code, 'DENIED');
    assert.ok((ociError(refused).detail as PinnedDetail).pins.some((p) => p.id === pin.id));
    assertStatus(await manifest(repo, arm.digest), 200);
  });

  it('a pinned referrer protects its subject: deleting the subject would cascade to it, so it is refused', async () => {
    const repo = repoName('pins');
    const subject = await pushImage(c, repo, 'app');
    const signature = await pushImage(c, repo, undefined, { emptyConfig: true, artifactType: 'application/vnd.example.sig.v1', subject: subject.descriptor });
    const pin = await createPin(c, repo, signature.digest, 'verified signature in use');
    const refused = await c.req('DELETE', `/v2/${repo}/manifests/${subject.digest}`);
    assert.equal(refused.status, 409, refused.describe());
    assert.ok(ociError(refused).message.includes(pin.id));
    assertStatus(await manifest(repo, subject.digest), 200);
    assertStatus(await manifest(repo, signature.digest), 200);
  });

  it('a repository delete is refused while anything in it is pinned, even forced; --break-pins overrides', async () => {
    const repo = repoName('pins');
    const image = await pushImage(c, repo, 'v1');
    const pin = await createPin(c, repo, image.digest);
    const refused = await runBerth(['repo', 'rm', repo, '--force', '--data', berth.dataDir]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.ok(refused.stderr.includes(pin.id), refused.stderr);
    assertStatus(await manifest(repo, 'v1'), 200);
    const broken = await runBerth(['repo', 'rm', repo, '--force', '--break-pins', '--data', berth.dataDir, '--json']);
    assert.equal(broken.code, 0, broken.stderr);
    assert.deepEqual(JSON.parse(broken.stdout).brokenPins, [pin.id]);
    assert.equal((await c.get(`/v2/${repo}/tags/list`)).status, 404);
  });

  it('?break-pins=true deletes a pinned image (anonymous is admin with auth off); the pin goes and the audit event names it', async () => {
    const repo = repoName('pins');
    const image = await pushImage(c, repo, 'v1');
    const pin = await createPin(c, repo, 'v1');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}?break-pins=true`), 202);
    assertStatus(await manifest(repo, image.digest), 404);
    assertApiError(await api(c, 'GET', `/berth/v1/pins/${pin.id}`), 404, 'PIN_UNKNOWN');
    const { events } = okJson<{
      events: Array<{ action: string; principal: string; dialect: string; target: string; detail: { brokenPins?: Array<{ id: string }> } }>;
    }>(await api(c, 'GET', `/berth/v1/audit?repository=${repo}&action=manifest.delete`));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.target, image.digest);
    assert.equal(events[0]!.dialect, 'oci');
    assert.deepEqual(
      events[0]!.detail.brokenPins?.map((p) => p.id),
      [pin.id],
    );
    assert.equal((await c.req('DELETE', `/v2/${repo}/manifests/v1?break-pins=maybe`)).status, 400, 'a malformed flag is a 400');
  });

  it('removing the pin lets the delete through; the API lists, shows and removes pins', async () => {
    const repo = repoName('pins');
    const image = await pushImage(c, repo, 'v1');
    const pin = await createPin(c, repo, 'v1', 'canary', { expiresIn: '7d' });
    const expires = Date.parse(pin.expiresAt ?? '') - Date.parse(pin.createdAt);
    assert.equal(expires, 7 * 86_400_000);
    const listed = okJson<{ pins: PinJson[] }>(await api(c, 'GET', `/berth/v1/pins?repository=${repo}`));
    assert.deepEqual(listed.pins, [pin]);
    const all = okJson<{ pins: PinJson[] }>(await api(c, 'GET', '/berth/v1/pins?limit=10000'));
    assert.ok(all.pins.some((p) => p.id === pin.id));
    assert.deepEqual(okJson<{ pin: PinJson }>(await api(c, 'GET', `/berth/v1/pins/${pin.id}`)).pin, pin);
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 409);
    assert.deepEqual(okJson<{ pin: PinJson }>(await api(c, 'DELETE', `/berth/v1/pins/${pin.id}`)).pin, pin);
    assertApiError(await api(c, 'DELETE', `/berth/v1/pins/${pin.id}`), 404, 'PIN_UNKNOWN');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
  });

  it('the CLI pins, lists, refuses to delete a pinned image unless --break-pins, and unpins', async () => {
    const repo = repoName('pins');
    const image = await pushImage(c, repo, 'v1');
    const add = await runBerth(['pin', 'add', `${repo}:v1`, '--reason', 'cli deploy', '--expires', '1h', '--owner', 'ops', '--data', berth.dataDir, '--json']);
    assert.equal(add.code, 0, add.stderr);
    const pin = (JSON.parse(add.stdout) as { pin: PinJson }).pin;
    assert.equal(pin.digest, image.digest);
    assert.equal(pin.owner, 'ops');
    const ls = await runBerth(['pin', 'ls', repo, '--data', berth.dataDir, '--json']);
    assert.deepEqual(
      (JSON.parse(ls.stdout) as { pins: PinJson[] }).pins.map((p) => p.id),
      [pin.id],
    );
    const text = await runBerth(['pin', 'ls', '--data', berth.dataDir]);
    assert.match(text.stdout, new RegExp(pin.id));
    const refused = await runBerth(['image', 'rm', `${repo}@${image.digest}`, '--data', berth.dataDir]);
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(pin.id), refused.stderr);
    assert.equal((await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`)).status, 409, 'the server sees the CLI pin at once');
    const rmPin = await runBerth(['pin', 'rm', pin.id, '--data', berth.dataDir]);
    assert.equal(rmPin.code, 0, rmPin.stderr);
    assert.equal((await runBerth(['pin', 'rm', pin.id, '--data', berth.dataDir])).code, 1, 'removing it twice fails');
    const again = await runBerth(['pin', 'add', `${repo}@${image.digest}`, '--reason', 'again', '--data', berth.dataDir, '--json']);
    const second = (JSON.parse(again.stdout) as { pin: PinJson }).pin;
    const forced = await runBerth(['image', 'rm', `${repo}@${image.digest}`, '--break-pins', '--data', berth.dataDir, '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(JSON.parse(forced.stdout).brokenPins, [second.id]);
    assert.equal((await runBerth(['pin', 'add', `${repo}:v1`, '--data', berth.dataDir])).code, 2, '--reason is required');
    assert.equal(
      (await runBerth(['pin', 'add', `${repo}:v1`, '--reason', 'x', '--expires', 'soon', '--data', berth.dataDir])).code,
      2,
      'a bad duration is a usage error',
    );
  });
});

describe('pins and break-pins with auth required', () => {
  let berth: RunningBerth;
  let c: Client;
  interface Key {
    accessKeyId: string;
    secretAccessKey: string;
  }
  const keys: Record<'admin' | 'deleter' | 'reader', Key> = {} as Record<'admin' | 'deleter' | 'reader', Key>;
  const as = (k: Key): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${k.accessKeyId}:${k.secretAccessKey}`).toString('base64')}` });

  before(async () => {
    berth = await startBerth({ args: ['--auth', 'required'] });
    c = new Client(berth.url);
    for (const [name, grant] of [
      ['admin', ['--admin']],
      ['deleter', ['--grant', 'team/*:pull,push,delete']],
      ['reader', ['--grant', '*:pull']],
    ] as const) {
      const r = await runBerth(['key', 'create', '--name', name, '--data', berth.dataDir, '--json', ...grant]);
      assert.equal(r.code, 0, r.stderr);
      keys[name] = JSON.parse(r.stdout) as Key;
    }
  });
  after(async () => berth.dispose());

  async function pushAs(k: Key, repo: string, tag: string): Promise<string> {
    const authed = new Client(berth.url);
    const req = authed.req.bind(authed);
    authed.req = (method, target, options = {}) => req(method, target, { ...options, headers: { ...as(k), ...(options.headers ?? {}) } });
    return (await pushImage(authed, repo, tag)).digest;
  }

  it('a key with delete but not admin gets 403 DENIED for break-pins, 409 without it; an admin key breaks the pin', async () => {
    const digest = await pushAs(keys.deleter, 'team/web', 'v1');
    const pin = await createPin(c, 'team/web', 'v1', 'prod', {}, as(keys.deleter));
    const denied = await c.req('DELETE', `/v2/team/web/manifests/${digest}?break-pins=true`, { headers: as(keys.deleter) });
    assert.equal(denied.status, 403, denied.describe());
    assert.equal(ociError(denied).code, 'DENIED');
    const pinned = await c.req('DELETE', `/v2/team/web/manifests/${digest}`, { headers: as(keys.deleter) });
    assert.equal(pinned.status, 409, pinned.describe());
    assert.ok(ociError(pinned).message.includes(pin.id));
    assertStatus(await c.req('DELETE', `/v2/team/web/manifests/${digest}?break-pins=true`, { headers: as(keys.admin) }), 202);
  });

  it('the berth API needs a known caller, the right on the repository, and admin everywhere for registry-wide routes', async () => {
    await pushAs(keys.admin, 'team/api', 'v1');
    assertApiError(await api(c, 'GET', '/berth/v1/pins'), 401, 'UNAUTHORIZED');
    assertApiError(await api(c, 'GET', '/berth/v1/pins/pin-aaaaaaaaaaaaaaaa'), 401, 'UNAUTHORIZED');
    assertApiError(await api(c, 'POST', '/berth/v1/pins', { repository: 'team/api', reference: 'v1', reason: 'x' }, as(keys.reader)), 403, 'DENIED');
    const pin = await createPin(c, 'team/api', 'v1', 'x', {}, as(keys.deleter));
    assert.equal(pin.owner, keys.deleter.accessKeyId, 'the owner defaults to the caller');
    okJson(await api(c, 'GET', '/berth/v1/pins?repository=team/api', undefined, as(keys.reader)));
    okJson(await api(c, 'GET', `/berth/v1/pins/${pin.id}`, undefined, as(keys.reader)));
    assertApiError(await api(c, 'DELETE', `/berth/v1/pins/${pin.id}`, undefined, as(keys.reader)), 403, 'DENIED');
    for (const path of ['/berth/v1/pins', '/berth/v1/gc', '/berth/v1/audit']) {
      assertApiError(await api(c, 'GET', path, undefined, as(keys.deleter)), 403, 'DENIED');
      okJson(await api(c, 'GET', path, undefined, as(keys.admin)));
    }
    assertApiError(await api(c, 'POST', '/berth/v1/gc', { dryRun: true }, as(keys.deleter)), 403, 'DENIED');
    okJson(await api(c, 'DELETE', `/berth/v1/pins/${pin.id}`, undefined, as(keys.deleter)));
  });

  it('a Docker token for the catalog never opens registry-wide administration', async () => {
    const r = await c.get('/token?service=berth&scope=registry:catalog:*', { headers: as(keys.reader) });
    assertStatus(r, 200);
    const token = r.json<{ token: string }>().token;
    const res = await api(c, 'GET', '/berth/v1/gc', undefined, { authorization: `Bearer ${token}` });
    assert.ok(res.status === 401 || res.status === 403, res.describe());
  });
});

describe('automatic pins: recently pulled images (deletion.pinPulledWithin)', () => {
  const env = { BERTH_DELETION_PIN_PULLED_WITHIN: '1h' };
  let dataDir = '';
  let berth: RunningBerth | undefined;
  after(async () => {
    await berth?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('a pulled manifest cannot be deleted; one never pulled can', async () => {
    const first = await startBerth({ env });
    dataDir = first.dataDir;
    const c1 = new Client(first.url);
    const pulled = await pushImage(c1, 'auto/app', 'pulled');
    const idle = await pushImage(c1, 'auto/app', 'idle');
    assertStatus(await c1.get('/v2/auto/app/manifests/pulled', { headers: { accept: ACCEPT_MANIFESTS } }), 200);
    // Pulls are written in batches every 5 s and at shutdown; a restart makes the write certain without a sleep.
    assert.equal(await first.stop(), 0);
    berth = await startBerth({ env, dataDir });
    const c = new Client(berth.url);
    const refused = await c.req('DELETE', `/v2/auto/app/manifests/${pulled.digest}`);
    assert.equal(refused.status, 409, refused.describe());
    const err = ociError(refused);
    assert.equal(err.code, 'DENIED');
    assert.equal((err.detail as PinnedDetail).pins[0]?.id, 'auto-pull');
    assert.match(err.message, /pulled at/);
    assertStatus(await c.req('DELETE', `/v2/auto/app/manifests/${idle.digest}`), 202);
    assertStatus(await c.req('DELETE', `/v2/auto/app/manifests/${pulled.digest}?break-pins=true`), 202);
  });
});
