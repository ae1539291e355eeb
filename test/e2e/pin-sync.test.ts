// Pins from what runs, through a real berth: a CronJob-style PUT of `kubectl get pods -A -o json` with a key that
// holds only pin-sync, pins that refuse deletes, a later sync that drops one so GC reclaims it, the refusals (read
// nothing before the key is checked), and `berth pin sync` on the data directory.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, assertApiError, blobFile, exists, okJson, type PinJson } from './berth-api-helpers.ts';
import { runBerth } from './harness.ts';
import { AuthClient, createKey, type KeyedBerth, keyBasic, startKeyedBerth } from './key-helpers.ts';
import { assertStatus, type PushedImage, pushImage, repoName } from './oci-helpers.ts';
import { closeTimes, hold } from './slow-clients.ts';

interface SyncAnswer {
  source: string;
  format: string;
  added: number;
  kept: number;
  removed: number;
  pinned: number;
  ignored: number;
  skippedCount: number;
  skipped: Array<{ reference: string; why: string }>;
}

const ENV = { BERTH_GC_GRACE: '0', BERTH_DELETION_RESTORE_WINDOW: '0', BERTH_GC_INTERVAL: '0' };

function pod(name: string, containers: Array<{ name: string; image: string; imageID?: string }>, init: typeof containers = []) {
  const statuses = (cs: typeof containers) => cs.map((c) => ({ name: c.name, image: c.image, imageID: c.imageID ?? '', ready: c.imageID !== undefined }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'prod' },
    spec: { containers: containers.map((c) => ({ name: c.name, image: c.image })), initContainers: init.map((c) => ({ name: c.name, image: c.image })) },
    status: { phase: 'Running', containerStatuses: statuses(containers), initContainerStatuses: statuses(init) },
  };
}

describe('pin sync: PUT /berth/v1/pin-sets/{source} and berth pin sync', () => {
  let k: KeyedBerth;
  let sync: AuthClient;
  let host: string;
  const [appRepo, jobRepo, oldRepo, goneRepo] = [repoName('sync'), repoName('sync'), repoName('sync'), repoName('sync')];
  let app: PushedImage;
  let job: PushedImage;
  let old: PushedImage;
  let gone: PushedImage;
  before(async () => {
    k = await startKeyedBerth('pin-sync', { env: ENV });
    host = k.berth.host;
    sync = new AuthClient(k.berth.url, keyBasic(await createKey(k.berth, '--name', 'cluster', '--grant', '*:pin-sync')));
    [app, job, old, gone] = [
      await pushImage(k.oci, appRepo, 'v1'),
      await pushImage(k.oci, jobRepo, 'v3'),
      await pushImage(k.oci, oldRepo, 'v1'),
      await pushImage(k.oci, goneRepo, 'v1'),
    ];
  });
  after(async () => k?.dispose());

  const put = (c: AuthClient, doc: unknown, query = '') =>
    c.req('PUT', `/berth/v1/pin-sets/prod${query}`, { body: typeof doc === 'string' ? doc : JSON.stringify(doc) });
  const pinsOf = async (repo: string) => okJson<{ pins: PinJson[] }>(await api(k.oci, 'GET', `/berth/v1/pins?repository=${repo}`)).pins;
  const cluster = (withOld: boolean) => ({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      pod(
        'web',
        [
          { name: 'app', image: `${host}/${appRepo}:v1`, imageID: `docker-pullable://${host}/${appRepo}@${app.digest}` },
          { name: 'proxy', image: 'nginx:1.27', imageID: `docker.io/library/nginx@sha256:${'9'.repeat(64)}` },
        ],
        [{ name: 'migrate', image: `${host}/${jobRepo}:v3` }],
      ),
      ...(withOld ? [pod('old', [{ name: 'old', image: `${host}/${oldRepo}@${old.digest}`, imageID: `${host}/${oldRepo}@${old.digest}` }])] : []),
      pod('gone', [{ name: 'gone', image: `${host}/${goneRepo}@${gone.digest}` }]),
    ],
  });

  it('pins what a kubectl pod list reports for this registry, with a key holding only pin-sync', async () => {
    assertStatus(await k.oci.req('DELETE', `/v2/${goneRepo}/manifests/${gone.digest}`), 202);
    const first = okJson<SyncAnswer>(await put(sync, cluster(true), '?expires=2h'));
    assert.deepEqual(first, {
      source: 'prod',
      format: 'kubectl',
      added: 3,
      kept: 0,
      removed: 0,
      pinned: 3,
      ignored: 1,
      skippedCount: 1,
      skipped: [{ reference: `${goneRepo}@${gone.digest}`, why: 'not-stored' }],
    });
    for (const [repo, image] of [
      [appRepo, app],
      [jobRepo, job],
      [oldRepo, old],
    ] as const) {
      const [pin] = await pinsOf(repo);
      assert.deepEqual([pin?.digest, pin?.source, pin?.owner], [image.digest, 'prod', 'prod'], repo);
      assert.ok(Math.abs(Date.parse(pin!.expiresAt!) - Date.parse(pin!.createdAt) - 7_200_000) < 1000);
    }
    const refused = await k.oci.req('DELETE', `/v2/${oldRepo}/manifests/${old.digest}`);
    assert.equal(refused.status, 409, refused.describe());
  });

  it('a second sync that no longer reports an image removes its pin, so GC reclaims it; audited with counts', async () => {
    assertStatus(await k.oci.req('DELETE', `/v2/${oldRepo}/manifests/v1`), 202);
    okJson(await api(k.oci, 'POST', '/berth/v1/gc', { grace: '0' }));
    assertStatus(await k.oci.req('GET', `/v2/${oldRepo}/manifests/${old.digest}`), 200);
    const second = okJson<SyncAnswer>(await put(sync, cluster(false)));
    assert.deepEqual([second.added, second.kept, second.removed], [0, 2, 1]);
    assert.deepEqual(await pinsOf(oldRepo), []);
    okJson(await api(k.oci, 'POST', '/berth/v1/gc', { grace: '0' }));
    assertStatus(await k.oci.req('GET', `/v2/${oldRepo}/manifests/${old.digest}`), 404);
    if (!process.env.BERTH_TEST_BACKEND) assert.equal(await exists(blobFile(k.berth.dataDir, old.layers[0]!.digest)), false);
    const events = okJson<{ events: Array<{ action: string; target: string; detail: Record<string, unknown> }> }>(
      await api(k.oci, 'GET', '/berth/v1/audit?action=pin.sync&limit=1'),
    ).events;
    assert.deepEqual([events[0]?.target, events[0]?.detail.added, events[0]?.detail.kept, events[0]?.detail.removed], ['prod', 0, 2, 1]);
  });

  it('the pin-sync key opens nothing else; others may not sync; bad input is 400', async () => {
    assertApiError(await api(sync, 'GET', `/berth/v1/pins`), 403, 'DENIED');
    assertApiError(await api(sync, 'POST', '/berth/v1/gc', {}), 403, 'DENIED');
    assert.equal((await sync.req('DELETE', `/v2/${appRepo}/manifests/${app.digest}`)).status, 403);
    assertApiError(await put(new AuthClient(k.berth.url), cluster(false)), 401, 'UNAUTHORIZED');
    const puller = new AuthClient(k.berth.url, keyBasic(await createKey(k.berth, '--name', 'puller', '--grant', '*:pull,push,delete')));
    assertApiError(await put(puller, cluster(false)), 403, 'DENIED');
    assertApiError(await sync.req('PUT', '/berth/v1/pin-sets/Prod', { body: '[]' }), 400, 'INVALID_REQUEST');
    assertApiError(await put(sync, ''), 400, 'INVALID_REQUEST');
    assertApiError(await put(sync, '{"kind":"Deployment"}'), 400, 'INVALID_REQUEST');
    assertApiError(await put(sync, '[]', '?expires=soon'), 400, 'INVALID_REQUEST');
    assertApiError(await sync.req('POST', '/berth/v1/pin-sets/prod', { body: '[]' }), 405);
    assert.equal((await pinsOf(appRepo)).length, 1, 'no refused call changed the pins');
  });

  it('reads no body before the key is checked: a stranger or a wrong key with 30 MB is answered unread; over 32 MiB is refused', async () => {
    const conns = [
      hold(k.berth.url, { method: 'PUT', path: '/berth/v1/pin-sets/prod', headers: {}, declared: 30_000_000, initial: 1 << 20 }),
      hold(k.berth.url, {
        method: 'PUT',
        path: '/berth/v1/pin-sets/prod',
        headers: { authorization: k.oci.authorization! },
        declared: 40 << 20,
        initial: 1 << 16,
      }),
    ];
    const { open } = await closeTimes(conns, 5_000);
    assert.equal(open, 0, 'both connections are closed by the server');
    assert.equal(await conns[0]!.status, 401);
    assert.match(conns[0]!.received(), /connection: close/i);
    assert.equal(await conns[1]!.status, 400);
    assert.match(conns[1]!.received(), /exceeds 33554432 bytes/);
    for (const c of conns) c.destroy();
  });

  it('berth pin sync reads a podman ps file on the data directory and prints the counts', async () => {
    const file = join(k.berth.dataDir, 'podman-ps.json');
    await writeFile(file, JSON.stringify([{ Id: 'c1', Image: `${host}/${appRepo}:v1`, ImageID: 'f'.repeat(64), Names: ['web'], State: 'running' }]));
    const env = { BERTH_REGISTRY_HOST_NAMES: host };
    const r = await runBerth(['pin', 'sync', '--source', 'edge-1', '--data', k.berth.dataDir, '--json', file], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((({ format, added, kept, removed }) => ({ format, added, kept, removed }))(JSON.parse(r.stdout) as SyncAnswer), {
      format: 'podman',
      added: 1,
      kept: 0,
      removed: 0,
    });
    const text = await runBerth(['pin', 'sync', '--source', 'edge-1', '--data', k.berth.dataDir, file], env);
    assert.match(text.stdout, /^pin set edge-1 \(podman\): 0 added, 1 kept, 0 removed/);
    assert.deepEqual((await pinsOf(appRepo)).map((p) => p.source).sort(), ['edge-1', 'prod']);
  });
  it('berth pin sync says which names it took as ours when every reference was ignored (a forgotten BERTH_LISTEN)', async () => {
    const file = join(k.berth.dataDir, 'kubectl-other-port.json');
    await writeFile(file, JSON.stringify({ kind: 'List', items: [pod('web', [{ name: 'web', image: `${host}/${appRepo}:v1` }])] }));
    const r = await runBerth(['pin', 'sync', '--source', 'forgot', '--data', k.berth.dataDir, file], { BERTH_REGISTRY_HOST_NAMES: 'other.example:5000' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /0 images pinned, 1 ignored/);
    assert.match(r.stderr, /other\.example:5000/);
    assert.match(r.stderr, /registry\.hostNames/);
  });
});
