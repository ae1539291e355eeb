// Pushing under torture, as a careful client does it: HEAD, mount or upload each blob, then PUT the manifest; a
// blob GC reclaimed in between (MANIFEST_BLOB_UNKNOWN) is uploaded again, a 429 is waited out, and a broken
// connection is an unknown outcome that is retried once the server is back. Every loop is bounded.
import { type BlobSpec, blobOf, type ManifestSpec } from './content.ts';
import { type Answer, header, type TortureHttp, UnknownOutcome } from './http.ts';
import type { BlobDirectory, TortureStats } from './model.ts';
import type { Prng } from './prng.ts';

export const MAX_ATTEMPTS = 6;

export type PushOutcome = 'acked' | 'failed' | 'unknown';

/** A client could not get an answer it can act on within its attempts (not a registry fault by itself). */
export class GaveUp extends Error {}

export interface PushContext {
  http: TortureHttp;
  prng: Prng;
  stats: TortureStats;
  blobs: BlobDirectory;
  /** Records a broken invariant (the run fails); returns nothing so callers decide how to carry on. */
  violation(message: string): void;
  /** No retry starts after this instant (epoch ms), so a run ends on time even when the server keeps refusing. */
  hardStop: number;
  /** Who removed `digest` from `repository`, from the audit trail (for violation messages). */
  explain(repository: string, digest: string): Promise<string>;
}

/** Whether another attempt may start. */
const mayRetry = (ctx: PushContext, attempt: number): boolean => attempt < MAX_ATTEMPTS && (attempt === 0 || Date.now() < ctx.hardStop);

/** A claim blocked by a purge marker costs the server's whole wait (10 s): after this many, the push gives up. */
const MAX_429_PER_BLOB = 2;

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Answers a client must never get from a correct registry for these requests. */
function unexpected(ctx: PushContext, what: string, a: Answer): void {
  if (a.status >= 500) return; // already recorded by the HTTP layer
  ctx.violation(`${what}: unexpected ${a.status} ${a.code ?? ''} ${a.body.toString('utf8').slice(0, 200)}`);
}

/** Makes sure `repo` has the blob: HEAD first unless `force`, then mount (sometimes) or upload. */
export async function ensureBlob(ctx: PushContext, repo: string, blob: BlobSpec, force: boolean): Promise<void> {
  let refused = 0;
  for (let a = 0; mayRetry(ctx, a) && refused < MAX_429_PER_BLOB; a++) {
    try {
      if (!force) {
        const head = await ctx.http.send({ method: 'HEAD', target: `/v2/${repo}/blobs/${blob.digest}` });
        if (head.status === 200) {
          if (Number(header(head, 'content-length')) !== blob.size)
            ctx.violation(`HEAD ${repo}@${blob.digest}: size ${header(head, 'content-length')}, expected ${blob.size}`);
          return;
        }
        if (head.status !== 404) unexpected(ctx, `HEAD blob ${repo}@${blob.digest}`, head);
      }
      const done = await upload(ctx, repo, blob);
      if (done === 'done') {
        ctx.blobs.saw(blob.digest, blob.size, repo);
        return;
      }
      if (done === 'busy') refused++;
    } catch (e) {
      if (!(e instanceof UnknownOutcome)) throw e;
      ctx.stats.unknownOutcomes++;
    }
  }
  throw new GaveUp(`blob ${blob.digest} to ${repo}`);
}

/** One upload attempt: done, worth retrying, or refused with 429. */
async function upload(ctx: PushContext, repo: string, blob: BlobSpec): Promise<'done' | 'retry' | 'busy'> {
  const { http, prng } = ctx;
  let location: string | undefined;
  const from = ctx.blobs.sources(blob.digest, repo);
  if (from.length > 0 && prng.chance(0.3)) {
    const m = await http.send({ method: 'POST', target: `/v2/${repo}/blobs/uploads/?mount=${blob.digest}&from=${prng.pick(from)}` });
    if (m.status === 201) {
      ctx.stats.mounts++;
      return 'done';
    }
    if (m.status !== 202) return busy(ctx, `mount ${blob.digest} into ${repo}`, m);
    location = header(m, 'location');
  } else if (prng.chance(0.2)) {
    const one = await http.send({
      method: 'POST',
      target: `/v2/${repo}/blobs/uploads/?digest=${blob.digest}`,
      body: blob.bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (one.status === 201) {
      ctx.stats.blobUploads++;
      return 'done';
    }
    return busy(ctx, `single-POST upload ${blob.digest} to ${repo}`, one);
  }
  if (location === undefined) {
    const post = await http.send({ method: 'POST', target: `/v2/${repo}/blobs/uploads/` });
    if (post.status !== 202) return busy(ctx, `start upload in ${repo}`, post);
    location = header(post, 'location');
  }
  if (!location) {
    ctx.violation(`upload in ${repo}: 202 without a Location`);
    return 'retry';
  }
  const put = await http.send({
    method: 'PUT',
    target: `${location}${location.includes('?') ? '&' : '?'}digest=${blob.digest}`,
    body: blob.bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (put.status === 201) {
    ctx.stats.blobUploads++;
    return 'done';
  }
  // A session cut by a kill can be gone or half-done: start over with a new one.
  if (put.status === 404 && put.code === 'BLOB_UPLOAD_UNKNOWN') return 'retry';
  return busy(ctx, `finish upload ${blob.digest} to ${repo}`, put);
}

/** 429 means "GC is reclaiming this digest right now" or "too many uploads": wait and retry; anything else is wrong. */
async function busy(ctx: PushContext, what: string, a: Answer): Promise<'retry' | 'busy'> {
  if (a.status === 429) {
    ctx.stats.tooManyRequests++;
    await pause(ctx.prng.int(50, 400));
    return 'busy';
  }
  unexpected(ctx, what, a);
  return 'retry';
}

/**
 * Pushes a manifest (children and blobs first) under `tag`, or by digest when `tag` is null. `blobsAlreadySent`:
 * the caller uploaded the blobs a while ago, so the first PUT goes out without checking them again (a slow client).
 */
export async function pushSpec(ctx: PushContext, repo: string, spec: ManifestSpec, tag: string | null, blobsAlreadySent = false): Promise<PushOutcome> {
  let force = false;
  let unknown = false;
  for (let a = 0; mayRetry(ctx, a); a++) {
    try {
      for (const child of spec.children) {
        const c = await pushSpec(ctx, repo, child, null);
        if (c !== 'acked') return unknown || c === 'unknown' ? 'unknown' : 'failed';
      }
      if (!blobsAlreadySent || a > 0) for (const b of spec.blobs) await ensureBlob(ctx, repo, b, force);
      const put = await ctx.http.send({
        method: 'PUT',
        target: `/v2/${repo}/manifests/${tag ?? spec.digest}`,
        body: spec.bytes,
        headers: { 'content-type': spec.mediaType },
      });
      if (put.status === 201) {
        if (header(put, 'docker-content-digest') !== spec.digest)
          ctx.violation(`PUT ${repo}:${tag ?? spec.digest}: Docker-Content-Digest ${header(put, 'docker-content-digest')}, expected ${spec.digest}`);
        return 'acked';
      }
      if (put.status === 400 && put.code === 'MANIFEST_BLOB_UNKNOWN') {
        // GC reclaimed a blob between our HEAD and this PUT (it was unused past the grace period): upload again.
        ctx.stats.manifestBlobUnknown++;
        force = true;
        continue;
      }
      if (put.status === 429) {
        ctx.stats.tooManyRequests++;
        await pause(ctx.prng.int(50, 400));
        continue;
      }
      unexpected(ctx, `PUT manifest ${repo}:${tag ?? spec.digest}`, put);
      return unknown ? 'unknown' : 'failed';
    } catch (e) {
      if (e instanceof UnknownOutcome) {
        ctx.stats.unknownOutcomes++;
        unknown = true;
        continue;
      }
      if (e instanceof GaveUp) return unknown ? 'unknown' : 'failed';
      throw e;
    }
  }
  return unknown ? 'unknown' : 'failed';
}

/** Uploads blobs no manifest will ever use (an abandoned push), or leaves an upload session half-written. */
export async function abandon(ctx: PushContext, repo: string, blobs: BlobSpec[], halfSession: boolean): Promise<void> {
  try {
    if (halfSession) {
      const post = await ctx.http.send({ method: 'POST', target: `/v2/${repo}/blobs/uploads/` });
      const location = header(post, 'location');
      if (post.status !== 202 || !location) return void (await busy(ctx, `start upload in ${repo}`, post));
      const part = blobOf(ctx.prng.bytes(ctx.prng.int(16, 4096)));
      const patch = await ctx.http.send({ method: 'PATCH', target: location, body: part.bytes, headers: { 'content-type': 'application/octet-stream' } });
      if (patch.status !== 202) await busy(ctx, `PATCH upload in ${repo}`, patch);
      ctx.stats.abandonedUploads++;
      return;
    }
    for (const b of blobs) {
      await ensureBlob(ctx, repo, b, ctx.prng.chance(0.5));
      ctx.stats.orphanBlobs++;
    }
  } catch (e) {
    if (e instanceof UnknownOutcome) ctx.stats.unknownOutcomes++;
    else if (!(e instanceof GaveUp)) throw e;
  }
}
