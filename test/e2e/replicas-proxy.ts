// The load balancer of the scale-out tests: a round-robin HTTP proxy that sends each REQUEST (not each connection)
// to the next live replica, so consecutive PATCHes of one upload, a push and the pull after it, a delete and the GET
// after it land on different processes. Bodies stream both ways; Host is kept so berth's Locations point back here.
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request carrying this header (a replica index) goes to that replica; the header is not forwarded. */
export const PIN_HEADER = 'x-test-replica';

/** Hop-by-hop headers (RFC 9110 §7.6.1) that a proxy must not forward. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', PIN_HEADER]);

export interface Hit {
  replica: number;
  method: string;
  path: string;
  /** null when the replica never answered (killed, refused). */
  status: number | null;
}

export interface ProxyOptions {
  /** Base URLs of the replicas by index; null = out of rotation (down). */
  backends: Array<string | null>;
  /** Picks a replica for a request (e.g. pin all PATCHes of one test to replica 1); undefined = round-robin. */
  route?: (req: IncomingMessage) => number | undefined;
  /** Most hits kept for assertions (oldest dropped first). */
  maxHits?: number;
}

export class RoundRobinProxy {
  readonly #server: Server;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 128 });
  #backends: Array<string | null>;
  readonly #route: ProxyOptions['route'];
  readonly #maxHits: number;
  #next = 0;
  readonly hits: Hit[] = [];
  /** Requests sent to each replica, by index (never trimmed). */
  readonly counts: number[];
  /** Requests that failed because the chosen replica broke or refused (the client saw a cut connection). */
  upstreamFailures = 0;
  url = '';
  host = '';

  private constructor(o: ProxyOptions) {
    this.#backends = [...o.backends];
    this.#route = o.route;
    this.#maxHits = o.maxHits ?? 100_000;
    this.counts = o.backends.map(() => 0);
    this.#server = createServer((req, res) => this.#forward(req, res));
    this.#server.keepAliveTimeout = 30_000;
  }

  static async start(o: ProxyOptions): Promise<RoundRobinProxy> {
    const p = new RoundRobinProxy(o);
    await new Promise<void>((res, rej) => {
      p.#server.once('error', rej);
      p.#server.listen(0, '127.0.0.1', () => res());
    });
    const { port } = p.#server.address() as AddressInfo;
    p.host = `127.0.0.1:${port}`;
    p.url = `http://${p.host}`;
    return p;
  }

  /** Replaces replica `i`'s URL (a restart picks a new port), or takes it out of rotation with null. */
  setBackend(i: number, url: string | null): void {
    this.#backends[i] = url;
    while (this.counts.length <= i) this.counts.push(0);
  }

  get backends(): ReadonlyArray<string | null> {
    return this.#backends;
  }

  /** Hits of one replica matching a method and a path test, for "each replica saw PATCHes" checks. */
  hitsOf(replica: number, method: string, path: RegExp): Hit[] {
    return this.hits.filter((h) => h.replica === replica && h.method === method && path.test(h.path));
  }

  #pick(req: IncomingMessage): number | null {
    const pinned = req.headers[PIN_HEADER];
    const chosen = typeof pinned === 'string' && /^\d+$/.test(pinned) ? Number(pinned) : this.#route?.(req);
    if (chosen !== undefined) return this.#backends[chosen] ? chosen : null;
    const n = this.#backends.length;
    for (let k = 0; k < n; k++) {
      const i = this.#next++ % n;
      if (this.#backends[i]) return i;
    }
    return null;
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const replica = this.#pick(req);
    if (replica === null) {
      // Nothing to send it to: what an LB with every backend down does, bounded and visible.
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('no replica is up\n');
      return;
    }
    const target = new URL(req.url ?? '/', this.#backends[replica]!);
    const hit: Hit = { replica, method: req.method ?? 'GET', path: req.url ?? '/', status: null };
    this.counts[replica]!++;
    if (this.hits.length >= this.#maxHits) this.hits.splice(0, this.hits.length - this.#maxHits + 1);
    this.hits.push(hit);
    const upstream = httpRequest({
      agent: this.#agent,
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: strip(req.headers),
    });
    const fail = (): void => {
      this.upstreamFailures++;
      // A replica that dies mid-request cuts the client's connection, as a TCP load balancer would: the outcome is unknown.
      res.destroy();
      req.destroy();
    };
    upstream.on('error', fail);
    upstream.on('response', (up) => {
      hit.status = up.statusCode ?? null;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, strip(up.headers));
      up.on('error', fail);
      up.pipe(res);
    });
    req.on('error', () => upstream.destroy());
    // The client went away before the answer was complete: stop the replica's work too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((res) => this.#server.close(() => res()));
    this.#agent.destroy();
  }
}

function strip(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k) && v !== undefined) out[k] = v;
  return out;
}
