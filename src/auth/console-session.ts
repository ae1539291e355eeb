// Web console session tokens: short-lived JWTs of their own kind (own `typ`, audience and a signing key derived apart
// from the registry tokens' key), so a console token opens nothing but /berth/v1 and no registry token passes for one.
import { hkdfSync, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { RegistryError } from '../core/index.ts';

/** The JWT `typ` header of console session tokens; registry and login tokens say "JWT". */
export const CONSOLE_TOKEN_TYPE = 'berth-console+jwt';
/** Never a token service name (auth.service) nor the login tokens' audience, so the kinds never mix. */
export const CONSOLE_AUDIENCE = 'berth-console';
const ISSUER = 'berth';
// Lets a token minted on one replica be used at once on another whose clock is a little behind.
const NOT_BEFORE_SLACK_SECONDS = 5;
const MAX_KEY_ID = 128;

export interface ConsoleTokenOptions {
  /** The server's token key (token.key, shared by replicas); console tokens are signed with a key derived from it. */
  tokenKey: Uint8Array;
  /** Lifetime of one token (config console.sessionTtl). */
  ttlSeconds: number;
  /** Absolute age after which a session can no longer be refreshed (config console.sessionMaxAge). */
  maxAgeSeconds: number;
  /** Injected clock for tests; default the system clock. */
  now?: (() => Date) | undefined;
}

/** What a genuine, unexpired console token says; the key it names may still be gone (callers look it up). */
export interface ConsoleClaims {
  keyId: string;
  /** One id for the whole session, kept across refreshes (for logs and audit detail). */
  sessionId: string;
  /** When the user logged in: the session's age counts from here, across refreshes. */
  startedAt: Date;
  issuedAt: Date;
  expiresAt: Date;
}

export interface IssuedConsoleToken {
  token: string;
  claims: ConsoleClaims;
  /** When the session ends for good: startedAt + the maximum age; no refresh is accepted after it. */
  endsAt: Date;
}

/** The signing key of console tokens: HKDF of the token key, so a registry token's signature never verifies here. */
function consoleKey(tokenKey: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', tokenKey, new Uint8Array(0), 'berth console session token v1', 32));
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

export class ConsoleTokens {
  readonly #key: Uint8Array;
  readonly #ttl: number;
  readonly #maxAge: number;
  readonly #now: () => Date;

  constructor(o: ConsoleTokenOptions) {
    if (o.tokenKey.length < 32) throw new RegistryError('INTERNAL', `the token key must be at least 32 bytes (got ${o.tokenKey.length})`);
    for (const [what, value] of [
      ['session lifetime', o.ttlSeconds],
      ['session maximum age', o.maxAgeSeconds],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RegistryError('INTERNAL', `console ${what} must be a positive whole number of seconds (got ${value})`);
    }
    this.#key = consoleKey(o.tokenKey);
    this.#ttl = o.ttlSeconds;
    this.#maxAge = o.maxAgeSeconds;
    this.#now = o.now ?? (() => new Date());
  }

  /** A token for a new session of `keyId`, starting now. */
  start(keyId: string): Promise<IssuedConsoleToken> {
    const now = this.#now();
    return this.#sign(keyId, randomUUID(), new Date(seconds(now) * 1000), now);
  }

  /**
   * A fresh token for the session `claims` belongs to, or null once the session has reached its maximum age. A new
   * token never outlives the session, so the maximum age holds even for the last token issued.
   */
  async refresh(claims: ConsoleClaims): Promise<IssuedConsoleToken | null> {
    const now = this.#now();
    if (seconds(now) >= seconds(claims.startedAt) + this.#maxAge) return null;
    return this.#sign(claims.keyId, claims.sessionId, claims.startedAt, now);
  }

  async #sign(keyId: string, sessionId: string, startedAt: Date, now: Date): Promise<IssuedConsoleToken> {
    const iat = seconds(now);
    const end = seconds(startedAt) + this.#maxAge;
    const exp = Math.min(iat + this.#ttl, end);
    const token = await new SignJWT({ sid: sessionId, sst: seconds(startedAt) })
      .setProtectedHeader({ alg: 'HS256', typ: CONSOLE_TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setSubject(keyId)
      .setAudience(CONSOLE_AUDIENCE)
      .setIssuedAt(iat)
      .setNotBefore(iat - NOT_BEFORE_SLACK_SECONDS)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.#key);
    const claims: ConsoleClaims = { keyId, sessionId, startedAt, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
    return { token, claims, endsAt: new Date(end * 1000) };
  }

  /** The claims of a genuine, unexpired console token; null for anything else (registry and login tokens included). */
  async verify(token: string): Promise<ConsoleClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        typ: CONSOLE_TOKEN_TYPE,
        issuer: ISSUER,
        audience: CONSOLE_AUDIENCE,
        currentDate: this.#now(),
        requiredClaims: ['sub', 'exp', 'iat', 'sid', 'sst'],
      });
      const { sub, sid, sst, iat, exp } = payload;
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_KEY_ID) return null;
      if (typeof sid !== 'string' || typeof sst !== 'number' || !Number.isInteger(sst) || iat === undefined || exp === undefined) return null;
      // A session start in the future, or past the maximum age, is not one this server issued: refuse it outright.
      if (sst > iat || exp > sst + this.#maxAge) return null;
      return { keyId: sub, sessionId: sid, startedAt: new Date(sst * 1000), issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
    } catch {
      return null;
    }
  }

  /** When a session started at `startedAt` ends for good. */
  endOf(startedAt: Date): Date {
    return new Date((seconds(startedAt) + this.#maxAge) * 1000);
  }
}
