// Every dialect answers a failure the same way and differs only in its words: this is the one error handler, and a
// dialect passes its own error type, its map of the catalogue and its envelope. Written once so a rule (a client that
// hung up is no server fault, a half-read body closes the connection, faults are logged) cannot drift per dialect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRegistryError, type RegistryError } from '../../core/index.ts';

/** How one dialect words failures. `E` is its wire error (RegistryError itself for OCI and the berth API). */
export interface DialectErrors<E> {
  /** The dialect's own error type, already in its words (absent when it throws only RegistryError). */
  isOwn?: (error: unknown) => error is E;
  /** A catalogue error in the dialect's words (through its `Record<ErrorCode, ...>` map). */
  fromRegistry(error: RegistryError): E;
  /** Its "bad request": Fastify's own 4xx refusals and requests the client abandoned. */
  badRequest(message: string): E;
  /** Its generic "internal error", for anything unexpected (the details go to the log, not the client). */
  internal(): E;
  send(req: FastifyRequest, reply: FastifyReply, error: E): void;
}

/**
 * Whether the client really hung up: the body stream was cut before its end (readableAborted), or the connection is
 * gone before the answer (socket or response destroyed). Not `req.raw.destroyed`: Node destroys a request stream once
 * its body has been read to the end, so that flag alone turned every later server fault into a "client abort".
 */
export function clientWentAway(req: FastifyRequest, reply: FastifyReply): boolean {
  return req.raw.readableAborted || req.raw.socket?.destroyed === true || reply.raw.destroyed;
}

/** What the shared handler answers for `error`; `fault` marks a server fault to log (exported for tests). */
export function classify<E>(words: DialectErrors<E>, error: unknown, wentAway: boolean): { answer: E; fault: boolean; gone: boolean } {
  if (words.isOwn?.(error)) return { answer: error as E, fault: false, gone: false };
  // INTERNAL is a server fault whatever threw it: logged, and its message (a key file's state, say) stays in the log.
  if (isRegistryError(error) && error.code !== 'INTERNAL') return { answer: words.fromRegistry(error), fault: false, gone: false };
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { answer: words.badRequest((error as Error).message), fault: false, gone: false };
  // The client hung up mid-request (e.g. a cancelled push): not a server fault, and nobody reads the answer.
  if (wentAway) return { answer: words.badRequest('request aborted by the client'), fault: false, gone: true };
  return { answer: words.internal(), fault: true, gone: false };
}

/** Sets the dialect's error handler on its (encapsulated) plugin instance. */
export function setDialectErrorHandler<E>(app: FastifyInstance, words: DialectErrors<E>): void {
  app.setErrorHandler(function dialectErrorHandler(error: unknown, req, reply) {
    // A body read partway (a store failed mid-upload) cannot be resynchronised: answer, then close the connection.
    if (req.raw.readableDidRead && !req.raw.complete && !req.raw.destroyed) reply.header('connection', 'close');
    const { answer, fault, gone } = classify(words, error, clientWentAway(req, reply));
    if (gone) req.log.info({ method: req.method, url: req.url }, 'client went away');
    if (fault) req.log.error({ err: error, method: req.method, url: req.url }, 'request failed');
    words.send(req, reply, answer);
  });
}
