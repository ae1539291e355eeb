// Web console sessions over the berth API: log in with the access key itself, refresh within the session's maximum
// age, and act as the key on every request (looked up each time, so a revoked key's sessions die at once).
import { type Authenticator, allowsEverywhere, type ConsoleClaims, type ConsoleTokens, issueAccessKey, keyPrincipal } from '../../auth/index.ts';
import type { AccessKey, AccessKeys } from '../../core/index.ts';
import type { ConsoleAuth, ConsoleLogin, ConsoleSession } from './access.ts';

const BEARER_RE = /^bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)[ ]*$/i;
/** The share of a token's lifetime after which the console should refresh it (4/5: 12 of 15 minutes). */
const REFRESH_AT = 0.8;

export interface ConsoleAuthOptions {
  keys: AccessKeys;
  masterKey: Uint8Array;
  auth: Pick<Authenticator, 'verifyKeySecret'>;
  tokens: ConsoleTokens;
  now?: (() => Date) | undefined;
}

function sessionOf(key: AccessKey, claims: ConsoleClaims, endsAt: Date): ConsoleSession {
  return {
    keyId: key.id,
    keyName: key.name,
    admin: allowsEverywhere(key.grants, 'admin'),
    sessionId: claims.sessionId,
    startedAt: claims.startedAt,
    expiresAt: claims.expiresAt,
    endsAt,
  };
}

function loginOf(key: AccessKey, token: string, claims: ConsoleClaims, endsAt: Date): ConsoleLogin {
  const lifetime = claims.expiresAt.getTime() - claims.issuedAt.getTime();
  const refreshBefore = new Date(claims.issuedAt.getTime() + Math.floor((lifetime * REFRESH_AT) / 1000) * 1000);
  return { token, expiresAt: claims.expiresAt, refreshBefore, session: sessionOf(key, claims, endsAt) };
}

export function createConsoleAuth(o: ConsoleAuthOptions): ConsoleAuth {
  /** The claims of a live console token and its key, which must still exist. */
  async function live(authorization: string | undefined): Promise<{ key: AccessKey; claims: ConsoleClaims } | null> {
    const m = authorization === undefined ? null : BEARER_RE.exec(authorization.trim());
    if (!m) return null;
    const claims = await o.tokens.verify(m[1]!);
    if (!claims) return null;
    const key = await o.keys.findAccessKey(claims.keyId);
    return key ? { key, claims } : null;
  }

  return {
    async login(authorization) {
      const key = authorization === undefined ? null : await o.auth.verifyKeySecret(authorization);
      if (!key) return null;
      const issued = await o.tokens.start(key.id);
      return loginOf(key, issued.token, issued.claims, issued.endsAt);
    },
    async refresh(authorization) {
      const current = await live(authorization);
      const issued = current && (await o.tokens.refresh(current.claims));
      return current && issued ? loginOf(current.key, issued.token, issued.claims, issued.endsAt) : null;
    },
    async session(authorization) {
      const current = await live(authorization);
      return current && sessionOf(current.key, current.claims, o.tokens.endOf(current.claims.startedAt));
    },
    async principal(authorization) {
      const current = await live(authorization);
      return current && keyPrincipal(current.key);
    },
    issueKey({ name, grants, actor }) {
      return issueAccessKey(o.keys, o.masterKey, { name, grants, actor, now: o.now?.() ?? new Date() });
    },
  };
}
