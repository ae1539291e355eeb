// createRepository/updateRepository over a fake store: the mode/filter pairing is checked in core before the store
// sees it, so no dialect can store filters a mode ignores or a *_WITH_EXCLUSION mode without them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from '../errors.ts';
import type { Actor, Repository } from '../model/records.ts';
import type { NewRepository, RepositoryChange } from '../ports/repository-admin.ts';
import { createRepository, updateRepository } from './repositories.ts';

const ACTOR: Actor = { principal: 'test', dialect: 'ecr' };
const AT = new Date('2026-03-01T00:00:00Z');
const REPO: Repository = { id: 'crr-1', name: 'app', artifactKind: 'image', tagMutability: 'MUTABLE', createdAt: AT };

function deps(seen: Array<NewRepository | RepositoryChange>) {
  return {
    clock: { now: () => AT },
    meta: {
      createRepository: async (r: NewRepository) => {
        seen.push(r);
        return { kind: 'created' as const, repository: REPO };
      },
      updateRepository: async (_name: string, c: RepositoryChange) => {
        seen.push(c);
        return REPO;
      },
    },
  };
}
const invalid = (e: unknown) => isRegistryError(e) && e.code === 'INVALID_REQUEST';

describe('repository use cases and tag-mutability exclusions', () => {
  it('pass a *_WITH_EXCLUSION mode with its filters, and a plain mode with none', async () => {
    const seen: Array<NewRepository | RepositoryChange> = [];
    await createRepository(deps(seen), { name: 'app', tagMutability: 'IMMUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: ['latest'] }, ACTOR);
    await createRepository(deps(seen), { name: 'app' }, ACTOR);
    await updateRepository(deps(seen), 'app', { tagMutability: 'MUTABLE_WITH_EXCLUSION', tagMutabilityExclusions: ['release-*'] }, ACTOR);
    await updateRepository(deps(seen), 'app', { tagMutability: 'IMMUTABLE' }, ACTOR);
    assert.deepEqual(
      seen.map((x) => [x.tagMutability, x.tagMutabilityExclusions]),
      [
        ['IMMUTABLE_WITH_EXCLUSION', ['latest']],
        ['MUTABLE', undefined],
        ['MUTABLE_WITH_EXCLUSION', ['release-*']],
        ['IMMUTABLE', undefined],
      ],
    );
  });

  it('refuse filters without a mode that takes them, and such a mode without filters, before the store is called', async () => {
    const seen: Array<NewRepository | RepositoryChange> = [];
    await assert.rejects(createRepository(deps(seen), { name: 'app', tagMutabilityExclusions: ['x'] }, ACTOR), invalid);
    await assert.rejects(createRepository(deps(seen), { name: 'app', tagMutability: 'MUTABLE_WITH_EXCLUSION' }, ACTOR), invalid);
    await assert.rejects(updateRepository(deps(seen), 'app', { tagMutabilityExclusions: ['x'] }, ACTOR), invalid);
    await assert.rejects(updateRepository(deps(seen), 'app', { tagMutability: 'IMMUTABLE', tagMutabilityExclusions: ['x'] }, ACTOR), invalid);
    assert.deepEqual(seen, []);
  });
});
