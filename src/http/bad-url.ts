// A request target the router cannot decode (a broken %-escape, invalid UTF-8) never reaches a dialect; this answers
// it in the dialect its path belongs to, with a 400 in that dialect's error shape (and SWR's X-Request-Id).
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { berthErrorBody } from './berth/errors.ts';
import { NcrError, badRequest as ncrBadRequest, errorBody as ncrErrorBody } from './ncr/errors.ts';
import { ociEnvelope } from './oci/errors.ts';
import { dialectOf } from './shared/metrics.ts';
import { errorBody as swrErrorBody, invalidParameter } from './swr/errors.ts';

const JSON_TYPE = 'application/json';

export function answerBadUrl(error: Error, req: FastifyRequest, reply: FastifyReply): void {
  const url = req.raw.url ?? '/';
  const message = `the request target is not a valid URL: ${error.message.slice(0, 200)}`;
  reply.code(400).header('content-type', JSON_TYPE);
  switch (dialectOf(url, req.headers)) {
    case 'swr': {
      const id = randomUUID().replaceAll('-', '');
      reply.header('x-request-id', id).send(swrErrorBody(invalidParameter(message), id));
      return;
    }
    case 'ncr': {
      const e: NcrError = ncrBadRequest(message);
      reply.send(ncrErrorBody(e));
      return;
    }
    case 'api':
      reply.send(JSON.stringify(berthErrorBody('INVALID_REQUEST', message)));
      return;
    case 'oci':
      reply.send(JSON.stringify(ociEnvelope('NAME_INVALID', message)));
      return;
    default:
      reply.send(JSON.stringify(ociEnvelope('UNSUPPORTED', message)));
  }
}
