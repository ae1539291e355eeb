// The upload-session row and its parts' mapping, shared so a session resumed on either store reports the same state.
import type { Digest, UploadPart, UploadSession } from '../../core/index.ts';

export interface UploadRow { id: string; repository: string; received: number; started_at: number; updated_at: number; digest: string | null }
export interface UploadPartRow { start: number; size: number; ref: string }

/** The columns a new session writes, in the order the INSERTs bind them. */
export const UPLOAD_COLUMNS = 'id, repository, received, started_at, updated_at';
/** The columns of an UploadRow (with the claimed digest). */
export const UPLOAD_READ_COLUMNS = `${UPLOAD_COLUMNS}, digest`;

const toUploadPart = (p: UploadPartRow): UploadPart => ({ offset: p.start, size: p.size, ref: p.ref });

export const toUpload = (r: UploadRow, parts?: UploadPartRow[]): UploadSession => ({
  id: r.id, repository: r.repository, offset: r.received, startedAt: new Date(r.started_at), updatedAt: new Date(r.updated_at),
  claimed: r.digest as Digest | null, ...(parts ? { parts: parts.map(toUploadPart) } : {}),
});
