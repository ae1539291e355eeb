// Blob upload sessions on the wire: monolithic, chunked, streamed and cross-repository mount, per the spec.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  appendChunk,
  type ChunkInput,
  cancelUpload,
  finishUpload,
  getUpload,
  holdUpload,
  isRegistryError,
  mountBlob,
  RegistryError,
  startUpload,
  type UploadSession,
} from '../../core/index.ts';
import { gateRequest } from '../common/access.ts';
import { discardBody, watchedStream } from '../common/body.ts';
import { relieved } from '../common/memory-relief.ts';
import { parseContentRange } from '../common/ranges.ts';
import type { OciCall, OciHandler } from './context.ts';

type UploadsRoute = { kind: 'uploads'; name: string };
type UploadRoute = { kind: 'upload'; name: string; id: string };

function uploadLocation(name: string, id: string): string {
  return `/v2/${name}/blobs/uploads/${id}`;
}

/** Distribution's convention: "0-0" for an empty session, else "0-<last byte>". */
function rangeHeader(offset: number): string {
  return `0-${Math.max(0, offset - 1)}`;
}

function sendSession(reply: FastifyReply, name: string, session: UploadSession, status: 202 | 204): void {
  reply
    .code(status)
    .headers({
      location: uploadLocation(name, session.id),
      range: rangeHeader(session.offset),
      'docker-upload-uuid': session.id,
      'content-length': 0,
    })
    .send();
}

function sendBlobCreated(reply: FastifyReply, name: string, digest: string): void {
  reply
    .code(201)
    .headers({ location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': 0 })
    .send();
}

function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return length !== undefined ? Number(length) > 0 : req.headers['transfer-encoding'] !== undefined;
}

/** Describes the request body as a chunk, checking Content-Range and Content-Length agree. */
function chunkOf(req: FastifyRequest): ChunkInput {
  const range = parseContentRange(req.headers['content-range']);
  if (range === 'invalid') throw new RegistryError('RANGE_INVALID', `invalid Content-Range ${String(req.headers['content-range']).slice(0, 100)}`);
  const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
  if (range && declared !== undefined && declared !== range.end - range.start + 1) {
    throw new RegistryError('SIZE_INVALID', `Content-Range ${range.start}-${range.end} does not match Content-Length ${declared}`);
  }
  return { body: relieved(watchedStream(req.raw)), rangeStart: range?.start, expectedLength: range ? range.end - range.start + 1 : declared };
}

const REFUSED = {
  'queue-full': ['TOO_MANY_REQUESTS', 'too many uploads in progress and waiting; retry later'],
  evicted: ['TOO_MANY_REQUESTS', 'the upload queue is full and this key has the most uploads waiting; retry later'],
  timeout: ['UNAVAILABLE', 'no upload slot became free in time; retry later'],
  aborted: ['TOO_MANY_REQUESTS', 'the client went away while waiting for an upload slot'],
} as const;

/**
 * Streams a body only while holding an upload slot. Beyond the limits the upload waits in the slots' bounded queue
 * without reading its body (so waiting costs a socket, not memory or disk); a client that disconnects leaves the queue.
 * `beforeWaiting` runs only when the upload has to wait (an existing session is taken over, so it is not expired as
 * abandoned while its request waits).
 */
async function withSlot<T>(call: OciCall, fn: () => Promise<T>, beforeWaiting?: () => Promise<void>): Promise<T> {
  const now = call.ctx.uploadSlots.tryAcquire(call.actor.principal);
  if (now) return holding(now, fn);
  await beforeWaiting?.();
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  call.reply.raw.once('close', onClose);
  if (call.req.raw.socket?.destroyed) gone.abort();
  const slot = await call.ctx.uploadSlots.acquire(call.actor.principal, gone.signal).finally(() => call.reply.raw.off('close', onClose));
  if (typeof slot === 'string') {
    // A gone client's body will never end (its 'close' may have passed already): nothing to drain, nobody to answer.
    if (slot !== 'aborted' && !call.req.raw.destroyed) await discardBody(call.req.raw);
    const [code, message] = REFUSED[slot];
    throw new RegistryError(code, message);
  }
  return holding(slot, fn);
}

async function holding<T>(release: () => void, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    release();
  }
}

export const postUpload: OciHandler<UploadsRoute> = async (call) => {
  const { ctx, route, query, req, reply, actor } = call;
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount && from) {
    const readable = await ctx.gate.alsoAllowed(gateRequest(req.headers, 'oci'), { type: 'repository', name: from, actions: ['pull'] });
    // A bad mount digest or source falls back to a plain upload, as the spec says; a store failure does not hide.
    const mounted = readable
      ? await mountBlob(ctx.deps, route.name, from, mount, actor).catch((e: unknown) => {
          if (isRegistryError(e)) return null;
          throw e;
        })
      : null;
    if (mounted) {
      await discardBody(req.raw);
      return sendBlobCreated(reply, route.name, mounted.digest);
    }
  }
  const digest = query.get('digest');
  if (digest !== null) {
    return withSlot(call, async () => {
      const session = await startUpload(ctx.deps, route.name);
      const done = await finishUpload(ctx.deps, route.name, session.id, digest, chunkOf(req), actor).catch(async (e: unknown) => {
        await cancelUpload(ctx.deps, route.name, session.id).catch(() => undefined);
        throw e;
      });
      sendBlobCreated(reply, route.name, done.digest);
    });
  }
  await discardBody(req.raw);
  const settle = await reserveSession(call);
  if (!settle) throw new RegistryError('TOO_MANY_REQUESTS', 'this key has too many unfinished upload sessions; finish or cancel some, or retry later');
  const session = await startUpload(ctx.deps, route.name).catch((e: unknown) => {
    settle(null);
    throw e;
  });
  settle(session.id);
  sendSession(reply, route.name, session, 202);
};

/** A place among the key's open sessions; at the cap, first drops sessions another replica finished or cancelled. */
async function reserveSession(call: OciCall<UploadsRoute>): Promise<((id: string | null) => void) | null> {
  const { ctx, route, actor } = call;
  const settle = ctx.openSessions.tryReserve(actor.principal, route.name);
  if (settle) return settle;
  await ctx.openSessions.recheck(actor.principal, (repository, id) =>
    getUpload(ctx.deps, repository, id).then(
      () => true,
      (e: unknown) => {
        if (isRegistryError(e) && e.code === 'BLOB_UPLOAD_UNKNOWN') return false;
        throw e;
      },
    ),
  );
  return ctx.openSessions.tryReserve(actor.principal, route.name);
}

/** Keeps the per-key session count in step: a session the store no longer knows is not open any more. */
function forgetIfGone(call: OciCall<UploadRoute>, e: unknown): void {
  if (isRegistryError(e) && e.code === 'BLOB_UPLOAD_UNKNOWN') call.ctx.openSessions.close(call.route.id);
}

export const patchUpload: OciHandler<UploadRoute> = async (call) => {
  const { ctx, route, req, reply } = call;
  try {
    const session = await withSlot(
      call,
      () => appendChunk(ctx.deps, route.name, route.id, chunkOf(req)),
      () => holdUpload(ctx.deps, route.name, route.id),
    );
    ctx.openSessions.touch(route.id);
    sendSession(reply, route.name, session, 202);
  } catch (e) {
    forgetIfGone(call, e);
    // A rejected chunk leaves the session as it was; tell the client where it stands so it can resume.
    if (e instanceof RegistryError && typeof e.detail?.offset === 'number') {
      reply.headers({ location: uploadLocation(route.name, route.id), range: rangeHeader(e.detail.offset), 'docker-upload-uuid': route.id });
    }
    if (!req.raw.readableEnded) req.raw.resume();
    throw e;
  }
};

export const putUpload: OciHandler<UploadRoute> = async (call) => {
  const { ctx, route, query, req, reply, actor } = call;
  const digest = query.get('digest');
  if (digest === null) {
    await discardBody(req.raw);
    throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required to close an upload');
  }
  const done = await withSlot(
    call,
    () => finishUpload(ctx.deps, route.name, route.id, digest, hasBody(req) ? chunkOf(req) : null, actor),
    () => holdUpload(ctx.deps, route.name, route.id),
  ).catch((e: unknown) => {
    forgetIfGone(call, e);
    throw e;
  });
  ctx.openSessions.close(route.id);
  if (!req.raw.readableEnded) await discardBody(req.raw);
  sendBlobCreated(reply, route.name, done.digest);
};

export const getUploadStatus: OciHandler<UploadRoute> = async ({ ctx, route, reply }) => {
  sendSession(reply, route.name, await getUpload(ctx.deps, route.name, route.id), 204);
};

export const deleteUpload: OciHandler<UploadRoute> = async (call) => {
  const { ctx, route, reply } = call;
  await cancelUpload(ctx.deps, route.name, route.id).catch((e: unknown) => {
    forgetIfGone(call, e);
    throw e;
  });
  ctx.openSessions.close(route.id);
  reply.code(204).send();
};
