// The trash's deleted-tag row and mapper, shared; restoring stays a transaction of each store's own.
import type { DeletedTag, Digest } from '../../core/index.ts';

export interface DeletedTagRow { id: number; name: string; digest: string; deleted_at: number; batch: string }

/** Every column of a DeletedTagRow; callers append `WHERE ...`. */
export const DELETED_TAGS = 'SELECT id, name, digest, deleted_at, batch FROM deleted_tags';

export const toDeletedTag = (repository: string, r: Pick<DeletedTagRow, 'name' | 'digest' | 'deleted_at'>): DeletedTag =>
  ({ repository, tag: r.name, digest: r.digest as Digest, deletedAt: new Date(r.deleted_at) });
