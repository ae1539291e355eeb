// Who is calling and what may they do: Basic credentials (access key id + secret) or a Bearer JWT from the
// Docker token flow. Keys are looked up on every request, so a key created or removed by another process
// (the CLI while the server runs) takes effect at once.
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { AccessKeys, Action, Grant } from '../core/index.ts';
import { allowedActions, allows } from './grants.ts';
import { secretMatches } from './secrets.ts';

export interface Scope {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

export type Principal =
  | { kind: 'anonymous-admin' }
  | { kind: 'key'; keyId: string; grants: Grant[] }
  | { kind: 'token'; keyId: string; access: Scope[] };

export interface AuthenticatorOptions {
  keys: AccessKeys;
  tokenKey: Uint8Array;
  issuer: string;
  tokenTtlSeconds: number;
  now?: () => Date;
}

/** "repository:team/app:pull,push" or "registry:catalog:*"; null for anything else. */
export function parseScope(text: string): Scope | null {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last <= first + 1) return null;
  const type = text.slice(0, first);
  if (type !== 'repository' && type !== 'registry') return null;
  const actions = text.slice(last + 1).split(',').filter((a) => a.length > 0);
  return { type, name: text.slice(first + 1, last), actions };
}

/** The WWW-Authenticate value of the Docker token flow. */
export function challenge(realm: string, service: string, scopes: Scope[]): string {
  const scope = scopes.map((s) => `${s.type}:${s.name}:${s.actions.join(',')}`).join(' ');
  return `Bearer realm="${realm}",service="${service}"${scope ? `,scope="${scope}"` : ''}`;
}

function hasCatalogGrant(grants: readonly Grant[]): boolean {
  // Listing every repository name is only for keys that may read every repository.
  return grants.some((g) => g.repositories === '*' && (g.actions.includes('pull') || g.actions.includes('admin')));
}

export class Authenticator {
  readonly #o: AuthenticatorOptions;

  constructor(options: AuthenticatorOptions) {
    this.#o = options;
  }

  async verifyBasic(header: string): Promise<Principal | null> {
    const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!m) return null;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return null;
    const key = await this.#o.keys.findAccessKey(decoded.slice(0, colon));
    if (!key || !secretMatches(decoded.slice(colon + 1), key.secretHash)) return null;
    return { kind: 'key', keyId: key.id, grants: key.grants };
  }

  async verifyBearer(header: string, service: string): Promise<Principal | null> {
    const m = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    try {
      const { payload } = await jwtVerify(m[1]!, this.#o.tokenKey, {
        issuer: this.#o.issuer, audience: service, algorithms: ['HS256'], currentDate: this.#o.now?.(),
      });
      const keyId = typeof payload.sub === 'string' ? payload.sub : '';
      // A removed key's tokens die with it, not when they expire.
      if (keyId !== 'anonymous' && !(await this.#o.keys.findAccessKey(keyId))) return null;
      const access = Array.isArray(payload.access) ? (payload.access as Scope[]) : [];
      return { kind: 'token', keyId, access };
    } catch {
      return null;
    }
  }

  /** A token carrying the requested scopes narrowed to what the principal may do (never an error, like Distribution). */
  async issueToken(principal: Principal, scopes: Scope[], service: string): Promise<{ token: string; expiresIn: number; issuedAt: string }> {
    const access: Scope[] = [];
    for (const s of scopes) {
      const actions = s.type === 'registry'
        ? (principal.kind === 'anonymous-admin' || (principal.kind === 'key' && hasCatalogGrant(principal.grants)) ? ['*'] : [])
        : principal.kind === 'anonymous-admin' ? s.actions
        : principal.kind === 'key' ? allowedActions(principal.grants, s.name, s.actions) : [];
      if (actions.length > 0) access.push({ type: s.type, name: s.name, actions });
    }
    const now = this.#o.now?.() ?? new Date();
    const iat = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.#o.issuer).setAudience(service).setSubject(principal.kind === 'anonymous-admin' ? 'anonymous' : principal.keyId)
      .setIssuedAt(iat).setNotBefore(iat - 5).setExpirationTime(iat + this.#o.tokenTtlSeconds).setJti(randomUUID())
      .sign(this.#o.tokenKey);
    return { token, expiresIn: this.#o.tokenTtlSeconds, issuedAt: now.toISOString() };
  }

  /** The one authorization question every dialect asks. */
  can(principal: Principal, target: { type: 'repository' | 'registry'; name: string }, action: Action): boolean {
    if (principal.kind === 'anonymous-admin') return true;
    if (principal.kind === 'key') return target.type === 'registry' ? hasCatalogGrant(principal.grants) : allows(principal.grants, target.name, action);
    return principal.access.some((a) => a.type === target.type && a.name === target.name
      && (a.actions.includes(action) || a.actions.includes('*')));
  }
}
