// revokeAccessKey with a one-method fake: use cases take only the ports they use, so no store is needed here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../errors.ts';
import { revokeAccessKey } from './access-keys.ts';

describe('revokeAccessKey', () => {
  it('deletes a known key and refuses an unknown one with INVALID_REQUEST', async () => {
    const deleted: string[] = [];
    const keys = {
      deleteAccessKey: async (id: string) => {
        if (id !== 'AKBERTHKNOWN') return false;
        deleted.push(id);
        return true;
      },
    };
    await revokeAccessKey(keys, 'AKBERTHKNOWN');
    assert.deepEqual(deleted, ['AKBERTHKNOWN']);
    await assert.rejects(revokeAccessKey(keys, 'AKBERTHNONE'), (e: unknown) => e instanceof RegistryError && e.code === 'INVALID_REQUEST');
  });
});
