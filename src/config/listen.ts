// Parses the listen address once, strictly, and knows which hosts are loopback: the line between "open by default" and "auth required".
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface ListenAddress {
  /** Without brackets: "127.0.0.1", "::1", "localhost". */
  host: string;
  port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const LISTEN_HINT = 'expected HOST:PORT, e.g. "127.0.0.1:5000", "[::1]:5000" or "0.0.0.0:5000" (port 0 = any free port)';

/** "HOST:PORT" or "[IPv6]:PORT" into parts; throws a RangeError naming the input and what is wrong. */
export function parseListen(listen: string): ListenAddress {
  const fail = (why: string): never => {
    throw new RangeError(`invalid listen address ${JSON.stringify(listen)}: ${why}`);
  };
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(listen);
  const plain = bracketed ? null : /^([^:[\]]*):([^:]*)$/.exec(listen);
  const m = bracketed ?? plain;
  if (!m) {
    return fail(listen.split(':').length > 2 && !listen.startsWith('[') ? `IPv6 addresses need brackets, e.g. "[::1]:5000"` : LISTEN_HINT);
  }
  const host = m[1]!;
  const portText = m[2]!;
  if (bracketed ? !isIPv6(host) : !(isIPv4(host) || (HOSTNAME.test(host) && !/^[\d.]+$/.test(host)))) {
    fail(host === '' ? `missing host; ${LISTEN_HINT}` : `"${host}" is not a valid ${bracketed ? 'IPv6 address' : 'IPv4 address or host name'}`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) fail(`port must be 0-65535; ${LISTEN_HINT}`);
  return { host, port: Number(portText) };
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 (in any spelling, also IPv4-mapped 127.x) and "localhost"; any other name may resolve anywhere. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  try {
    if (isIPv4(h)) return LOOPBACK.check(h, 'ipv4');
    if (isIPv6(h)) return LOOPBACK.check(h, 'ipv6');
  } catch {
    return false; // e.g. a zone id BlockList cannot read: such link-local addresses are not loopback anyway
  }
  return false;
}
