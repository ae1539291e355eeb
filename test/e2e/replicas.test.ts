// Scale-out end to end: three berth replicas on one set of shared stores (PostgreSQL + S3; or the embedded SQLite
// file and blob dir shared on one machine) behind a round-robin proxy that moves every request to the next replica.
// skopeo round trips, chunked uploads across replicas, deletes seen at once everywhere, GC on two replicas at once
// during pushes, kill -9 in the middle of an upload, and clean 503s when a replica loses its database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { layoutEntry, readLayoutBlob } from './fixtures/oci-layout.ts';
import { isolatedToolEnv, skipUnless, skopeoArgs, type ToolEnv, tool } from './fixtures/tools.ts';
import { startBerth, until, uploadsInFlight } from './harness.ts';
import { type AccessKey, Cluster } from './replicas-cluster.ts';
import { ACCEPT, OCI_MANIFEST, pullProblem, pushBlob, pushImage, ReplicaHttp, type SmallImage, describe as said, sha256, smallImage } from './replicas-http.ts';
import { buildLayeredLayout } from './replicas-layout.ts';
import { PIN_HEADER } from './replicas-proxy.ts';
import { backendSkip, replicaBackend } from './replicas-stores.ts';
import { TcpGate } from './replicas-tcp-gate.ts';

const backend = replicaBackend();
const skip = await backendSkip(backend);
const REPLICAS = 3;
const octet = { 'content-type': 'application/octet-stream' };

describe(`${REPLICAS} replicas on ${backend} behind a round-robin proxy`, { skip, timeout: 170_000 }, () => {
  let cluster: Cluster;
  let key: AccessKey;
  let h: ReplicaHttp;

  before(async () => {
    cluster = await Cluster.start({
      backend,
      label: 'replicas-e2e',
      replicas: REPLICAS,
      // GC runs only when a test asks (POST /berth/v1/gc), so its reports add up to everything it removed.
      env: { BERTH_AUTH: 'required', BERTH_GC_INTERVAL: '0', BERTH_GC_GRACE: '1s', BERTH_DELETION_RESTORE_WINDOW: '0' },
    });
    key = await cluster.createKey();
    h = new ReplicaHttp(cluster.proxy.url, key);
  });
  after(async () => {
    await h?.close();
    await cluster?.dispose();
  });

  it('skopeo pushes a multi-layer image through the proxy and pulls it back: same digests, every blob byte-identical', {
    skip: skipUnless('skopeo'),
  }, async () => {
    const t: ToolEnv = await isolatedToolEnv([cluster.proxy.host]);
    try {
      const creds = `${key.accessKeyId}:${key.secretAccessKey}`;
      const built = await buildLayeredLayout(join(t.dir, 'in'), 'v1', [3 * 1024 * 1024, 256 * 1024, 16 * 1024, 300]);
      const before = [...cluster.proxy.counts];
      const remote = `docker://${cluster.proxy.host}/replicas/app:v1`;
      await tool('skopeo', skopeoArgs(t, ['copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${join(t.dir, 'in')}:v1`, remote]), t);
      const raw = (await tool('skopeo', skopeoArgs(t, ['inspect', '--raw', '--tls-verify=false', '--creds', creds, remote]), t)).raw;
      assert.equal(sha256(raw), built.manifestDigest);
      await tool('skopeo', skopeoArgs(t, ['copy', '--src-tls-verify=false', '--src-creds', creds, remote, `oci:${join(t.dir, 'out')}:v1`]), t);
      assert.equal((await layoutEntry(join(t.dir, 'out'), 'v1')).digest, built.manifestDigest);
      for (const d of [built.configDigest, ...built.layerDigests]) {
        assert.ok((await readLayoutBlob(join(t.dir, 'out'), d)).equals(await readLayoutBlob(join(t.dir, 'in'), d)), `blob ${d} differs after the round trip`);
      }
      // The token skopeo got from one replica was accepted by the others: they share secrets.dir.
      const spread = cluster.proxy.counts.map((n, i) => n - before[i]!);
      assert.ok(
        spread.every((n) => n >= 3),
        `every replica should have served part of the round trip: ${spread.join(', ')}`,
      );
    } finally {
      await t.dispose();
    }
  });

  it('a chunked upload whose PATCHes alternate replicas ends with the right digest, readable from every replica', async () => {
    const repo = 'replicas/chunked';
    const chunks = Array.from({ length: 6 }, (_, i) => randomBytes(64 * 1024 + i * 1000));
    const whole = Buffer.concat(chunks);
    const post = await h.call('POST', `/v2/${repo}/blobs/uploads/`, { replica: 0 });
    assert.equal(post.status, 202, said(post, 'POST'));
    let location = post.header('location')!;
    let offset = 0;
    for (const [k, chunk] of chunks.entries()) {
      const range = `${offset}-${offset + chunk.length - 1}`;
      const r = await h.call('PATCH', location, { body: chunk, replica: (k + 1) % REPLICAS, headers: { ...octet, 'content-range': range } });
      assert.equal(r.status, 202, said(r, `PATCH ${range} on replica ${(k + 1) % REPLICAS}`));
      offset += chunk.length;
      assert.equal(r.header('range'), `0-${offset - 1}`);
      location = r.header('location') ?? location;
      const status = await h.call('GET', location, { replica: (k + 2) % REPLICAS });
      assert.equal(status.header('range'), `0-${offset - 1}`, `another replica sees the offset at once: ${said(status, 'GET upload')}`);
    }
    // A stale replay of an early chunk on yet another replica must not change acknowledged bytes.
    const stale = await h.call('PATCH', location, {
      body: chunks[1]!,
      replica: 2,
      headers: { ...octet, 'content-range': `${chunks[0]!.length}-${chunks[0]!.length + chunks[1]!.length - 1}` },
    });
    assert.equal(stale.status, 416, said(stale, 'stale PATCH'));
    const url = new URL(location, h.base);
    url.searchParams.set('digest', sha256(whole));
    const put = await h.call('PUT', url.pathname + url.search, { replica: 1 });
    assert.equal(put.status, 201, said(put, 'closing PUT'));
    assert.equal(put.header('docker-content-digest'), sha256(whole));
    for (let i = 0; i < REPLICAS; i++) {
      const got = await h.call('GET', `/v2/${repo}/blobs/${sha256(whole)}`, { replica: i });
      assert.ok(got.status === 200 && got.body.equals(whole), `replica ${i}: ${got.status}, ${got.body.length} bytes`);
      assert.ok(cluster.proxy.hitsOf(i, 'PATCH', /\/blobs\/uploads\//).length > 0, `replica ${i} saw no PATCH`);
    }
  });

  it('a delete or tag move on one replica is seen at once by the others (tags/list, GET, HEAD; no stale cache)', async () => {
    const repo = 'replicas/deletes';
    for (let round = 0; round < 6; round++) {
      const [a, b, c] = [round % REPLICAS, (round + 1) % REPLICAS, (round + 2) % REPLICAS];
      const img = smallImage(1, 512);
      const moved = smallImage(1, 512);
      await pushImage(h, repo, `t${round}`, img);
      await pushImage(h, repo, 'latest', img);
      // Warm every replica's reads first, so a process-local cache would now be stale.
      for (const i of [a, b, c]) {
        assert.equal((await h.call('GET', `/v2/${repo}/manifests/t${round}`, { replica: i, headers: { accept: ACCEPT } })).status, 200);
        assert.equal((await h.call('GET', `/v2/${repo}/manifests/latest`, { replica: i, headers: { accept: ACCEPT } })).status, 200);
        assert.ok(JSON.parse((await h.call('GET', `/v2/${repo}/tags/list`, { replica: i })).body.toString()).tags.includes(`t${round}`));
      }
      for (const blob of moved.blobs) assert.equal(await pushBlob(h, repo, blob), 201);
      const moveTag = await h.call('PUT', `/v2/${repo}/manifests/latest`, { replica: a, body: moved.manifest, headers: { 'content-type': OCI_MANIFEST } });
      assert.equal(moveTag.status, 201, said(moveTag, 'move latest'));
      const latest = await h.call('GET', `/v2/${repo}/manifests/latest`, { replica: b, headers: { accept: ACCEPT } });
      assert.equal(sha256(latest.body), moved.digest, `replica ${b} served latest stale after replica ${a} moved it`);

      const delTag = await h.call('DELETE', `/v2/${repo}/manifests/t${round}`, { replica: a });
      assert.equal(delTag.status, 202, said(delTag, 'DELETE tag'));
      const tags = JSON.parse((await h.call('GET', `/v2/${repo}/tags/list`, { replica: b })).body.toString()) as { tags: string[] };
      assert.ok(!tags.tags.includes(`t${round}`), `replica ${b} still lists t${round}`);
      assert.equal((await h.call('GET', `/v2/${repo}/manifests/t${round}`, { replica: c, headers: { accept: ACCEPT } })).status, 404);

      const delDigest = await h.call('DELETE', `/v2/${repo}/manifests/${moved.digest}`, { replica: b });
      assert.equal(delDigest.status, 202, said(delDigest, 'DELETE by digest'));
      for (const i of [a, c]) {
        assert.equal(
          (await h.call('GET', `/v2/${repo}/manifests/${moved.digest}`, { replica: i, headers: { accept: ACCEPT } })).status,
          404,
          `replica ${i} still serves a deleted digest`,
        );
        assert.equal(
          (await h.call('HEAD', `/v2/${repo}/manifests/latest`, { replica: i, headers: { accept: ACCEPT } })).status,
          404,
          `replica ${i} still has latest`,
        );
      }
      assert.equal(await pullProblem(h, repo, img.digest, img, c), null, 'the untouched image still pulls');
    }
  });

  it('GC on two replicas at once during pushes and deletes: everything acknowledged pulls, nothing removed twice', async () => {
    const repo = 'replicas/gc';
    const live = new Map<string, SmallImage>();
    const deleted: SmallImage[] = [];
    const orphans: Buffer[] = [];
    const reports: Array<{ blobsRemoved: number; manifestsPurged: number; manifestsCollected: number; errors: number }> = [];
    let stop = false;
    const gcLoop = async (replica: number, grace?: string): Promise<void> => {
      const r = await h.call('POST', '/berth/v1/gc', {
        replica,
        body: Buffer.from(JSON.stringify(grace ? { grace } : {})),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, 200, said(r, `POST /berth/v1/gc on replica ${replica}`));
      reports.push(JSON.parse(r.body.toString()) as (typeof reports)[number]);
    };
    // Earlier tests left garbage (an untagged image, trash); collect it first so the reports below count only this test's.
    for (let i = 0; i < 5; i++) {
      await gcLoop(0, '0s');
      if (reports.at(-1)!.blobsRemoved + reports.at(-1)!.manifestsPurged + reports.at(-1)!.manifestsCollected === 0) break;
    }
    reports.length = 0;
    const sweepers = [0, 1].map(async (replica) => {
      for (let i = 0; i < 200 && !stop; i++) {
        await gcLoop(replica);
        await new Promise((r) => setTimeout(r, 100 + ((i * 37) % 200)));
      }
    });
    const deadline = Date.now() + 10_000;
    const pushers = [0, 1, 2].map(async (p) => {
      for (let i = 0; i < 400 && Date.now() < deadline; i++) {
        const img = smallImage(2, 1024);
        await pushImage(h, repo, `p${p}-${i}`, img);
        live.set(`p${p}-${i}`, img);
        if (i % 3 === 2) {
          const tag = `p${p}-${i - 1}`;
          const victim = live.get(tag)!;
          const d = await h.call('DELETE', `/v2/${repo}/manifests/${victim.digest}`);
          assert.equal(d.status, 202, said(d, 'DELETE by digest'));
          live.delete(tag);
          deleted.push(victim);
        }
        if (i % 5 === 4) {
          const orphan = randomBytes(700);
          assert.equal(await pushBlob(h, repo, orphan), 201);
          orphans.push(orphan);
        }
      }
    });
    await Promise.all(pushers);
    stop = true;
    await Promise.all(sweepers);
    // Past the grace period, two replicas race to a fixpoint with grace 0.
    await new Promise((r) => setTimeout(r, 1_100));
    for (let i = 0; i < 5; i++) {
      const n = reports.length;
      await Promise.all([gcLoop(0, '0s'), gcLoop(1, '0s')]);
      if (reports.slice(n).every((r) => r.blobsRemoved + r.manifestsPurged === 0)) break;
    }
    for (const [tag, img] of live) assert.equal(await pullProblem(h, repo, tag, img), null);
    const sum = (k: 'blobsRemoved' | 'manifestsPurged' | 'errors'): number => reports.reduce((s, r) => s + r[k], 0);
    assert.equal(sum('errors'), 0, 'a GC pass had failed removals');
    assert.equal(sum('manifestsPurged'), deleted.length, 'every deleted manifest is purged exactly once');
    const gone: string[] = [];
    for (const b of [...deleted.flatMap((i) => i.blobs), ...orphans, ...[...live.values()].flatMap((i) => i.blobs)]) {
      const head = await h.call('HEAD', `/v2/${repo}/blobs/${sha256(b)}`);
      if (head.status === 404) gone.push(sha256(b));
    }
    const expected = deleted.length * 3 + orphans.length;
    assert.equal(gone.length, expected, 'every blob of a deleted image and every orphan is gone, nothing else');
    assert.equal(sum('blobsRemoved'), gone.length, `the passes of both replicas removed ${sum('blobsRemoved')} blobs for ${gone.length} gone: none twice`);
    // On PostgreSQL + S3 a small image takes ~0.25 s to push (each blob is several S3 calls), so ~40 pushes in 10 s.
    assert.ok(
      live.size >= 15 && deleted.length >= 6 && reports.length >= 20,
      `too little happened: ${live.size} live, ${deleted.length} deleted, ${reports.length} passes`,
    );
  });

  it("the GC pass history is shared: every replica lists the same passes, streams another replica's pass to its end, reports the same last", async () => {
    type Pass = { id: number; replica: string; state: string; trigger: string };
    const json = <T>(r: { status: number; body: Buffer }, status: number, what: string): T => {
      assert.equal(r.status, status, `${what}: ${r.status} ${r.body.toString().slice(0, 300)}`);
      return JSON.parse(r.body.toString()) as T;
    };
    const post = (replica: number, body: unknown) =>
      h.call('POST', '/berth/v1/gc', { replica, body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } });
    const started = json<{ pass: Pass }>(await post(0, { wait: false }), 202, 'POST /gc wait:false on replica 0').pass;
    json(await post(1, {}), 200, 'POST /gc on replica 1');
    const stream = await h.call('GET', `/berth/v1/gc/passes/${started.id}/events`, { replica: 2 });
    assert.equal(stream.status, 200);
    assert.match(stream.body.toString(), /event: done\ndata: [^\n]*"state":"done"[^\n]*\n\n$/, "replica 2 streams replica 0's pass to its end");
    const lists = await Promise.all(
      [0, 1, 2].map(
        async (replica) => json<{ passes: Pass[] }>(await h.call('GET', '/berth/v1/gc/passes?limit=1000', { replica }), 200, `passes on ${replica}`).passes,
      ),
    );
    assert.deepEqual(lists[1], lists[0]);
    assert.deepEqual(lists[2], lists[0]);
    const mine = lists[0]!.filter((p) => p.id >= started.id);
    assert.ok(new Set(mine.map((p) => p.replica)).size >= 2, `passes of two replicas: ${JSON.stringify(mine)}`);
    const lasts = await Promise.all(
      [0, 1, 2].map(async (replica) => json<{ status: { last: unknown } }>(await h.call('GET', '/berth/v1/gc', { replica }), 200, 'GET /gc').status.last),
    );
    assert.ok(lasts[0] !== null);
    assert.deepEqual(lasts[1], lasts[0]);
    assert.deepEqual(lasts[2], lasts[0]);
  });

  it('kill -9 of the replica in the middle of a PATCH: the client resumes and finishes the upload on another one', async () => {
    const repo = 'replicas/killed';
    const first = randomBytes(256 * 1024);
    const rest = randomBytes(512 * 1024);
    const whole = Buffer.concat([first, rest]);
    const post = await h.call('POST', `/v2/${repo}/blobs/uploads/`, { replica: 0 });
    const location = post.header('location')!;
    const p1 = await h.call('PATCH', location, { body: first, replica: 0, headers: { ...octet, 'content-range': `0-${first.length - 1}` } });
    assert.equal(p1.status, 202, said(p1, 'first PATCH'));
    // The second PATCH streams to replica 1 and is cut when replica 1 is killed with half of it sent.
    const cut = new Promise<string>((resolve) => {
      const url = new URL(location, h.base);
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: 'PATCH',
        path: url.pathname + url.search,
        headers: { ...octet, authorization: `Basic ${Buffer.from(`${key.accessKeyId}:${key.secretAccessKey}`).toString('base64')}`, [PIN_HEADER]: '1' },
      });
      req.on('response', (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', (e) => resolve(`cut: ${e.message}`));
      req.write(rest.subarray(0, rest.length / 2));
    });
    // Kill it once it is streaming this PATCH (its upload slot is taken), not at a guessed moment.
    await until('replica 1 to stream the PATCH', async () => (await uploadsInFlight(cluster.replica(1).url)) === 1);
    await cluster.stopReplica(1, 'SIGKILL');
    assert.match(await cut, /^cut/, 'the PATCH in flight dies with its replica');
    const status = await h.call('GET', location);
    assert.equal(status.status, 204, said(status, 'GET upload after the kill'));
    const end = Number(/^0-(\d+)$/.exec(status.header('range') ?? '')?.[1]);
    assert.ok(end + 1 >= first.length && end + 1 <= whole.length, `offset after the kill: ${status.header('range')}`);
    const from = end + 1;
    const p2 = await h.call('PATCH', location, { body: whole.subarray(from), headers: { ...octet, 'content-range': `${from}-${whole.length - 1}` } });
    assert.equal(p2.status, 202, said(p2, 'resumed PATCH'));
    const url = new URL(p2.header('location') ?? location, h.base);
    url.searchParams.set('digest', sha256(whole));
    const put = await h.call('PUT', url.pathname + url.search);
    assert.equal(put.status, 201, said(put, 'closing PUT'));
    await cluster.startReplica(1);
    for (let i = 0; i < REPLICAS; i++) {
      const got = await h.call('GET', `/v2/${repo}/blobs/${sha256(whole)}`, { replica: i });
      assert.ok(got.status === 200 && got.body.equals(whole), `replica ${i}: ${got.status}, ${got.body.length} bytes`);
    }
  });

  it('a replica that loses its database or object store is not ready and answers 503 with Retry-After, then recovers', {
    skip: backend === 'embedded-shared' ? 'the embedded stores have no server to lose' : false,
  }, async () => {
    const pgUrl = new URL(cluster.stores.meta);
    const db = await TcpGate.open(pgUrl.hostname, Number(pgUrl.port));
    pgUrl.port = String(db.port);
    const gates: Array<[string, TcpGate]> = [['database', db]];
    let blobs = cluster.stores.blobs;
    if (blobs.startsWith('s3://')) {
      const s3Url = new URL(blobs.replace(/^s3:\/\//, 'http://'));
      const endpoint = new URL(s3Url.searchParams.get('endpoint')!);
      const s3 = await TcpGate.open(endpoint.hostname, Number(endpoint.port));
      s3Url.searchParams.set('endpoint', `http://127.0.0.1:${s3.port}`);
      blobs = `s3://${s3Url.host}${s3Url.pathname}?${s3Url.searchParams.toString()}`;
      gates.push(['object store', s3]);
    }
    const lonely = await startBerth({
      args: ['--meta', pgUrl.href, '--blobs', blobs],
      env: { ...cluster.stores.env, BERTH_AUTH: 'required', BERTH_GC_INTERVAL: '0' },
    });
    const direct = new ReplicaHttp(lonely.url, key);
    try {
      const img = smallImage(1, 4096);
      await pushImage(direct, 'replicas/outage', 'v1', img);
      assert.equal((await direct.call('GET', '/readyz')).status, 200);
      for (const [what, gate] of gates) {
        await gate.cut();
        const ready = await direct.call('GET', '/readyz');
        assert.equal(ready.status, 503, `readyz with the ${what} down: ${said(ready, 'GET /readyz')}`);
        const probes =
          what === 'database'
            ? [
                direct.call('GET', '/v2/replicas/outage/manifests/v1', { headers: { accept: ACCEPT } }),
                direct.call('POST', '/v2/replicas/outage/blobs/uploads/'),
              ]
            : [direct.call('GET', `/v2/replicas/outage/blobs/${sha256(img.blobs[1]!)}`)];
        for (const r of await Promise.all(probes)) {
          assert.equal(r.status, 503, `${what} down: ${said(r, 'request')}`);
          assert.ok(Number(r.header('retry-after')) >= 1, 'a 503 carries Retry-After');
        }
        await gate.restore();
        let back = 0;
        for (let i = 0; i < 50 && back !== 200; i++) {
          back = (await direct.call('GET', '/readyz')).status;
          if (back !== 200) await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(back, 200, `ready again once the ${what} is back`);
        assert.equal(await pullProblem(direct, 'replicas/outage', 'v1', img), null, `nothing lost across the ${what} outage`);
      }
    } finally {
      await direct.close();
      await lonely.dispose();
      for (const [, gate] of gates) await gate.close();
    }
  });
});
