// Blob uploads (POST, PATCH, PUT, status, cancel): bytes are hashed while they stream to storage, and the
// session offset only advances once the bytes are durable, so a failed or cut request can always be retried.
import type { Hash } from 'node:crypto';
import { RegistryError } from '../errors.ts';
import { algorithmOf, type Digest, newHasher, parseDigest } from '../model/digest.ts';
import { newUploadId } from '../model/ids.ts';
import type { Actor, UploadSession } from '../model/records.ts';
import type { UploadAdvance } from '../ports/metadata-store.ts';
import type { RegistryDeps, UsesBlobs, UsesMeta } from './deps.ts';
import { newPurgeOwner, PURGE_LEASE_MS, type PurgeDeps, purgeLeaseExpiry, removePurgedBytes } from './purge-lease.ts';
import { type PushDeps, requireRepositoryForPush } from './repositories.ts';

/** Writing into a session: its row, the store's upload area and the in-process hash cache. */
type AppendDeps = UsesMeta<'getUpload' | 'advanceUpload' | 'adoptUpload'> & UsesBlobs<'appendUpload'> & Pick<RegistryDeps, 'clock' | 'hashes' | 'processId'>;
/** Closing a session: session row and area both go. */
type CloseDeps = UsesMeta<'deleteUpload'> & UsesBlobs<'removeUpload'> & Pick<RegistryDeps, 'hashes'>;

export interface ChunkInput {
  body: AsyncIterable<Uint8Array>;
  /** Content-Range start, when the client sent one: it must equal the current offset. */
  rangeStart?: number | undefined;
  /** Bytes the client says it sends (Content-Length or the Content-Range span), checked after streaming. */
  expectedLength?: number | undefined;
}

/** Opens an upload session for a repository (created on first blob commit, not here). */
export async function startUpload(
  deps: UsesMeta<'createUpload'> & UsesBlobs<'createUpload'> & Pick<RegistryDeps, 'clock' | 'processId'> & PushDeps,
  repository: string,
): Promise<UploadSession> {
  await requireRepositoryForPush(deps, repository);
  const now = deps.clock.now();
  const session: UploadSession = { id: newUploadId(), repository, offset: 0, startedAt: now, updatedAt: now, owner: deps.processId };
  // The session first: an upload area is never without its session, so fsck can remove areas that have none.
  await deps.meta.createUpload(session);
  await deps.blobs.createUpload(session.id);
  return session;
}

/** The session as the client may see it: it must exist and belong to this repository. */
export async function getUpload(deps: UsesMeta<'getUpload'>, repository: string, id: string): Promise<UploadSession> {
  const session = /^[0-9a-f-]{36}$/.test(id) ? await deps.meta.getUpload(id) : null;
  if (!session || session.repository !== repository) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id.slice(0, 64)} is unknown`);
  return session;
}

async function* counted(source: AsyncIterable<Uint8Array>, hash: Hash | null, count: { bytes: number }): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    hash?.update(chunk);
    count.bytes += chunk.byteLength;
    yield chunk;
  }
}

/**
 * The session, owned by this process from here on: a session last worked on by another process (a replica, or this
 * one before a restart) is adopted first, so expiry never takes it for abandoned while this request works on it. The
 * usual request finds itself the owner already and writes nothing extra.
 */
async function ownedUpload(
  deps: UsesMeta<'getUpload' | 'adoptUpload'> & Pick<RegistryDeps, 'clock' | 'processId'>,
  repository: string,
  id: string,
): Promise<UploadSession> {
  const session = await getUpload(deps, repository, id);
  if (session.owner === deps.processId) return session;
  if (!(await deps.meta.adoptUpload(id, deps.processId, deps.clock.now()))) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} is unknown`);
  return { ...session, owner: deps.processId };
}

/**
 * Takes the session over for this process before a request for it waits (for an upload slot): a session of a dead
 * process is abandoned once idle for a lease, and a request queued longer than that found it expired when its turn
 * came. Throws BLOB_UPLOAD_UNKNOWN when the session is gone already.
 */
export async function holdUpload(
  deps: UsesMeta<'getUpload' | 'adoptUpload'> & Pick<RegistryDeps, 'clock' | 'processId'>,
  repository: string,
  id: string,
): Promise<void> {
  await ownedUpload(deps, repository, id);
}

/** What one request streamed into the upload area past the session's offset, not recorded yet. */
interface Written {
  size: number;
  ref: string;
  /** The running hash after these bytes, or null when this process had no state at the session's offset. */
  hash: Hash | null;
}

/** Streams a chunk into the area at the session's offset; the bytes count only once the offset is recorded. */
async function writeChunk(deps: AppendDeps, session: UploadSession, input: ChunkInput): Promise<Written> {
  if (input.rangeStart !== undefined && input.rangeStart !== session.offset) {
    throw new RegistryError('RANGE_INVALID', `chunk starts at ${input.rangeStart} but the upload has ${session.offset} bytes`, { offset: session.offset });
  }
  // No state here for this offset (restart, or the last PATCH went to another replica): the closing PUT hashes.
  const hash = deps.hashes.peek(session.id, session.offset);
  const count = { bytes: 0 };
  const { size, ref } = await deps.blobs.appendUpload(session.id, session.offset, counted(input.body, hash, count), input.expectedLength);
  if (input.expectedLength !== undefined && count.bytes !== input.expectedLength) {
    // The bytes past session.offset are discarded by the next append: the recorded offset is the truth.
    throw new RegistryError('SIZE_INVALID', `expected ${input.expectedLength} bytes, received ${count.bytes}`, { offset: session.offset });
  }
  if (size !== session.offset + count.bytes) throw new RegistryError('INTERNAL', 'upload size disagrees with bytes written');
  return { size, ref, hash };
}

/** The session once `written` is recorded at `at`. */
function advanced(session: UploadSession, written: Pick<Written, 'size' | 'ref'>, at: Date): UploadSession {
  const part = written.size > session.offset ? [{ offset: session.offset, size: written.size - session.offset, ref: written.ref }] : [];
  return { ...session, offset: written.size, updatedAt: at, parts: [...(session.parts ?? []), ...part] };
}

const moved = (offset: number): RegistryError =>
  new RegistryError('RANGE_INVALID', 'the upload moved on concurrently; check its status and resume', { offset });

/** Records a written chunk (the offset's compare-and-set) and keeps the hash reached. */
async function recordChunk(deps: AppendDeps, session: UploadSession, written: Written): Promise<UploadSession> {
  const at = deps.clock.now();
  if (!(await deps.meta.advanceUpload(session.id, session.offset, written.size, at, written.ref))) throw moved(session.offset);
  if (written.hash) deps.hashes.remember(session.id, written.size, written.hash);
  else deps.hashes.forget(session.id);
  return advanced(session, written, at);
}

/** Appends one chunk (PATCH) and returns the session after it. */
export async function appendChunk(deps: AppendDeps, repository: string, id: string, input: ChunkInput): Promise<UploadSession> {
  return deps.hashes.exclusive(id, async () => {
    const session = await ownedUpload(deps, repository, id);
    return recordChunk(deps, session, await writeChunk(deps, session, input));
  });
}

/** DIGEST_INVALID unless `hash` (of the digest's algorithm, over every byte) ends at `digest`. */
function expectDigest(digest: Digest, hash: Hash): void {
  const actual = `${algorithmOf(digest)}:${hash.digest('hex')}`;
  if (actual !== digest) throw new RegistryError('DIGEST_INVALID', `digest ${digest} does not match the uploaded content (${actual})`, { digest });
}

/** Closes the upload (PUT ?digest=): verifies the digest over every byte, commits the blob and links it. */
export async function finishUpload(
  deps: AppendDeps & UsesMeta<'claimUploadDigest' | 'linkBlob'> & UsesBlobs<'commitUpload' | 'commitBytes' | 'stat'>,
  repository: string,
  id: string,
  digestParam: string,
  last: ChunkInput | null,
  actor: Actor,
): Promise<{ digest: Digest; size: number }> {
  const digest = parseDigest(digestParam);
  return deps.hashes.exclusive(id, async () => {
    let session = await ownedUpload(deps, repository, id);
    if (last && isWhole(deps, last) && session.offset === 0 && (session.parts ?? []).length === 0) {
      return finishWhole(deps, repository, id, digest, last, actor);
    }
    // A closing chunk whose running hash already matches is recorded by the claim's own transaction (one commit
    // fewer per monolithic push); any other chunk is recorded first, as a PATCH is, and verified below.
    let pending: UploadAdvance | undefined;
    if (last) {
      const written = await writeChunk(deps, session, last);
      if (written.hash && algorithmOf(digest) === 'sha256' && `sha256:${written.hash.copy().digest('hex')}` === digest) {
        pending = { from: session.offset, to: written.size, ref: written.ref };
      } else session = await recordChunk(deps, session, written);
    }
    let verified = pending !== undefined;
    if (!pending) {
      const hash = await deps.hashes.at(id, session.offset, session.parts ?? [], algorithmOf(digest)).catch(async (e: unknown) => {
        if (await committedEarlier(deps, session, digest, e)) return null;
        throw e;
      });
      if (hash) {
        expectDigest(digest, hash);
        verified = true;
      }
    }
    await claimDigest(deps, id, digest, pending);
    if (pending) session = advanced(session, { size: pending.to, ref: pending.ref }, deps.clock.now());
    if (verified) await deps.blobs.commitUpload(id, session.offset, digest, session.parts ?? []);
    else if ((await deps.blobs.stat(digest)) !== session.offset) {
      // Committed before a crash, then reclaimed by GC before this retry claimed it: the bytes are gone.
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `the bytes of upload ${id} are gone; start a new upload`);
    }
    // The link closes the session in its own transaction.
    await deps.meta.linkBlob(repository, { digest, size: session.offset }, actor, deps.clock.now(), id);
    deps.hashes.forget(id);
    return { digest, size: session.offset };
  });
}

/**
 * Largest body written whole (commitBytes): it is held in memory while it is hashed, so this bounds the memory of
 * each upload slot; config blobs and small layers fit, larger bodies stream through the upload area.
 */
export const WHOLE_UPLOAD_MAX_BYTES = 1024 * 1024;

/** A closing request that carries the whole of a small blob, on a store that can write it whole. */
function isWhole(deps: UsesBlobs<'commitBytes'>, last: ChunkInput): boolean {
  const n = last.expectedLength;
  return deps.blobs.commitBytes !== undefined && n !== undefined && n > 0 && n <= WHOLE_UPLOAD_MAX_BYTES && (last.rangeStart ?? 0) === 0;
}

/** Reads exactly `expected` bytes, or SIZE_INVALID (a longer body is read to its end but not kept). */
async function readWhole(body: AsyncIterable<Uint8Array>, expected: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let got = 0;
  for await (const chunk of body) {
    got += chunk.byteLength;
    if (got <= expected) chunks.push(chunk);
  }
  if (got !== expected) throw new RegistryError('SIZE_INVALID', `expected ${expected} bytes, received ${got}`, { offset: 0 });
  return Buffer.concat(chunks, got);
}

/**
 * The closing PUT of a session still empty, carrying the whole blob (a monolithic push): the body is verified in
 * memory and written straight to its content-addressed place, so the store writes it once instead of appending it to
 * the upload area and copying it from there. Claimed, written, then linked (the link closes the session) as in
 * finishUpload; a wrong digest or length writes nothing and leaves the session at 0.
 */
async function finishWhole(
  deps: UsesMeta<'claimUploadDigest' | 'linkBlob'> & UsesBlobs<'commitBytes'> & Pick<RegistryDeps, 'clock' | 'hashes'>,
  repository: string,
  id: string,
  digest: Digest,
  last: ChunkInput,
  actor: Actor,
): Promise<{ digest: Digest; size: number }> {
  const bytes = await readWhole(last.body, last.expectedLength ?? 0);
  expectDigest(digest, newHasher(algorithmOf(digest)).update(bytes));
  await claimDigest(deps, id, digest, undefined);
  await deps.blobs.commitBytes?.(id, digest, bytes);
  await deps.meta.linkBlob(repository, { digest, size: bytes.length }, actor, deps.clock.now(), id);
  deps.hashes.forget(id);
  return { digest, size: bytes.length };
}

/**
 * How long a finishing upload waits for GC to finish reclaiming the same digest: one file removal normally, and a
 * little past PURGE_LEASE_MS when the sweeper died, so the claim can take its marker over.
 */
const CLAIM_WAIT_MS = PURGE_LEASE_MS + 5_000;

/**
 * Claims the digest before its bytes are committed, so GC can never remove the blob between this commit and the
 * link that follows (the race that corrupts images in Distribution). A purge of the digest already under way is
 * waited out; its bytes are then committed afresh. `advance` (the closing chunk's offset) goes with the first
 * attempt and stands from then on, whatever that attempt answers.
 */
async function claimDigest(
  deps: UsesMeta<'claimUploadDigest'> & Pick<RegistryDeps, 'clock'>,
  id: string,
  digest: Digest,
  advance: UploadAdvance | undefined,
): Promise<void> {
  const deadline = Date.now() + CLAIM_WAIT_MS;
  let pending = advance;
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    const claim = await deps.meta.claimUploadDigest(id, digest, deps.clock.now(), purgeLeaseExpiry(deps.clock.now()), pending);
    if (claim === 'moved') throw moved(pending?.from ?? 0);
    pending = undefined;
    if (claim === 'claimed') return;
    // The session expired (or another replica closed it) while this request was finishing: nothing protects the bytes.
    if (claim === 'unknown-session') throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} is no longer open; start a new upload`);
    if (Date.now() > deadline)
      throw new RegistryError('TOO_MANY_REQUESTS', `blob ${digest} is being reclaimed by garbage collection; retry the upload`, { digest });
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * A crash between committing the bytes and closing the session leaves a session whose upload area is gone
 * because its bytes already are the blob: the retried PUT finds the blob, content-addressed, at the session's size.
 */
async function committedEarlier(deps: UsesBlobs<'stat'>, session: UploadSession, digest: Digest, error: unknown): Promise<boolean> {
  return error instanceof RegistryError && error.code === 'BLOB_UPLOAD_UNKNOWN' && (await deps.blobs.stat(digest)) === session.offset;
}

export async function cancelUpload(deps: CloseDeps & UsesMeta<'getUpload'>, repository: string, id: string): Promise<void> {
  await deps.hashes.exclusive(id, async () => {
    await getUpload(deps, repository, id);
    await deps.meta.deleteUpload(id);
    await deps.blobs.removeUpload(id);
    deps.hashes.forget(id);
  });
}

/** Removes sessions idle for longer than `idleMs`, bytes and all; returns how many went. */
export async function expireUploads(deps: CloseDeps & UsesMeta<'listIdleUploads' | 'beginOrphanPurge'> & PurgeDeps, idleMs: number): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - idleMs);
  let removed = 0;
  for (let round = 0; round < 100; round++) {
    const idle = await deps.meta.listIdleUploads(before, 100);
    if (idle.length === 0) break;
    for (const s of idle) {
      await deps.hashes.exclusive(s.id, async () => {
        await deps.meta.deleteUpload(s.id);
        await deps.blobs.removeUpload(s.id);
        deps.hashes.forget(s.id);
        if (s.claimed) await removeAbandonedCommit(deps, s.claimed);
      });
      removed++;
    }
  }
  return removed;
}

/**
 * Removes sessions whose owner process is known dead (its lease ran out, by the owner's own lease length) and that
 * nobody touched for `leaseMs`; each goes by compare-and-delete, so one another process adopted meanwhile stays.
 * Returns how many went.
 */
export async function expireAbandonedUploads(
  deps: UsesBlobs<'removeUpload'> & Pick<RegistryDeps, 'hashes'> & UsesMeta<'listAbandonedUploads' | 'expireAbandonedUpload' | 'beginOrphanPurge'> & PurgeDeps,
  leaseMs: number,
): Promise<number> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - leaseMs);
  let removed = 0;
  for (let round = 0; round < 100; round++) {
    const abandoned = await deps.meta.listAbandonedUploads(before, now, 100);
    let went = 0;
    for (const s of abandoned) {
      await deps.hashes.exclusive(s.id, async () => {
        if (!(await deps.meta.expireAbandonedUpload(s.id, before, now))) return;
        await deps.blobs.removeUpload(s.id);
        deps.hashes.forget(s.id);
        if (s.claimed) await removeAbandonedCommit(deps, s.claimed);
        went++;
      });
    }
    removed += went;
    if (abandoned.length < 100 || went === 0) break;
  }
  return removed;
}

/**
 * A session that claimed a digest and then went idle crashed between committing the bytes and linking them (its
 * client never retried). With the claim gone, those bytes belong to nobody unless metadata knows the digest: they
 * are removed through GC's purge markers, so a new upload of the same digest can never lose them.
 */
async function removeAbandonedCommit(deps: UsesMeta<'beginOrphanPurge'> & PurgeDeps, digest: Digest): Promise<void> {
  const owner = newPurgeOwner();
  const approved = await deps.meta.beginOrphanPurge([digest], deps.clock.now(), owner);
  await removePurgedBytes(deps, approved, owner);
}
