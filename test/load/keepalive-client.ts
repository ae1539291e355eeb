// The e2e helpers' Client over one undici keep-alive pool, so load tools reuse the dialects' signers (ecrRaw, acrRaw,
// ncr, swrRaw all take a Client) while connections stay open as real clients keep them, instead of one per request.
// Each answer's time on the wire is kept apart from the signing that preceded it (the signers run in this thread).
import { Pool } from 'undici';
import { Client, type ReqOptions, type Res } from '../e2e/oci-helpers.ts';

/** A Client whose requests share `connections` keep-alive connections; `close` ends them. */
export class KeepAliveClient extends Client {
  readonly pool: Pool;
  /** Milliseconds from handing a request to the pool to its last body byte, per answer (signing not included). */
  readonly elapsed = new WeakMap<Res, number>();

  constructor(url: string, connections: number) {
    super(url);
    this.pool = new Pool(new URL(url).origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 120_000, bodyTimeout: 120_000 });
  }

  override async req(method: string, target: string, options: ReqOptions = {}): Promise<Res> {
    const path = /^https?:\/\//i.test(target) ? new URL(target).pathname + new URL(target).search : target;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = String(v);
    const body = options.stream !== undefined ? Buffer.concat(options.stream) : typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
    if (body === undefined && ['POST', 'PUT', 'PATCH'].includes(method) && headers['content-length'] === undefined) headers['content-length'] = '0';
    // undici sets Host itself and refuses a second one; the signers put the same host:port in theirs.
    delete headers.host;
    const started = performance.now();
    const r = await this.pool.request({ method: method as 'GET', path, headers, body });
    const buf = Buffer.from(await r.body.arrayBuffer());
    const ms = performance.now() - started;
    const text = buf.toString('utf8');
    const status = r.statusCode;
    const h = r.headers;
    const res: Res = {
      method,
      path,
      status,
      headers: h as Res['headers'],
      body: buf,
      text,
      header: (name) => {
        const v = h[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      },
      json: <T>() => JSON.parse(text) as T,
      describe: () => `${method} ${path.slice(0, 200)} -> ${status} ${text.slice(0, 300)}`,
    };
    this.elapsed.set(res, ms);
    return res;
  }

  /**
   * Opens `n` connections at once (n simultaneous GET /healthz, each holding one until answered) and says how long
   * that took. A load run calls it before its clock starts: a busy Node server accepts about one new connection per
   * event-loop turn (libuv accepts one per poll since v1.45), so clients whose first call came last in a cold start
   * measured seconds of accept queue, not the call.
   */
  async openConnections(n: number): Promise<{ connected: number; ms: number; slowestMs: number }> {
    const started = performance.now();
    const times = await Promise.all(
      Array.from({ length: n }, async () => {
        const t = performance.now();
        const r = await this.pool.request({ method: 'GET', path: '/healthz' });
        await r.body.arrayBuffer();
        if (r.statusCode !== 200) throw new Error(`GET /healthz while opening connections: ${r.statusCode}`);
        return performance.now() - t;
      }),
    );
    return { connected: this.pool.stats.connected, ms: performance.now() - started, slowestMs: Math.max(0, ...times) };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
