// Reads small bodies (manifests, JSON APIs) with a hard size limit, a watchdog and, for senders not yet verified, a
// place in the global budget (body-guard.ts): what a stranger can make berth hold stays small and bounded.
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../../core/index.ts';
import { guardOf, stallMessage } from './body-guard.ts';

/** Why a body read gave up; each becomes an error in the dialect's words. */
export type BodyProblem = 'too-large' | 'busy' | 'stalled';

/**
 * Whether the sender is known: 'verified' (credentials checked from the headers) or 'unverified' (a signature over the
 * body's hash still to check, or auth none). Only unverified reads take a place in the global budget; a read that
 * does not say is unverified, so a forgotten call site errs on the bounded side.
 */
export type BodyTrust = 'verified' | 'unverified';

export interface ReadOptions {
  trust?: BodyTrust;
}

class BodyReadError extends Error {
  readonly problem: Exclude<BodyProblem, 'too-large'>;
  constructor(problem: Exclude<BodyProblem, 'too-large'>, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** The answer for an unread or half-read body must close the connection: nothing is drained. */
function closeAfterAnswer(req: IncomingMessage): void {
  const res = guardOf(req)?.res;
  if (res && !res.headersSent) res.setHeader('connection', 'close');
}

function declaredLength(req: IncomingMessage): number | null {
  const declared = Number(req.headers['content-length']);
  return req.headers['content-length'] !== undefined && Number.isFinite(declared) ? declared : null;
}

/**
 * Resolves the body, or 'too-large' when more than `limit` bytes are declared or arrive: reading stops there and the
 * connection closes after the answer (no unbounded drain). Throws a busy or stalled BodyReadError (see bodyRefusal).
 */
export async function readBody(req: IncomingMessage, limit: number, options: ReadOptions = {}): Promise<Buffer | 'too-large'> {
  const declared = declaredLength(req);
  if (declared !== null && declared > limit) {
    closeAfterAnswer(req);
    return 'too-large';
  }
  if (req.readableEnded) return Buffer.alloc(0);
  const attached = guardOf(req);
  let release: (() => void) | null = null;
  if (attached && (options.trust !== 'verified' || attached.guard.authOff) && declared !== 0) {
    release = attached.guard.tryReserve(declared ?? limit);
    if (!release) {
      closeAfterAnswer(req);
      attached.res.setHeader('retry-after', '1');
      throw new BodyReadError('busy', 'too many request bodies from unverified callers are being read; retry later');
    }
  }
  try {
    return await collect(req, limit);
  } finally {
    release?.();
  }
}

function collect(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const attached = guardOf(req);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (): void => {
      stop();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      chunks.push(chunk);
      if (total > limit) {
        finish();
        req.pause();
        closeAfterAnswer(req);
        resolve('too-large');
      }
    };
    const onEnd = (): void => {
      finish();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (e: Error): void => {
      finish();
      reject(e);
    };
    const onAborted = (): void => onError(new Error('request aborted'));
    const stop = attached
      ? attached.guard.watch(req, (why) => {
          finish();
          req.pause();
          closeAfterAnswer(req);
          reject(new BodyReadError('stalled', stallMessage(why, attached.guard.limits)));
        })
      : () => undefined;
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * Drops a body the route does not use. A short one is read and dropped so keep-alive stays in sync; one declared
 * larger than `keepUpTo` (or of unknown length) is not drained: the connection closes after the answer.
 */
export async function discardBody(req: IncomingMessage, keepUpTo = 64 * 1024): Promise<void> {
  if (req.readableEnded || req.complete) return;
  const declared = declaredLength(req);
  if (declared === null || declared > keepUpTo) {
    closeAfterAnswer(req);
    return;
  }
  const attached = guardOf(req);
  await new Promise<void>((resolve) => {
    const stop = attached ? attached.guard.watch(req, () => done()) : () => undefined;
    function done(): void {
      stop();
      closeAfterAnswer(req);
      resolve();
    }
    req.on('end', () => {
      stop();
      resolve();
    });
    req.on('error', done);
    req.on('close', done);
    req.resume();
  });
}

/**
 * The body of a streamed upload, watched only while the handler reads it (an upload waiting for a slot has not started
 * iterating, so it cannot trip): a client that stalls or trickles below the minimum rate has its connection cut.
 */
export async function* watchedStream(req: IncomingMessage): AsyncIterable<Uint8Array> {
  const attached = guardOf(req);
  const stop = attached ? attached.guard.watch(req, () => req.socket?.destroy()) : () => undefined;
  try {
    for await (const chunk of req) yield chunk as Uint8Array;
  } finally {
    stop();
  }
}

/** The errors a dialect words the body problems in; `busy` and `stalled` default to catalogue errors it already maps. */
export interface BodyRefusals {
  tooLarge: (limit: number) => Error;
  busy?: (message: string) => Error;
  stalled?: (message: string) => Error;
}

/** A busy or stalled read in the dialect's words (TOO_MANY_REQUESTS / INVALID_REQUEST unless it says otherwise). */
export function bodyRefusal(e: unknown, refusals: Omit<BodyRefusals, 'tooLarge'>): unknown {
  if (!(e instanceof BodyReadError)) return e;
  if (e.problem === 'busy') return refusals.busy?.(e.message) ?? new RegistryError('TOO_MANY_REQUESTS', e.message);
  return refusals.stalled?.(e.message) ?? new RegistryError('INVALID_REQUEST', e.message);
}

/** readBody for a dialect's small JSON or form bodies: the bytes, or the dialect's own error thrown. */
export async function readBodyWithin(
  req: IncomingMessage,
  limit: number,
  refusals: BodyRefusals | ((limit: number) => Error),
  options: ReadOptions = {},
): Promise<Buffer> {
  const words = typeof refusals === 'function' ? { tooLarge: refusals } : refusals;
  let body: Buffer | 'too-large';
  try {
    body = await readBody(req, limit, options);
  } catch (e) {
    throw bodyRefusal(e, words);
  }
  if (body === 'too-large') throw words.tooLarge(limit);
  return body;
}
