// Tells a PostgreSQL that is unreachable or overloaded (the dialects answer 503 + Retry-After) from a genuine bug
// (stays an error), and a serialization conflict (the transaction is simply run again) from both.
import { RegistryError } from '../../../core/index.ts';

/** Socket-level failures: the server is down, restarting, or the network dropped the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * SQLSTATEs of an unavailable or overloaded server: class 08 (connection exception), 53 (insufficient resources: too
 * many connections, out of memory or disk), 57P01-57P05 (shutdown, crash recovery, "cannot connect now", idle
 * timeouts), 57014 (statement cancelled by a timeout), 55P03 (lock_timeout: the writers' queue is stuck), 25P03
 * (idle-in-transaction timeout), 25006 (read-only transaction: a standby or demoted primary) and 58 (system error, I/O).
 */
function unavailableState(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    code.startsWith('58') ||
    /^57P0[1-5]$/.test(code) ||
    code === '57014' ||
    code === '55P03' ||
    code === '25P03' ||
    // A read-only server (a hot standby, or a primary demoted in a failover) cannot take writes now: retry later.
    code === '25006'
  );
}

/** Messages node-postgres gives without a code when a connection dies or the pool cannot hand one out in time. */
const NETWORK_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed|connect ETIMEDOUT|Query read timeout/i;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLSTATEs after which the whole transaction may safely run again: it was rolled back and changed nothing. */
export function isSerializationConflict(err: unknown): boolean {
  const code = codeOf(err);
  return code === '40001' || code === '40P01';
}

export function isUnavailable(err: unknown): boolean {
  if (err instanceof RegistryError) return err.code === 'UNAVAILABLE';
  const code = codeOf(err);
  if (code !== undefined && (NETWORK_CODES.has(code) || unavailableState(code))) return true;
  // AggregateError (several addresses refused) carries the codes on its members.
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  return err instanceof Error && NETWORK_MESSAGES.test(err.message);
}

/**
 * Text PostgreSQL cannot store (a NUL character, SQLSTATE 22021; SQLite stores it): bad input, never a 5xx. It can
 * only come from free text a client sent (a pin reason, a repository policy, a resource tag).
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/**
 * The error to throw: RegistryError('UNAVAILABLE') for an unreachable or overloaded server, INVALID_REQUEST for text
 * that cannot be stored, the error itself otherwise.
 */
export function translate(err: unknown): unknown {
  if (err instanceof RegistryError) return err;
  if (UNSTORABLE_TEXT.has(codeOf(err) ?? '')) return new RegistryError('INVALID_REQUEST', 'text with a NUL character cannot be stored');
  if (!isUnavailable(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new RegistryError('UNAVAILABLE', `PostgreSQL metadata store unavailable: ${detail}`, { backend: 'postgres', code: codeOf(err) ?? null });
}
