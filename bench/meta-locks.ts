// How much of a push's metadata writes is spent waiting for locks on PostgreSQL, with many writers on one replica (one
// store, one pool), on distinct repositories and on the same one: the figure that shows whether writes can grow with
// replicas (issue 18). `node bench/meta-locks.ts [--writers 32] [--pushes 40] [--pool 10] [--rounds 1]`; the rest of
// a push's latency is the statements themselves and waiting for a pooled connection (--pool 34: none); uses
// BERTH_TEST_PG_URL or starts a throwaway server (scripts/servers/start-postgres.sh).
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sandbox } from '../src/adapters/meta/postgres/test-helpers.ts';
import type { Actor, Digest, MetadataStore } from '../src/core/index.ts';
import { postgresServer } from '../test/servers.ts';

const { values } = parseArgs({
  options: {
    writers: { type: 'string', default: '32' },
    pushes: { type: 'string', default: '40' },
    pool: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
  },
});
const writers = Math.max(1, Number(values.writers));
const pushes = Math.max(1, Number(values.pushes));
const poolSize = Math.max(1, Number(values.pool));
const rounds = Math.max(1, Number(values.rounds));
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const actor: Actor = { principal: 'bench', dialect: 'cli' };

/** A small image's metadata writes, as the registry makes them: two blob links, then the tagged manifest. */
async function push(s: MetadataStore, repository: string, id: string): Promise<void> {
  const config = d(`config ${id}`);
  const layer = d(`layer ${id}`);
  await s.linkBlob(repository, { digest: config, size: 100 }, actor, new Date());
  await s.linkBlob(repository, { digest: layer, size: 1000 }, actor, new Date());
  const outcome = await s.putManifest({
    repository,
    digest: d(`manifest ${id}`),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: null,
    subject: null,
    annotations: null,
    body: new TextEncoder().encode(`{"id":"${id}"}`),
    blobs: [config, layer],
    children: [],
    tag: `t${id}`,
    at: new Date(),
    actor,
  });
  if (outcome.kind !== 'stored') throw new Error(`push ${id} was not stored: ${outcome.kind}`);
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function scenario(url: string, name: 'distinct' | 'same', round: number): Promise<void> {
  const box = await sandbox(url);
  try {
    const s = await box.open({ poolSize });
    let waitedS = 0;
    let waits = 0;
    s.onLockWait?.((seconds) => {
      waitedS += seconds;
      waits++;
    });
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < pushes; i++) {
          const t = performance.now();
          await push(s, name === 'distinct' ? `bench/r${w}` : 'bench/shared', `${round}-${w}-${i}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pushMs = latencies.reduce((a, b) => a + b, 0);
    console.log(
      JSON.stringify({
        round,
        repositories: name,
        writers,
        pool: poolSize,
        pushes: latencies.length,
        pushesPerS: Math.round(latencies.length / elapsedS),
        p50Ms: Number(quantile(latencies, 0.5).toFixed(1)),
        p99Ms: Number(quantile(latencies, 0.99).toFixed(1)),
        lockWaitShare: Number(((waitedS * 1000) / pushMs).toFixed(3)),
        lockWaitPerPushMs: Number(((waitedS * 1000) / latencies.length).toFixed(2)),
        transactions: waits,
      }),
    );
  } finally {
    await box.cleanup();
  }
}

const { url } = await postgresServer();
for (let round = 1; round <= rounds; round++) {
  await scenario(url, 'distinct', round);
  await scenario(url, 'same', round);
}
process.exit(0);
