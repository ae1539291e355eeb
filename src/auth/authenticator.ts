// Turns credentials into a principal: Basic (access key id + secret) or a Bearer JWT from the Docker token flow,
// and issues those tokens. Keys are looked up on every request (no cache, positive or negative), so a key that
// another process (the CLI) creates or removes while the server runs takes effect at once.
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { type AccessKey, type AccessKeys, type Action, RegistryError } from '../core/index.ts';
import { can, grantedAccess, type KeyPrincipal, type Principal, type TokenPrincipal } from './principal.ts';
import type { Resource, Scope } from './scope.ts';
import { openSecret, secretMatches } from './sealing.ts';
import { parseAccessClaim } from './token-claims.ts';

export interface AuthenticatorOptions {
  keys: AccessKeys;
  /** HS256 key for tokens, at least 32 bytes; shared by every replica. */
  tokenKey: Uint8Array;
  /** 32 bytes; needed only by signingKey(), which dialects with signature schemes use. */
  masterKey?: Uint8Array | undefined;
  /** The `iss` claim; default "berth". */
  issuer?: string | undefined;
  /** The default `aud` of issued tokens (the token service name). */
  service?: string | undefined;
  /** Default 300. */
  tokenTtlSeconds?: number | undefined;
  /** Injected clock for tests; default the system clock. */
  now?: (() => Date) | undefined;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  /** RFC 3339, as the Docker token spec's issued_at. */
  issuedAt: string;
}

const BASIC_RE = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i;
const BEARER_RE = /^bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)[ ]*$/i;
const MAX_KEY_ID = 128;
const LOGIN_TOKEN_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Lets a token minted on one replica be used at once on another whose clock is a little behind.
const NOT_BEFORE_SLACK_SECONDS = 5;
const ANONYMOUS_SUBJECT = 'anonymous';
/** The audience of login tokens (ECR GetAuthorizationToken passwords); never a token service name, so the two never mix. */
const LOGIN_AUDIENCE = 'berth-login';
/** ECR's docker login user name; login tokens are accepted under any user name (see verifyBasic). */
export const LOGIN_USER = 'AWS';

interface BasicCredentials {
  user: string;
  password: string;
}

function parseBasic(authorization: string): BasicCredentials | null {
  const m = BASIC_RE.exec(authorization.trim());
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon > MAX_KEY_ID || colon === decoded.length - 1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * A login token is recognised by its shape (secrets never contain dots): each cloud's docker login uses its own
 * user name ("AWS" for ECR, "<region>@<key id>" for SWR, ...), and the signed token alone says who logs in.
 */
function isLoginPassword({ user, password }: BasicCredentials): boolean {
  return user === LOGIN_USER || LOGIN_TOKEN_RE.test(password);
}

export function keyPrincipal(key: AccessKey): KeyPrincipal {
  return { kind: 'key', keyId: key.id, grants: key.grants };
}

export class Authenticator {
  readonly #keys: AccessKeys;
  readonly #tokenKey: Uint8Array;
  readonly #masterKey: Uint8Array | undefined;
  readonly #issuer: string;
  readonly #service: string | undefined;
  readonly #ttl: number;
  readonly #now: () => Date;

  constructor(o: AuthenticatorOptions) {
    if (o.tokenKey.length < 32) throw new RegistryError('INTERNAL', `the token key must be at least 32 bytes (got ${o.tokenKey.length})`);
    const ttl = o.tokenTtlSeconds ?? 300;
    if (!Number.isInteger(ttl) || ttl < 1) throw new RegistryError('INTERNAL', `token lifetime must be a positive whole number of seconds (got ${ttl})`);
    this.#keys = o.keys;
    this.#tokenKey = o.tokenKey;
    this.#masterKey = o.masterKey;
    this.#issuer = o.issuer ?? 'berth';
    this.#service = o.service;
    this.#ttl = ttl;
    this.#now = o.now ?? (() => new Date());
  }

  /** The principal for `Basic base64(keyId:secret)`, or null when malformed, unknown or wrong. Store errors propagate. */
  async verifyBasic(authorization: string): Promise<KeyPrincipal | null> {
    const basic = parseBasic(authorization);
    if (!basic) return null;
    if (isLoginPassword(basic)) return this.verifyLoginToken(basic.password);
    const key = await this.#keyWithSecret(basic);
    return key ? keyPrincipal(key) : null;
  }

  /**
   * The access key of `Basic base64(keyId:secret)` when the secret itself is given: never a login token, which is
   * a token like any other (starting a console session needs the key).
   */
  async verifyKeySecret(authorization: string): Promise<AccessKey | null> {
    const basic = parseBasic(authorization);
    return basic && !isLoginPassword(basic) ? this.#keyWithSecret(basic) : null;
  }

  async #keyWithSecret({ user, password }: BasicCredentials): Promise<AccessKey | null> {
    const key = await this.#keys.findAccessKey(user);
    // Hash and compare even for an unknown key, so response time does not tell which key ids exist.
    const matches = secretMatches(password, key?.secretHash ?? '');
    return key && matches ? key : null;
  }

  /**
   * The principal for `Bearer <jwt>` minted by issueToken for `service`: signature, issuer, audience, expiry and
   * not-before are checked, the key must still exist (a removed key's tokens die with it), and the access is
   * narrowed again to the key's grants.
   */
  async verifyBearer(authorization: string, service: string): Promise<TokenPrincipal | null> {
    const m = BEARER_RE.exec(authorization.trim());
    if (!m) return null;
    let subject: string;
    let claimed: Scope[];
    try {
      const { payload } = await jwtVerify(m[1]!, this.#tokenKey, {
        algorithms: ['HS256'],
        issuer: this.#issuer,
        audience: service,
        currentDate: this.#now(),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const access = parseAccessClaim(payload.access);
      if (typeof payload.sub !== 'string' || access === null) return null;
      subject = payload.sub;
      claimed = access;
    } catch {
      return null;
    }
    // Tokens minted while auth was off name no key; they open nothing once auth is required.
    if (subject === ANONYMOUS_SUBJECT || subject.length > MAX_KEY_ID) return null;
    const key = await this.#keys.findAccessKey(subject);
    if (!key) return null;
    return { kind: 'token', keyId: key.id, access: grantedAccess(keyPrincipal(key), claimed) };
  }

  /**
   * A token for the requested scopes narrowed to what the principal may do (never an error for ungranted
   * actions: they are left out, as Distribution's token server does). `service` is the audience; default the
   * `service` option.
   */
  async issueToken(principal: Principal, scopes: readonly Scope[], service: string | undefined = this.#service): Promise<IssuedToken> {
    if (service === undefined) throw new RegistryError('INTERNAL', 'no service name for the token audience');
    const access = grantedAccess(principal, scopes);
    const now = this.#now();
    const iat = Math.floor(now.getTime() / 1000);
    const sub = principal.kind === 'key' || principal.kind === 'token' ? principal.keyId : ANONYMOUS_SUBJECT;
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setSubject(sub)
      .setAudience(service)
      .setIssuedAt(iat)
      .setNotBefore(iat - NOT_BEFORE_SLACK_SECONDS)
      .setExpirationTime(iat + this.#ttl)
      .setJti(randomUUID())
      .sign(this.#tokenKey);
    return { token, expiresIn: this.#ttl, issuedAt: new Date(iat * 1000).toISOString() };
  }

  /**
   * A password for `docker login -u AWS` (ECR's GetAuthorizationToken): a JWT naming the key, valid `ttlSeconds`.
   * It carries no access of its own: each use looks the key up and acts with the key's grants at that moment.
   */
  async issueLoginToken(principal: Principal, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(this.#now().getTime() / 1000);
    const sub = principal.kind === 'key' || principal.kind === 'token' ? principal.keyId : ANONYMOUS_SUBJECT;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setSubject(sub)
      .setAudience(LOGIN_AUDIENCE)
      .setIssuedAt(iat)
      .setNotBefore(iat - NOT_BEFORE_SLACK_SECONDS)
      .setExpirationTime(iat + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#tokenKey);
    return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
  }

  /** The key a login token names, if the token is genuine, unexpired and the key still exists. */
  async verifyLoginToken(token: string): Promise<KeyPrincipal | null> {
    if (!LOGIN_TOKEN_RE.test(token)) return null;
    let subject: string;
    try {
      const { payload } = await jwtVerify(token, this.#tokenKey, {
        algorithms: ['HS256'],
        issuer: this.#issuer,
        audience: LOGIN_AUDIENCE,
        currentDate: this.#now(),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string') return null;
      subject = payload.sub;
    } catch {
      return null;
    }
    if (subject === ANONYMOUS_SUBJECT || subject.length > MAX_KEY_ID) return null;
    const key = await this.#keys.findAccessKey(subject);
    return key ? keyPrincipal(key) : null;
  }

  /**
   * For signature schemes (SigV4, ACS3, NAVER, Huawei): the key and its plaintext secret, so the dialect can
   * recompute the signature; null when no such key exists now.
   */
  async signingKey(keyId: string): Promise<{ principal: KeyPrincipal; secret: string } | null> {
    if (!this.#masterKey) throw new RegistryError('INTERNAL', 'the authenticator was built without the master key');
    if (keyId.length === 0 || keyId.length > MAX_KEY_ID) return null;
    const key = await this.#keys.findAccessKey(keyId);
    return key ? { principal: keyPrincipal(key), secret: openSecret(this.#masterKey, key.sealedSecret) } : null;
  }

  /** The same answer as the module's can(), here for callers that hold an Authenticator. */
  can(principal: Principal, resource: string | Resource, action: Action): boolean {
    return can(principal, resource, action);
  }
}
