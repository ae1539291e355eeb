// A request target the router cannot decode (a broken %-escape, invalid UTF-8) never reaches a dialect; this answers
// it in the dialect its path belongs to (from the dialect list), with a 400 in that dialect's error shape.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dialectFor } from './dialect-of.ts';
import type { WireAnswer } from './dialects.ts';
import { ociEnvelope } from './oci/errors.ts';

/** The answer for a bad target `url`; paths no dialect claims get the registry's (OCI) envelope, as unknown paths do. */
export function badUrlAnswer(url: string, headers: FastifyRequest['headers'], reason: string): WireAnswer {
  const message = `the request target is not a valid URL: ${reason.slice(0, 200)}`;
  const dialect = dialectFor(url, headers);
  return dialect === null ? { body: JSON.stringify(ociEnvelope('UNSUPPORTED', message)) } : dialect.badUrl(message);
}

export function answerBadUrl(error: Error, req: FastifyRequest, reply: FastifyReply): void {
  const answer = badUrlAnswer(req.raw.url ?? '/', req.headers, error.message);
  reply
    .code(400)
    .header('content-type', 'application/json')
    .headers(answer.headers ?? {})
    .send(answer.body);
}
