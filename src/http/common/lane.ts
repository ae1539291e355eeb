// A dialect's hottest reads answered on Node's own request and response, before Fastify builds its request, reply,
// child logger and hook chain for them: on a cached manifest GET that machinery was most of berth's own cost.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A successful answer, written as it is; the lane's dialect adds every header its Fastify route would. */
export interface LaneAnswer {
  status: 200;
  headers: Readonly<Record<string, string | number>>;
  /** Null for HEAD. */
  body: Buffer | null;
}

/**
 * What a dialect answers without Fastify. Null (at once or after its reads) means "not mine": the request then goes
 * through Fastify from the start, so a refusal, an error or anything unusual gets the dialect's usual answer. A lane
 * therefore only reads (access check, cached lookups) and records what a success records; it never writes to `res`.
 */
export type Lane = (req: IncomingMessage) => Promise<LaneAnswer | null> | null;

/**
 * Only bodiless GET and HEAD requests with a plain, short target are a lane's: no body means no body guard, no
 * unread rest and no 100-continue, and a target without "%" or anything past 1 KiB is routed alike by both paths.
 */
export function laneMayTake(req: IncomingMessage): boolean {
  const h = req.headers;
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    h['content-length'] === undefined &&
    h['transfer-encoding'] === undefined &&
    h.expect === undefined &&
    req.url !== undefined &&
    req.url.length <= 1024 &&
    !req.url.includes('%')
  );
}

/** A lane with the name its requests are counted under (the dialect's metric label). */
export interface NamedLane<N extends string = string> {
  name: N;
  lane: Lane;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Node's request listener: the lane `pick` names for the target answers if it can, Fastify otherwise. A lane that
 * says "not mine", or fails in any way, hands the untouched request to Fastify; `answered` counts what a lane sent,
 * as Fastify's onResponse hook counts the rest.
 */
export function laneOrFastify<N extends string>(
  pick: (url: string) => NamedLane<N> | undefined,
  fastify: Handler,
  answered: (name: N, method: string, status: number, seconds: number) => void,
): Handler {
  return (req, res) => {
    const named = laneMayTake(req) ? pick(req.url ?? '/') : undefined;
    if (!named) return fastify(req, res);
    const started = performance.now();
    const pending = named.lane(req);
    if (pending === null) return fastify(req, res);
    pending.then(
      (answer) => {
        if (answer === null) return fastify(req, res);
        try {
          res.writeHead(answer.status, answer.headers);
        } catch {
          // A header value Node refuses: nothing was sent, so Fastify answers (its error path logs it).
          return fastify(req, res);
        }
        res.end(answer.body ?? undefined);
        answered(named.name, req.method!, answer.status, (performance.now() - started) / 1000);
      },
      () => fastify(req, res),
    );
  };
}
