import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../errors.ts';
import { restore } from './restore.ts';

/** The restore use case over a store that knows the repository but has nothing restorable in it. */
function nothingRestorable(restoreWindowMs: number): Parameters<typeof restore>[0] {
  const meta = { findRepository: async () => ({}), restore: async () => ({ kind: 'unknown' }) };
  return { meta, clock: { now: () => new Date('2026-03-01T00:00:00Z') }, deletion: { restoreWindowMs, autoPinPulledWithinMs: 0 } } as never;
}

describe('restore', () => {
  it('names the restore window as configured, seconds included, never "0 min" for a short one', async () => {
    for (const [ms, text] of [
      [20_000, '20 s'],
      [1_500, '1.5 s'],
      [90_000, '1 min 30 s'],
      [600_000, '10 min'],
      [86_400_000, '24 h'],
      [5_400_000, '1 h 30 min'],
    ] as const) {
      await assert.rejects(restore(nothingRestorable(ms), 'team/app', 'v1', { principal: 't', dialect: 'oci' }), (e: unknown) => {
        assert.ok(e instanceof RegistryError && e.code === 'MANIFEST_UNKNOWN');
        assert.match(e.message, new RegExp(`\\(the restore window is ${text.replace('.', '\\.')}\\)$`), e.message);
        return true;
      });
    }
  });
});
