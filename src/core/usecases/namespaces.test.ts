// Namespace create/delete through core: names checked once, a namespace holding repositories is never deleted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestRegistry, pushBlob, TEST_ACTOR, type TestRegistry } from '../../adapters/test-helpers.ts';
import { RegistryError } from '../errors.ts';
import { createNamespace, deleteNamespace, parseNamespaceName } from './namespaces.ts';

describe('namespaces', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await openTestRegistry();
  });
  after(async () => reg.close());

  it('creates once with settings, refuses a non-empty delete, and names must be one component', async () => {
    assert.equal((await createNamespace(reg.deps, { name: 'reg', settings: { bucket: 'b' } }, TEST_ACTOR)).created, true);
    const again = await createNamespace(reg.deps, { name: 'reg', settings: { bucket: 'c' } }, TEST_ACTOR);
    assert.deepEqual([again.created, again.namespace.settings], [false, { bucket: 'b' }]);
    await pushBlob(reg.deps, 'reg/app', 'x');
    await assert.rejects(deleteNamespace(reg.deps, 'reg', TEST_ACTOR), (e: unknown) => e instanceof RegistryError && e.code === 'REPOSITORY_NOT_EMPTY');
    await assert.rejects(deleteNamespace(reg.deps, 'none', TEST_ACTOR), (e: unknown) => e instanceof RegistryError && e.code === 'NAME_UNKNOWN');
    for (const bad of ['a/b', 'UP', '', '-x'])
      assert.throws(
        () => parseNamespaceName(bad),
        (e: unknown) => e instanceof RegistryError && e.code === 'NAME_INVALID',
      );
    await pushBlob(reg.deps, 'implied/app', 'y');
    const implied = await createNamespace(reg.deps, { name: 'implied', settings: { bucket: 'd' } }, TEST_ACTOR);
    assert.deepEqual([implied.created, implied.namespace.explicit], [false, false], 'a namespace a push implied already exists');
    await createNamespace(reg.deps, { name: 'empty' }, TEST_ACTOR);
    await deleteNamespace(reg.deps, 'empty', TEST_ACTOR);
    assert.equal(await reg.deps.meta.findNamespace('empty'), null);
  });
});
