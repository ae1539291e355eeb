// Reads small bodies (manifests, JSON APIs) with a hard size limit, a watchdog and, for senders not yet verified, a
// place in the global budget (body-guard.ts): what a stranger can make berth hold stays small and bounded.
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../../core/index.ts';
import { guardOf, stallMessage } from './body-guard.ts';
import { noteStreamed } from './memory-relief.ts';

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

/** Per-request marks as properties of the request, not WeakMap entries (see attachGuard in body-guard.ts). */
const CONTINUED = Symbol('berth.continued');
const HELD = Symbol('berth.heldUntilVerified');
type Marked = IncomingMessage & { [CONTINUED]?: true; [HELD]?: () => void };

/**
 * Tells a client that sent `Expect: 100-continue` to send its body, now that berth is about to read it. Node would say
 * so on arrival, before berth looked at the headers (server.ts turns that off): a caller refused from its headers (no
 * credentials, an unknown key, a full budget or queue) was told to send its body for nothing.
 */
function continueIfExpected(req: IncomingMessage): void {
  const res = guardOf(req)?.res;
  if (!res || res.headersSent || (req as Marked)[CONTINUED] || !/(?:^|[\s,])100-continue(?:$|[\s,;])/i.test(String(req.headers.expect ?? ''))) return;
  (req as Marked)[CONTINUED] = true;
  res.writeContinue();
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
  // The client left before berth got to its body (e.g. while a token was checked): no 'end', 'error' or 'close' will
  // come any more, so waiting would hold a place in the budget (and the handler) until the watchdog, or forever.
  if (req.destroyed) throw goneError();
  const attached = guardOf(req);
  let release: (() => void) | null = null;
  if (attached && (options.trust !== 'verified' || attached.guard.authOff) && declared !== 0) {
    release = attached.guard.tryReserve(declared ?? limit, attached.client);
    if (!release) {
      closeAfterAnswer(req);
      attached.res.setHeader('retry-after', '1');
      throw new BodyReadError('busy', 'too many request bodies from unverified callers are being read; retry later');
    }
  }
  let body: Buffer | 'too-large';
  try {
    // A body in the budget is gathered into one buffer of its declared size (the budget counts it once); a verified
    // caller's is gathered as it comes, so declaring a large body and sending nothing reserves no memory.
    body = await collect(req, limit, release ? declared : null);
  } catch (e) {
    release?.();
    throw e;
  }
  if (release) {
    // A signed body is still unverified once read (its signature over it is checked next): it keeps its place until
    // the handler says its sender is verified (senderVerified), or else until the answer, so the budget bounds what
    // strangers make berth hold, not only what is in transit. A body counted only because auth is off is done with.
    if (body === 'too-large' || options.trust === 'verified' || attached!.res.closed) release();
    else {
      const once = release;
      attached!.res.once('close', once);
      (req as Marked)[HELD] = () => {
        attached!.res.off('close', once);
        once();
      };
    }
  }
  return body;
}

/**
 * The handler checked the signature over the body `req` carried: its sender is verified, and its place in the
 * unverified budget is given back now rather than with the answer. Nothing when it held none.
 */
export function senderVerified(req: IncomingMessage): void {
  const release = (req as Marked)[HELD];
  delete (req as Marked)[HELD];
  release?.();
}

/** What a read of a body whose client went away rejects with (the error handler sees `readableAborted`: no fault). */
function goneError(): Error {
  return new Error('request aborted');
}

/**
 * Gathers the body. Given `intoLength` (the declared length), the bytes go straight into one buffer of that size, so
 * the body costs its length once: gathering chunks and concatenating them held it twice at the end, while the budget
 * counts it once. The socket's read buffers become garbage as they are copied; the minor GCs of memory-relief.ts
 * (every 4 MiB streamed) give them back before they pile up.
 */
function collect(req: IncomingMessage, limit: number, intoLength: number | null): Promise<Buffer | 'too-large'> {
  const attached = guardOf(req);
  continueIfExpected(req);
  return new Promise((resolve, reject) => {
    const into = intoLength !== null && intoLength <= limit ? Buffer.allocUnsafe(intoLength) : null;
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (): void => {
      stop();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      noteStreamed(chunk.length);
      if (total + chunk.length > limit) {
        finish();
        req.pause();
        closeAfterAnswer(req);
        resolve('too-large');
        return;
      }
      // Node's parser never hands over more than Content-Length bytes; should it, they are gathered as chunks.
      if (into && total + chunk.length <= into.length) chunk.copy(into, total);
      else chunks.push(chunk);
      total += chunk.length;
    };
    const onEnd = (): void => {
      finish();
      if (into) resolve(total === into.length ? into : Buffer.concat([into.subarray(0, total), ...chunks]));
      else resolve(Buffer.concat(chunks, total));
    };
    const onError = (e: Error): void => {
      finish();
      reject(e);
    };
    const onAborted = (): void => onError(goneError());
    // Closed without an end or an error (destroyed without one): the body will never come.
    const onClose = (): void => onError(goneError());
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
    req.on('close', onClose);
  });
}

/**
 * Drops a body the route does not use. A short one is read and dropped so keep-alive stays in sync; one declared
 * larger than `keepUpTo` (or of unknown length) is not drained: the connection closes after the answer.
 */
export async function discardBody(req: IncomingMessage, keepUpTo = 64 * 1024): Promise<void> {
  // A destroyed request (its client gone) emits nothing more: waiting for its end would never return.
  if (req.readableEnded || req.complete || req.destroyed) return;
  const declared = declaredLength(req);
  if (declared === null || declared > keepUpTo) {
    closeAfterAnswer(req);
    return;
  }
  const attached = guardOf(req);
  await new Promise<void>((resolve) => {
    const settle = (keepAlive: boolean): void => {
      stop();
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      // Drained to its end, the connection stays in sync (a 'close' always follows the 'end': it must not count as a
      // cut); stalled or cut, it cannot be reused.
      if (!keepAlive) closeAfterAnswer(req);
      resolve();
    };
    const onEnd = (): void => settle(true);
    const onGone = (): void => settle(false);
    const stop = attached ? attached.guard.watch(req, onGone) : () => undefined;
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
    continueIfExpected(req);
    req.resume();
  });
}

/**
 * The body of a streamed upload, watched only while the handler reads it (an upload waiting for a slot has not started
 * iterating, so it cannot trip): a client that stalls or trickles below the minimum rate has its connection cut.
 */
export async function* watchedStream(req: IncomingMessage): AsyncIterable<Uint8Array> {
  const attached = guardOf(req);
  continueIfExpected(req);
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
