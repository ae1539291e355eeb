// deleteManifest over a three-method fake store: the repository check, tag vs digest routing, the pin policy it
// hands the store, and how each store outcome becomes a result or an error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../errors.ts';
import type { Actor } from '../model/records.ts';
import type { MetadataStore, PinPolicy } from '../ports/metadata-store.ts';
import { deleteManifest } from './delete-manifest.ts';

const ACTOR: Actor = { principal: 'test', dialect: 'oci' };
const DIGEST = `sha256:${'a'.repeat(64)}` as const;
const AT = new Date('2026-03-01T00:00:00Z');

function fake(calls: string[]): Pick<MetadataStore, 'findRepository' | 'deleteTag' | 'deleteManifest'> {
  return {
    findRepository: async (name) => (name === 'app' ? { id: 'crr-1', name, artifactKind: 'image', createdAt: AT, tagMutability: 'MUTABLE' } : null),
    deleteTag: async (_repo, tag, _actor, _at, o) => {
      calls.push(`tag ${tag} dropUntagged=${o.dropUntagged}`);
      return tag === 'gone' ? { kind: 'unknown' } : { kind: 'deleted', digest: DIGEST, manifests: [], brokenPins: [] };
    },
    deleteManifest: async (_repo, digest, _actor, _at, policy: PinPolicy) => {
      calls.push(`manifest ${digest} pulledSince=${policy.pulledSince?.toISOString() ?? null}`);
      return { kind: 'pinned', pins: [] };
    },
  };
}

describe('deleteManifest', () => {
  it('routes tags and digests to the store, passes the pin policy and turns outcomes into errors', async () => {
    const calls: string[] = [];
    const deps = { meta: fake(calls), clock: { now: () => AT }, deletion: { restoreWindowMs: 0, autoPinPulledWithinMs: 60_000, gcGraceMs: 0 } };
    assert.deepEqual(await deleteManifest(deps, 'app', 'v1', ACTOR, { dropUntagged: true }), { manifests: [], tags: ['v1'], brokenPins: [] });
    await assert.rejects(deleteManifest(deps, 'app', 'gone', ACTOR), (e: unknown) => e instanceof RegistryError && e.code === 'MANIFEST_UNKNOWN');
    await assert.rejects(deleteManifest(deps, 'app', DIGEST, ACTOR), (e: unknown) => e instanceof RegistryError && e.code === 'IMAGE_IN_USE');
    await assert.rejects(deleteManifest(deps, 'none', 'v1', ACTOR), (e: unknown) => e instanceof RegistryError && e.code === 'NAME_UNKNOWN');
    assert.deepEqual(calls, ['tag v1 dropUntagged=true', 'tag gone dropUntagged=false', `manifest ${DIGEST} pulledSince=2026-02-28T23:59:00.000Z`]);
  });
});
