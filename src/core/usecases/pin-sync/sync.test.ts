// The sync use case over a fake store: which references become pins (status digest over spec tag, tags resolved,
// other registries ignored, unknown tags and vanished images reported), and the limits that refuse a report whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Digest } from '../../model/digest.ts';
import type { PinSetReplacement } from '../../ports/metadata-store.ts';
import { KUBECTL_LIST } from './pin-sync.fixtures.ts';
import { MAX_PIN_SET_IMAGES, syncPinSet } from './sync.ts';

const R = '127.0.0.1:5000';
const D1 = `sha256:${'1'.repeat(64)}` as Digest;
const D2 = `sha256:${'2'.repeat(64)}` as Digest;
const D3 = `sha256:${'3'.repeat(64)}` as Digest;
const D4 = `sha256:${'4'.repeat(64)}` as Digest;
const AT = new Date('2026-03-01T00:00:00Z');
const actor = { principal: 'cluster', dialect: 'api' } as const;

function fakeDeps(tags: Record<string, Digest>, stored: ReadonlySet<string>) {
  const calls: PinSetReplacement[] = [];
  const deps = {
    clock: { now: () => AT },
    meta: {
      getManifest: async (repository: string, ref: { tag: string } | { digest: Digest }) => {
        const digest = 'tag' in ref ? tags[`${repository}:${ref.tag}`] : undefined;
        return digest === undefined ? null : ({ digest } as never);
      },
      replacePinSet: async (set: PinSetReplacement) => {
        calls.push(set);
        const missing = set.pins.filter((p) => !stored.has(`${p.repository}@${p.digest}`));
        return { added: set.pins.length - missing.length, kept: 0, removed: 0, missing };
      },
    },
  };
  return { deps, calls };
}

describe('syncPinSet', () => {
  it('pins the digests a kubectl list reports for this registry; a tag only where no digest is known', async () => {
    const { deps, calls } = fakeDeps({ 'team/worker:v2': D4, 'team/app:v1': D2 }, new Set([`team/app@${D1}`, `team/migrate@${D2}`, `tools/debug@${D3}`]));
    const out = await syncPinSet(
      deps,
      { source: 'prod', document: JSON.stringify(KUBECTL_LIST), hostNames: [R, 'localhost:5000'], expiresInMs: 3_600_000 },
      actor,
    );
    const pins = calls[0]!.pins.map((p) => `${p.repository}@${p.digest}`);
    assert.deepEqual(pins, [`team/app@${D1}`, `team/migrate@${D2}`, `tools/debug@${D3}`, `team/worker@${D4}`], 'app by its status digest, not its tag (D2)');
    assert.deepEqual([calls[0]!.source, calls[0]!.owner, calls[0]!.expiresAt], ['prod', 'prod', new Date(AT.getTime() + 3_600_000)]);
    assert.deepEqual(out, {
      source: 'prod',
      format: 'kubectl',
      added: 3,
      kept: 0,
      removed: 0,
      pinned: 3,
      ignored: 1,
      skippedCount: 1,
      skipped: [{ reference: `team/worker@${D4}`, why: 'not-stored' }],
    });
  });

  it('resolves tags once per distinct image and reports unknown tags; other registries and short names are ignored', async () => {
    const { deps, calls } = fakeDeps({ 'team/app:v1': D1 }, new Set([`team/app@${D1}`]));
    const list = [`${R}/team/app:v1`, `localhost:5000/team/app:v1`, `${R}/team/app@${D1}`, `${R}/team/gone:v9`, 'nginx', 'ghcr.io/x/y:v1', 'not a ref'].join(
      '\n',
    );
    const out = await syncPinSet(deps, { source: 'edge-1', document: list, hostNames: [R, 'localhost:5000'] }, actor);
    assert.deepEqual(calls[0]!.pins, [{ repository: 'team/app', digest: D1 }]);
    assert.equal(calls[0]!.expiresAt, null);
    assert.deepEqual([out.format, out.pinned, out.ignored, out.skipped], ['list', 1, 3, [{ reference: 'team/gone:v9', why: 'tag-unknown' }]]);
  });

  it('clears a source on an explicit empty report, but refuses an empty body, bad sources and bad expiries', async () => {
    const { deps, calls } = fakeDeps({}, new Set());
    assert.equal((await syncPinSet(deps, { source: 'prod', document: '{"kind":"List","items":[]}', hostNames: [R] }, actor)).pinned, 0);
    assert.deepEqual(calls[0]!.pins, []);
    const refused = [
      { source: 'prod', document: '' },
      { source: 'Prod', document: '[]' },
      { source: '-x', document: '[]' },
      { source: 'a'.repeat(65), document: '[]' },
      { source: 'prod', document: '[]', expiresInMs: 0 },
    ];
    for (const r of refused)
      await assert.rejects(syncPinSet(deps, { hostNames: [R], ...r }, actor), { code: 'INVALID_REQUEST' }, JSON.stringify(r).slice(0, 80));
    assert.equal(calls.length, 1, 'nothing refused reached the store');
  });

  it('refuses a report naming more distinct images than the limit, changing nothing', async () => {
    const { deps, calls } = fakeDeps({}, new Set());
    const many = Array.from({ length: MAX_PIN_SET_IMAGES + 1 }, (_, i) => `${R}/team/app:v${i}`).join('\n');
    await assert.rejects(syncPinSet(deps, { source: 'prod', document: many, hostNames: [R] }, actor), /more than 10000 distinct images/);
    assert.equal(calls.length, 0);
  });
});
