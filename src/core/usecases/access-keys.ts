// Revoking an access key is a state change, so the CLI (and any future API) does it here rather than on the store.
import { RegistryError } from '../errors.ts';
import type { Actor } from '../model/records.ts';
import type { AccessKeys } from '../ports/metadata-store.ts';

/** Deletes the key; it stops working at once (every check reads the shared store). INVALID_REQUEST when unknown. */
export async function revokeAccessKey(keys: Pick<AccessKeys, 'deleteAccessKey'>, id: string, actor?: Actor): Promise<void> {
  if (!(await keys.deleteAccessKey(id, actor))) throw new RegistryError('INVALID_REQUEST', `no access key ${id}`);
}
