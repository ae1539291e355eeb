// The e2e helpers' Client over one undici keep-alive pool, so load tools reuse the dialects' signers (ecrRaw, acrRaw,
// ncr, swrRaw all take a Client) while connections stay open as real clients keep them, instead of one per request.
import { Pool } from 'undici';
import { Client, type ReqOptions, type Res } from '../e2e/oci-helpers.ts';

/** A Client whose requests share `connections` keep-alive connections; `close` ends them. */
export class KeepAliveClient extends Client {
  readonly pool: Pool;

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
    const r = await this.pool.request({ method: method as 'GET', path, headers, body });
    const buf = Buffer.from(await r.body.arrayBuffer());
    const text = buf.toString('utf8');
    const status = r.statusCode;
    const h = r.headers;
    return {
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
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
