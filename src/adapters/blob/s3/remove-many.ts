// GC's batched removal on S3: one DeleteObjects call per 1,000 blobs instead of a DELETE each, with every key's own
// answer read (Quiet off), so a partly failed call finishes the purges that went through and leaves the rest for a
// later pass. Like the single removal, no call may outlive the purge lease: each has a hard deadline well inside it.
import { DeleteObjectsCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Digest, RemoveOutcome } from '../../../core/index.ts';
import { isAbsent } from './errors.ts';
import type { KeyLayout } from './keys.ts';
import type { Bucket } from './objects.ts';

/** S3's limit of keys per DeleteObjects call. */
export const DELETE_KEYS_PER_CALL = 1_000;
/** HEADs in flight (the control client keeps 64 sockets: the rest stay free for commits and readiness). */
const HEADS_IN_FLIGHT = 32;

/** One deadline for a chunk's HEADs and its DeleteObjects, cut short by the caller's signal (the lease) too. */
function callSignal(deadlineMs: number, signal: AbortSignal | undefined): AbortSignal {
  const own = AbortSignal.timeout(deadlineMs);
  return signal ? AbortSignal.any([own, signal]) : own;
}

/** Which keys are there. The marker the caller holds keeps uploads of these digests out, so the answer stays true. */
async function present(bucket: Bucket, keys: readonly string[], signal: AbortSignal): Promise<Map<string, RemoveOutcome | 'present'>> {
  const out = new Map<string, RemoveOutcome | 'present'>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      if (signal.aborted) {
        out.set(key, 'failed');
        continue;
      }
      try {
        await bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }), { abortSignal: signal });
        out.set(key, 'present');
      } catch (e) {
        out.set(key, isAbsent(e) ? 'missing' : 'failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEADS_IN_FLIGHT, keys.length) }, worker));
  return out;
}

/** Deletes the present keys in one call; each key gets S3's own answer, a key it does not mention failed. */
async function deleteKeys(bucket: Bucket, keys: readonly string[], signal: AbortSignal): Promise<Map<string, RemoveOutcome>> {
  const out = new Map<string, RemoveOutcome>(keys.map((k) => [k, 'failed']));
  if (keys.length === 0 || signal.aborted) return out;
  let answer;
  try {
    answer = await bucket.client.send(new DeleteObjectsCommand({ Bucket: bucket.name, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: false } }), {
      abortSignal: signal,
    });
  } catch {
    return out; // timed out, refused or cut: none of them is known to be gone
  }
  for (const d of answer.Deleted ?? []) if (d.Key !== undefined && out.has(d.Key)) out.set(d.Key, 'removed');
  for (const e of answer.Errors ?? []) if (e.Key !== undefined && out.has(e.Key)) out.set(e.Key, e.Code === 'NoSuchKey' ? 'missing' : 'failed');
  return out;
}

/**
 * Removes the blobs of `digests`, DELETE_KEYS_PER_CALL at a time: HEADs first (only bytes that were there count as
 * freed), then one DeleteObjects, all within `deadlineMs` of the chunk's start; no chunk starts once `signal` aborted.
 */
export async function removeBlobs(
  bucket: Bucket,
  keys: KeyLayout,
  digests: readonly Digest[],
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<Map<Digest, RemoveOutcome>> {
  const out = new Map<Digest, RemoveOutcome>();
  const keyed: { digest: Digest; key: string }[] = [];
  for (const digest of new Set(digests)) {
    try {
      keyed.push({ digest, key: keys.blob(digest) });
    } catch {
      out.set(digest, 'failed');
    }
  }
  for (let i = 0; i < keyed.length; i += DELETE_KEYS_PER_CALL) {
    const chunk = keyed.slice(i, i + DELETE_KEYS_PER_CALL);
    const within = callSignal(deadlineMs, signal);
    const found = await present(
      bucket,
      chunk.map((c) => c.key),
      within,
    );
    const deleted = await deleteKeys(
      bucket,
      chunk.flatMap((c) => (found.get(c.key) === 'present' ? [c.key] : [])),
      within,
    );
    for (const { digest, key } of chunk) {
      const f = found.get(key);
      out.set(digest, f === 'present' || f === undefined ? (deleted.get(key) ?? 'failed') : f);
    }
  }
  return out;
}
