// A request the router cannot decode (a broken %-escape, invalid UTF-8) never reaches a dialect, nor does one Node's
// parser refuses (headers not complete within requests.headersTimeout, too large, malformed): this answers both in the
// dialect the request belongs to (from the dialect list), in that dialect's error shape, never Fastify's own body.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dialectFor } from './dialect-of.ts';
import type { WireAnswer } from './dialects.ts';
import { ociEnvelope } from './oci/errors.ts';

/**
 * `message` in the shape of the dialect `url` belongs to; paths no dialect claims get the registry's (OCI) envelope.
 * `framing`: the request itself is broken, not its name, so OCI says UNSUPPORTED rather than its bad-URL NAME_INVALID.
 */
function answerIn(url: string, headers: FastifyRequest['headers'], message: string, framing = false): WireAnswer {
  const dialect = dialectFor(url, headers);
  return dialect === null || (framing && dialect.name === 'oci') ? { body: JSON.stringify(ociEnvelope('UNSUPPORTED', message)) } : dialect.badUrl(message);
}

/** The answer for a bad target `url`. */
export function badUrlAnswer(url: string, headers: FastifyRequest['headers'], reason: string): WireAnswer {
  return answerIn(url, headers, `the request target is not a valid URL: ${reason.slice(0, 200)}`);
}

export function answerBadUrl(error: Error, req: FastifyRequest, reply: FastifyReply): void {
  const answer = badUrlAnswer(req.raw.url ?? '/', req.headers, error.message);
  reply
    .code(400)
    .header('content-type', 'application/json')
    .headers(answer.headers ?? {})
    .send(answer.body);
}

/** The request line and headers of a raw head, as far as they arrived (bounded), to tell the dialect. */
function partialHead(raw: unknown): { url: string; headers: Record<string, string> } {
  const text = Buffer.isBuffer(raw) ? raw.subarray(0, 16 * 1024).toString('latin1') : '';
  const lines = text.split('\r\n');
  const url = /^[A-Z]{1,16} (\/\S{0,8192}) HTTP\/1\.[01]$/.exec(lines[0] ?? '')?.[1] ?? '/';
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1, 101)) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}):[ \t]*(.*)$/.exec(line);
    if (m) headers[m[1]!.toLowerCase()] = m[2]!.trim();
  }
  return { url, headers };
}

/** What Node's parser refused, as a status and a sentence. */
function clientErrorOf(err: { code?: string }, headersTimeoutMs: number): { status: number; message: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: `the request headers were not complete within ${headersTimeoutMs / 1000} s` };
  if (err.code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'the request headers are too large' };
  return { status: 400, message: `the request is not valid HTTP/1.1${err.code ? ` (${err.code})` : ''}` };
}

/**
 * Fastify's clientErrorHandler: answers what Node's parser refused (a slowloris cut by headersTimeout, malformed
 * framing, oversized headers) in the error shape of the dialect the request line names, when it arrived, else the
 * registry's; then closes, as Node and Fastify do (the connection cannot be resynchronised).
 */
export function answerClientError(headersTimeoutMs: number) {
  return function clientError(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
    // A reset connection, or one already gone: nobody to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const { status, message } = clientErrorOf(err, headersTimeoutMs);
      const head = partialHead(err.rawPacket);
      const answer = answerIn(head.url, head.headers, message, true);
      const headers = { 'content-type': 'application/json', ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)), connection: 'close' };
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${lines.join('')}\r\n${answer.body}`);
    }
    socket.destroy(err);
  };
}
