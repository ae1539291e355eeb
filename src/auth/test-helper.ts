// A test double for the AccessKeys port (an in-memory map, not a fake server), so auth tests need no database.
// Records are copied in and out, as a real store would, so a test cannot change a stored key by accident.
import type { AccessKey, AccessKeys } from '../core/index.ts';

export interface MemoryKeys extends AccessKeys {
  /** How many times findAccessKey was called: lets tests prove nothing is cached. */
  readonly lookups: number;
}

export function memoryKeys(): MemoryKeys {
  const keys = new Map<string, AccessKey>();
  let lookups = 0;
  return {
    get lookups() {
      return lookups;
    },
    async createAccessKey(key) {
      if (keys.has(key.id)) throw new Error(`duplicate access key ${key.id}`);
      keys.set(key.id, structuredClone(key));
    },
    async findAccessKey(id) {
      lookups++;
      const key = keys.get(id);
      return key ? structuredClone(key) : null;
    },
    async listAccessKeys() {
      return [...keys.values()].map((k) => structuredClone(k));
    },
    async deleteAccessKey(id) {
      return keys.delete(id);
    },
  };
}
