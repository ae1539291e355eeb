// Raw-socket clients that misbehave on purpose (stalled or trickling bodies, unfinished headers), for the body-limit
// tests and the slow-connection load tool: each reports what the server answered and when it closed the connection.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './ecr-helpers.ts';
import type { Key } from './key-helpers.ts';

/** Short body timeouts and a budget of 4 places, so the body-limit tests see every bound within seconds. */
export const SHORT_BODY_LIMITS = {
  BERTH_REQUESTS_BODY_IDLE_TIMEOUT: '1s',
  BERTH_REQUESTS_BODY_RATE_WINDOW: '1s',
  BERTH_REQUESTS_BODY_MIN_RATE: '2KiB',
  BERTH_REQUESTS_HEADERS_TIMEOUT: '1s',
  BERTH_REQUESTS_UNVERIFIED_BODIES: '4',
};

export interface HeldConnection {
  /** The status line's code of the first answer, or null when the server closed without one. */
  status: Promise<number | null>;
  /** Milliseconds from opening until the server closed the connection (or it broke). */
  closed: Promise<number>;
  /** The answer's head and the start of its body, as received. */
  received(): string;
  /** Bytes of the body written so far. */
  sent(): number;
  destroy(): void;
}

export interface HoldOptions {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Content-Length to declare; the body is never finished (at most declared - 1 bytes are sent) unless `complete`. */
  declared: number;
  /** Trickle on to the whole declared body (a slow but honest client). */
  complete?: boolean;
  /** Body bytes to send at once. */
  initial: number;
  /** Then this many bytes every `everyMs` (bounded by declared - 1). */
  trickle?: { bytes: number; everyMs: number };
  /** Send only the request line and these many header bytes, then stall (a slowloris); no body. */
  headersOnly?: boolean;
  /** Connect from this local address (another loopback address is another client to berth). */
  from?: string;
}

/** Opens a connection to `url` that sends the head (or part of it) and part of a body, then stalls or trickles. */
export function hold(url: string, o: HoldOptions): HeldConnection {
  const u = new URL(url);
  const started = Date.now();
  const socket: Socket = connect({ host: u.hostname, port: Number(u.port), ...(o.from ? { localAddress: o.from } : {}) });
  let text = '';
  let written = 0;
  let timer: NodeJS.Timeout | undefined;
  const status = new Promise<number | null>((resolve) => {
    socket.on('data', (d: Buffer) => {
      if (text.length < 4096) text += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    socket.on('close', () => resolve(null));
  });
  const closed = new Promise<number>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    });
  });
  socket.on('error', () => undefined);
  const headers = { host: u.host, ...o.headers, ...(o.headersOnly ? {} : { 'content-length': String(o.declared) }) };
  const head = `${o.method} ${o.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}`;
  if (o.headersOnly) socket.write(head);
  else {
    socket.write(`${head}\r\n`);
    const last = o.complete ? o.declared : o.declared - 1;
    const first = Math.min(o.initial, last);
    // Written in 64 KiB pieces so a server that stops reading holds the rest in this process, not in one huge write.
    for (let at = 0; at < first; at += 65_536) socket.write(Buffer.alloc(Math.min(65_536, first - at), 0x61));
    written = first;
    if (o.trickle) {
      const { bytes, everyMs } = o.trickle;
      timer = setInterval(() => {
        const n = Math.min(bytes, last - written);
        if (n <= 0 || socket.destroyed) return clearInterval(timer);
        written += n;
        socket.write(Buffer.alloc(n, 0x62));
      }, everyMs);
    }
  }
  return {
    status,
    closed,
    received: () => text,
    sent: () => written,
    destroy: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** SigV4 headers of an ECR call by `key` over `body` (by default a body berth will never see whole: its hash is of another). */
export async function ecrSignedHeaders(url: string, key: Key, op = 'DescribeRegistry', body = '{}'): Promise<Record<string, string>> {
  const u = new URL(url);
  const headers = { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${op}` };
  const signer = new SignatureV4({
    service: 'ecr',
    region: 'us-east-1',
    sha256: NodeSha256,
    applyChecksum: false,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
  });
  const request = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', headers, body });
  const signed = await signer.sign(request, { signingDate: new Date() });
  return signed.headers as Record<string, string>;
}

/** The resident set of a process in bytes (Linux /proc), for bounding what misbehaving clients make berth hold. */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** Waits for every connection to be closed by the server, or `limitMs`; returns the close times (ms) and the stragglers. */
export async function closeTimes(held: readonly HeldConnection[], limitMs: number): Promise<{ times: number[]; open: number }> {
  const times: number[] = [];
  let open = 0;
  await Promise.all(
    held.map(async (h) => {
      const t = await Promise.race([h.closed, new Promise<null>((r) => setTimeout(() => r(null), limitMs).unref())]);
      if (t === null) open++;
      else times.push(t);
    }),
  );
  return { times, open };
}
