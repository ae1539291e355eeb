// Connects the dialect-neutral AccessGate to berth's auth: anonymous admin when auth is off; otherwise Basic
// (access key id + secret) or a Bearer token from /token, with per-repository actions and Docker's challenge.
import { Authenticator, challenge, parseScope, principalName, type Principal, type Scope } from '../../auth/index.ts';
import type { AccessKeys, Action, Actor } from '../../core/index.ts';
import type { AccessGate, AccessNeed, AccessResult, TokenIssuer } from './access.ts';

export interface AuthGateOptions {
  keys: AccessKeys;
  keysMaterial: { masterKey: Buffer; tokenKey: Buffer };
  mode: 'none' | 'required';
  realm: string | undefined;
  service: string;
  tokenTtlMs: number;
}

function authenticator(o: AuthGateOptions): Authenticator {
  return new Authenticator({
    keys: o.keys, tokenKey: o.keysMaterial.tokenKey, issuer: 'berth',
    tokenTtlSeconds: Math.max(1, Math.round(o.tokenTtlMs / 1000)),
  });
}

function actorOf(p: Principal, dialect: string): Actor {
  return { principal: principalName(p), dialect };
}

function toScopes(needs: AccessNeed[]): Scope[] {
  return needs.map((n) => ({ type: n.type, name: n.name, actions: n.type === 'registry' ? ['*'] : n.actions }));
}

function createAccessGate(o: AuthGateOptions, auth: Authenticator): AccessGate {
  const realmFor = (host: string): string => o.realm ?? `http://${host}/token`;

  async function principalOf(authorization: string | undefined): Promise<Principal | null> {
    if (o.mode === 'none') return { kind: 'anonymous-admin' };
    if (!authorization) return null;
    if (/^basic /i.test(authorization)) return auth.verifyBasic(authorization);
    if (/^bearer /i.test(authorization)) return auth.verifyBearer(authorization, o.service);
    return null;
  }

  function allows(p: Principal, need: AccessNeed): boolean {
    return need.actions.every((a: Action) => auth.can(p, need, a));
  }

  return {
    async check(request, needs): Promise<AccessResult> {
      const principal = await principalOf(request.authorization);
      // Built only on refusal: the allowed path is every request's hot path.
      const realm = (): string => challenge(realmFor(request.host), o.service, toScopes(needs));
      if (!principal) return { allowed: false, status: 401, message: 'authentication required', challenge: realm() };
      if (needs.every((n) => allows(principal, n))) return { allowed: true, actor: actorOf(principal, request.dialect) };
      // A token without the scope gets a fresh challenge (the client fetches a better token); a key without the grant is denied.
      if (principal.kind === 'token') return { allowed: false, status: 401, message: 'insufficient scope', challenge: `${realm()},error="insufficient_scope"` };
      return { allowed: false, status: 403, message: `access key may not ${needs.flatMap((n) => n.actions).join('/')} ${needs.map((n) => n.name).join(', ')}` };
    },
    async alsoAllowed(request, need) {
      const principal = await principalOf(request.authorization);
      return principal !== null && allows(principal, need);
    },
  };
}

function createTokenIssuer(o: AuthGateOptions, auth: Authenticator): TokenIssuer {
  return {
    basicChallenge: `Basic realm="${o.service}"`,
    async issue(authorization, service, scopes) {
      if (service !== null && service !== o.service) return null;
      const principal = o.mode === 'none' ? ({ kind: 'anonymous-admin' } as Principal)
        : authorization && /^basic /i.test(authorization) ? await auth.verifyBasic(authorization) : null;
      if (!principal) return null;
      const parsed = scopes.map(parseScope).filter((s): s is Scope => s !== null);
      return auth.issueToken(principal, parsed, o.service);
    },
  };
}

/** The access gate every dialect asks and the /token issuer, over one authenticator. */
export function createAuth(o: AuthGateOptions): { gate: AccessGate; tokens: TokenIssuer } {
  const auth = authenticator(o);
  return { gate: createAccessGate(o, auth), tokens: createTokenIssuer(o, auth) };
}
