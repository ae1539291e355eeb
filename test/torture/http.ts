// HTTP for the torture clients: one request at a time against whatever berth process is current, with the outcome
// classified the way a careful client must: an answer (any status), or "unknown" when the connection broke and
// the request may or may not have taken effect.
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import type { TortureTarget } from './target.ts';

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The first error code of an OCI error envelope, if the body is one. */
  code: string | undefined;
}

/** The connection broke (server killed, refused while restarting): the request may or may not have happened. */
export class UnknownOutcome extends Error {
  /** Whether the server was killed since the request started; false means a failure nobody caused on purpose. */
  readonly killed: boolean;

  constructor(message: string, killed: boolean) {
    super(message);
    this.killed = killed;
  }
}

export interface Exchange {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path ("/v2/...") or a Location the server gave (relative or absolute). */
  target: string;
  body?: Buffer;
  headers?: Record<string, string>;
  /** Send to this process instead of the target's URL (per-replica readings such as /metrics). */
  base?: string;
}

/** A 5xx seen by a client: never acceptable, so every one is kept for the report. */
export interface ServerError {
  at: number;
  method: string;
  path: string;
  status: number;
  body: string;
}

export class TortureHttp {
  readonly #server: TortureTarget;
  readonly #agent = new Agent({ connections: 32, keepAliveTimeout: 10_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  readonly serverErrors: ServerError[] = [];
  /** Connection failures while nobody had killed the server. */
  readonly unexplained: string[] = [];
  requests = 0;

  constructor(server: TortureTarget) {
    this.#server = server;
  }

  async send(x: Exchange): Promise<Answer> {
    await this.#server.waitUp();
    const kills = this.#server.kills;
    let base: string;
    try {
      base = x.base ?? this.#server.url();
    } catch {
      throw new UnknownOutcome(`${x.method} ${x.target}: berth is down`, true);
    }
    // Locations are paths on whichever process is current: the session lives in the shared stores.
    const path = /^https?:\/\//.test(x.target) ? new URL(x.target).pathname + new URL(x.target).search : x.target;
    this.requests++;
    try {
      const headers: Record<string, string> = { ...(x.headers ?? {}) };
      if (x.body !== undefined) headers['content-length'] = String(x.body.length);
      else if (x.method === 'PUT' || x.method === 'POST' || x.method === 'PATCH') headers['content-length'] = '0';
      const r = await request(`${base}${path}`, { method: x.method, body: x.body, headers, dispatcher: this.#agent });
      const body = Buffer.from(await r.body.arrayBuffer());
      const answer: Answer = { status: r.statusCode, headers: r.headers, body, code: errorCode(body) };
      if (r.statusCode >= 500) {
        this.serverErrors.push({ at: Date.now(), method: x.method, path, status: r.statusCode, body: body.toString('utf8').slice(0, 500) });
      }
      return answer;
    } catch (e) {
      // A reading aimed at one process (x.base) may have been addressed from a list of processes taken just before that
      // process was killed: it cannot tell a kill from a fault, and it is only a reading, so it never counts as one.
      const killed = this.#server.kills !== kills || !this.#server.isUp() || x.base !== undefined;
      const message = `${x.method} ${path}: ${(e as Error).message}`;
      if (!killed) this.unexplained.push(message);
      throw new UnknownOutcome(message, killed);
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function errorCode(body: Buffer): string | undefined {
  if (body.length === 0 || body[0] !== 0x7b) return undefined;
  try {
    return (JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string }> }).errors?.[0]?.code;
  } catch {
    return undefined;
  }
}

export const header = (a: Answer, name: string): string | undefined => {
  const v = a.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
