// Two stores on one schema stand for two berth replicas: every compare-and-act of the port must still have exactly
// one winner, and any interleaving of pushes, deletes and GC must leave the reference index and the GC queue as
// consistent as some serial order of the same calls would.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { postgresServer } from '../../../../test/servers.ts';
import { type Actor, type Digest, digestOf, type MetadataStore, type NewManifest, type PinPolicy } from '../../../core/index.ts';
import { REGISTRY_STRIPES, repositoryLockRow } from '../queries/row-locks.ts';
import { lockWaiter, queueViolations, type Sandbox, sandbox } from './test-helpers.ts';

const actor: Actor = { principal: 'replica', dialect: 'oci' };
const RESPECT_PINS: PinPolicy = { breakPins: false, pulledSince: null };
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const HOUR = 3_600_000;

/** A deterministic generator, so a failing interleaving's workload can be replayed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function image(repository: string, name: string, extra: Partial<NewManifest> = {}): NewManifest {
  const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, name }));
  return {
    repository,
    digest: digestOf(body),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: null,
    subject: null,
    annotations: null,
    body,
    blobs: [],
    children: [],
    tag: null,
    at: new Date(),
    actor,
    ...extra,
  };
}

describe('postgres metadata store: two replicas on one schema', () => {
  let box: Sandbox;
  let a: MetadataStore;
  let b: MetadataStore;
  /** Alternates the replicas, so every race below is between two pools (two processes' worth of connections). */
  const replica = (i: number): MetadataStore => (i % 2 === 0 ? a : b);

  before(async () => {
    box = await sandbox((await postgresServer()).url);
    [a, b] = [await box.open({ poolSize: 8 }), await box.open({ poolSize: 8 })];
  });
  after(async () => box.cleanup());

  it('a sweeper renewing its stale marker while an upload claims the digest: exactly one of them owns it', async () => {
    const digest = d(`claim-vs-renew-${randomUUID()}`);
    const now = Date.now();
    await a.linkBlob('race/claim', { digest, size: 11 }, actor, new Date(now - 2 * HOUR));
    // A slow GC batch wrote the marker 11 s ago: past the 10 s lease, so an upload may take it over.
    assert.equal((await a.beginBlobPurge([digest], new Date(now - HOUR), new Date(now - 11_000), 'gc-slow')).length, 1);
    const id = randomUUID();
    await b.createUpload({ id, repository: 'race/claim', offset: 0, startedAt: new Date(), updatedAt: new Date() });
    // Hold the claim right after it has read the marker, and let the sweeper renew its lease in that moment.
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    let reached!: () => void;
    const hit = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    proto.query = function (this: unknown, config: unknown, ...rest: unknown[]) {
      const p = original.call(this, config, ...rest) as Promise<unknown>;
      const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
      if (typeof text === 'string' && text.includes('SELECT started_at FROM blob_purges WHERE digest')) {
        proto.query = original;
        return p.then(async (res) => {
          reached();
          await gate;
          return res;
        });
      }
      return p;
    };
    try {
      const claim = b.claimUploadDigest(id, digest, new Date(), new Date(Date.now() - 10_000));
      await hit;
      const renewed = a.ownsPurges([digest], 'gc-slow', new Date());
      await lockWaiter(box); // the renewal waits on the marker row the claim read FOR UPDATE
      release();
      const [claimed, owns] = [await claim, await renewed];
      assert.equal(claimed, 'claimed');
      assert.deepEqual(owns, [], 'the sweeper no longer owns the marker, so it leaves the bytes alone');
    } finally {
      proto.query = original;
      release();
    }
  });

  it('a write waits while another replica holds the registry lock; reads, upload offsets and nonces do not', async () => {
    await a.putManifest(image('lock/app', 'before', { tag: 'v1' }));
    const session = randomUUID();
    await a.createUpload({ id: session, repository: 'lock/app', offset: 0, startedAt: new Date(), updatedAt: new Date() });
    const holder = new pg.Client({ connectionString: box.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      // What a 'registry' write (GC's manifest steps, a repository delete, pins) holds: every registry stripe.
      await holder.query(`SELECT id FROM ${box.schema}.write_locks WHERE id < $1 FOR UPDATE`, [REGISTRY_STRIPES]);
      let done = false;
      const write = b.putManifest(image('lock/app', 'during', { tag: 'v1' })).then((r) => {
        done = true;
        return r;
      });
      assert.equal((await b.getManifest('lock/app', { tag: 'v1' }))?.digest, image('lock/app', 'before').digest, 'reads go on');
      assert.equal(await b.advanceUpload(session, 0, 10, new Date(), 'part-0'), true, 'an upload PATCH goes on');
      assert.equal(await b.useNonce(`lock\0${session}`, new Date(), new Date(0)), true, 'a signed request goes on');
      await lockWaiter(box);
      assert.equal(done, false, 'the push waits for the lock');
      await holder.query('COMMIT');
      assert.equal((await write).kind, 'stored');
      assert.equal((await a.getManifest('lock/app', { tag: 'v1' }))?.digest, image('lock/app', 'during').digest);
    } finally {
      await holder.end();
    }
  });

  it('a push waits for another push into the same repository, never for one into another repository', async () => {
    await a.putManifest(image('rows/one', 'first', { tag: 'v1' }));
    const holder = new pg.Client({ connectionString: box.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      // What a push into rows/one holds while it runs: its repository's stripe.
      await holder.query(`SELECT id FROM ${box.schema}.write_locks WHERE id = $1 FOR UPDATE`, [repositoryLockRow('rows/one')]);
      assert.equal((await b.putManifest(image('rows/two', 'other', { tag: 'v1' }))).kind, 'stored', 'another repository goes on');
      let done = false;
      const same = b.putManifest(image('rows/one', 'second', { tag: 'v1' })).then((r) => {
        done = true;
        return r;
      });
      await lockWaiter(box);
      assert.equal(done, false, 'the push into the same repository waits');
      await holder.query('COMMIT');
      assert.equal((await same).kind, 'stored');
      assert.equal((await a.getManifest('rows/one', { tag: 'v1' }))?.digest, image('rows/one', 'second').digest);
    } finally {
      await holder.end();
    }
  });

  it('N parallel claims of one client token: exactly one is new, the others see it pending', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `acr\0key\0token-${round}`;
      const now = new Date();
      const limits = { validSince: new Date(now.getTime() - 24 * HOUR), pendingStaleBefore: new Date(now.getTime() - 300_000) };
      const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => replica(i).claimClientToken(key, 'fp', now, limits)));
      assert.deepEqual(claims.filter((c) => c.kind === 'new').length, 1, `round ${round}: ${JSON.stringify(claims)}`);
      assert.ok(claims.every((c) => c.kind === 'new' || c.kind === 'pending'));
    }
  });

  it('parallel uses of one nonce: exactly one is accepted', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `acr\0key\0nonce-${round}`;
      const now = new Date();
      const uses = await Promise.all(Array.from({ length: 16 }, (_, i) => replica(i).useNonce(key, now, new Date(now.getTime() - 900_000))));
      assert.equal(uses.filter(Boolean).length, 1, `round ${round}: ${JSON.stringify(uses)}`);
    }
  });

  it('a purge and an upload claim of the same digest racing on two replicas: exactly one wins, never both', async () => {
    const repo = 'race/purge';
    const long = new Date(Date.now() - 2 * HOUR);
    const pairs: Array<{ digest: Digest; session: string }> = [];
    for (let i = 0; i < 24; i++) {
      const digest = d(`contested-${i}`);
      await a.linkBlob(repo, { digest, size: i + 1 }, actor, long); // queued two hours ago, used by nothing: due
      const session = randomUUID();
      await b.createUpload({ id: session, repository: repo, offset: 0, startedAt: long, updatedAt: long });
      pairs.push({ digest, session });
    }
    const now = new Date();
    const outcomes = await Promise.all(
      pairs.map(async ({ digest, session }, i) => {
        const [purger, claimer] = i % 2 === 0 ? [a, b] : [b, a];
        const [purged, claim] = await Promise.all([
          purger.beginBlobPurge([digest], now, now, `gc-${i}`),
          claimer.claimUploadDigest(session, digest, now, new Date(now.getTime() - 10_000)),
        ]);
        return { purged: purged.length === 1, claim };
      }),
    );
    for (const [i, o] of outcomes.entries()) {
      assert.ok(o.purged !== (o.claim === 'claimed'), `pair ${i}: purge ${o.purged ? 'won' : 'lost'}, claim ${o.claim}`);
      assert.equal(o.claim === 'purging', o.purged, `pair ${i}: a losing claim waits for the purge`);
    }
    // After the race the metadata agrees with the winner: a claimed digest keeps its blob row, a purged one a marker.
    for (const [i, { digest }] of pairs.entries()) {
      assert.equal(await a.blobState(digest), outcomes[i]!.purged ? 'purging' : 'known');
    }
    // The winning sweepers finish, as a live one would: a marker left here turns stale 10 s later and the mixed runs
    // below, which share this schema, would report it (they did, on a loaded machine, when this test took longer).
    for (const [i, { digest }] of pairs.entries()) if (outcomes[i]!.purged) await a.endBlobPurge([digest], `gc-${i}`);
    for (const { digest } of pairs) assert.notEqual(await a.blobState(digest), 'purging');
  });

  /** Random calls of every write kind, `width` in flight over both replicas; then the invariants. */
  async function mixedRun(seed: number, repos: string[], layerCount: number, count: number, width: number): Promise<void> {
    const random = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const layers = Array.from({ length: layerCount }, (_, i) => ({ digest: d(`layer-${i}`), size: 100 + i }));
    const tags = ['latest', 'v1', 'v2'];
    const ops: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < count; i++) {
      const s = replica(i);
      const repo = pick(repos);
      const roll = random();
      if (roll < 0.3) {
        const used = [pick(layers), pick(layers)];
        const m = image(repo, `m-${Math.floor(random() * 8)}`, { blobs: used.map((l) => l.digest), tag: random() < 0.8 ? pick(tags) : null });
        ops.push(async () => {
          for (const l of used) await s.linkBlob(repo, l, actor, new Date());
          return s.putManifest({ ...m, at: new Date() });
        });
      } else if (roll < 0.45) {
        ops.push(() => s.deleteTag(repo, pick(tags), actor, new Date(), { policy: RESPECT_PINS, dropUntagged: random() < 0.5 }));
      } else if (roll < 0.55) {
        ops.push(() => s.deleteManifest(repo, image(repo, `m-${Math.floor(random() * 8)}`).digest, actor, new Date(), RESPECT_PINS));
      } else if (roll < 0.6) {
        ops.push(() => s.deleteRepository(repo, true, actor, new Date(), RESPECT_PINS));
      } else if (roll < 0.65) {
        ops.push(() => s.unlinkBlob(repo, pick(layers).digest, actor, new Date()));
      } else if (roll < 0.7) {
        ops.push(() => s.mountBlob(pick(repos), repo, pick(layers).digest, actor, new Date()));
      } else if (roll < 0.8) {
        ops.push(async () => {
          const now = new Date();
          const clock = { at: now, releasedBefore: now, trashedBefore: now };
          for (const review of await s.dueManifests(now, 10)) await s.collectManifest(review, clock, RESPECT_PINS, { principal: 'gc', dialect: 'cli' }, false);
        });
      } else if (roll < 0.87) {
        ops.push(() => s.purgeTrash(new Date(), 10, new Date()));
      } else if (roll < 0.93) {
        ops.push(() => s.purgeDeletedRepositories(10, new Date()));
      } else {
        ops.push(async () => {
          const owner = `gc-${i}`;
          const due = await s.dueBlobs(new Date(), 10);
          const begun = await s.beginBlobPurge(
            due.map((x) => x.digest),
            new Date(),
            new Date(),
            owner,
          );
          await s.endBlobPurge(
            begun.map((x) => x.digest),
            owner,
          );
        });
      }
    }
    let next = 0;
    const failures: unknown[] = [];
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < ops.length) {
          const op = ops[next++]!;
          await op().catch((e: unknown) => failures.push(e));
        }
      }),
    );
    assert.deepEqual(failures, [], 'no call failed (conflicts were retried)');
    assert.deepEqual(await a.integrityIssues(100), []);
    assert.deepEqual(await queueViolations(box), []);
    // And the stores still agree with each other on what is visible.
    for (const repo of repos) assert.deepEqual(await a.listTags(repo, { limit: 10 }), await b.listTags(repo, { limit: 10 }));
  }

  it('concurrent pushes, tag and manifest deletes, repository deletes and GC keep the index and the queue consistent', async () => {
    await mixedRun(9, ['mix/a', 'mix/b', 'mix/c'], 6, 240, 8);
  });

  it('the same with 16 writers on many repositories sharing a few layers (row locks on repositories and digests)', async () => {
    const repos = Array.from({ length: 12 }, (_, i) => `wide/r${i}`);
    for (const seed of [21, 22]) await mixedRun(seed, repos, 4, 300, 16);
  });
});
