// Raw HTTP/1.1 exchanges over a socket for the body-limit attack tests: what berth answers to framing no client
// library would send (pipelining, lying lengths, cut bodies), read until the server closes.
import { connect } from 'node:net';

export interface RawOptions {
  /** Destroy (or reset, with `reset`) the connection this long after writing. */
  leaveAfterMs?: number;
  reset?: boolean;
  /** Keep the client side open while the server half-closes (curl does). */
  allowHalfOpen?: boolean;
  /** Give up waiting for the server to close after this long. */
  waitMs?: number;
}

/** Writes `data` on a fresh connection and resolves with everything the server sent until it closed. */
export function exchange(url: string, data: Array<string | Buffer>, o: RawOptions = {}): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ port: Number(u.port), host: u.hostname, allowHalfOpen: o.allowHalfOpen ?? false });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(text));
    s.on('connect', () => {
      for (const d of data) s.write(d);
      if (o.leaveAfterMs !== undefined) setTimeout(() => (o.reset ? s.resetAndDestroy() : s.destroy()), o.leaveAfterMs);
    });
    setTimeout(() => s.destroy(), o.waitMs ?? 5_000).unref();
  });
}

export const headOf = (method: string, path: string, headers: Record<string, string>): string =>
  `${method} ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

/** Status lines of every answer in `text`. */
export const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
