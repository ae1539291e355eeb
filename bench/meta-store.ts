// In-process cost of the metadata store's query path on SQLite (no HTTP): the figure that decided how the shared
// query layer runs (generators, synchronous on SQLite). `node bench/meta-store.ts [--manifests N] [--rounds R]`.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSqliteMetadataStore } from '../src/adapters/meta/sqlite/index.ts';
import type { Actor, Digest } from '../src/core/index.ts';

const { values } = parseArgs({ options: { manifests: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '3' } } });
const N = Math.max(100, Number(values.manifests));
const rounds = Math.max(1, Number(values.rounds));
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const actor: Actor = { principal: 'bench', dialect: 'cli' };
const us = (start: number, count: number): number => Number((((performance.now() - start) / count) * 1000).toFixed(2));

for (let round = 1; round <= rounds; round++) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-meta-bench-'));
  const s = createSqliteMetadataStore({ file: join(dir, 'meta.db') });
  await s.linkBlob('bench/app', { digest: d('layer'), size: 1 }, actor, new Date());
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    await s.putManifest({
      repository: 'bench/app',
      digest: d(`m${i}`),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: null,
      subject: null,
      annotations: null,
      body: new TextEncoder().encode(`{"i":${i}}`),
      blobs: [d('layer')],
      children: [],
      tag: `t${i}`,
      at: new Date(),
      actor,
    });
  }
  const putManifest = us(t, N);
  t = performance.now();
  for (let i = 0; i < N; i++) await s.getManifest('bench/app', { digest: d(`m${i}`) });
  const getManifestMiss = us(t, N);
  t = performance.now();
  for (let i = 0; i < 20 * N; i++) await s.getManifest('bench/app', { tag: `t${i % 50}` });
  const getManifestHit = us(t, 20 * N);
  t = performance.now();
  for (let i = 0; i < N; i++) await s.deleteManifest('bench/app', d(`m${i}`), actor, new Date(), { breakPins: false, pulledSince: null });
  const deleteManifest = us(t, N);
  await s.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      round,
      manifests: N,
      putManifestUs: putManifest,
      getManifestMissUs: getManifestMiss,
      getManifestHitUs: getManifestHit,
      deleteManifestUs: deleteManifest,
    }),
  );
}
