// Web console sessions: log in with an access key, refresh the short-lived token, ask who is logged in. The token is
// sent back as `Authorization: Bearer`, never a cookie, so no request can ride a session the page did not send.
import { RegistryError } from '../../core/index.ts';
import type { ConsoleLogin, ConsoleSession } from '../common/access.ts';
import { type BerthHandler, sendJson } from './context.ts';

/** Not Basic: a Basic challenge makes browsers open their own login dialog over the console's. */
const CHALLENGE = 'Bearer realm="berth-console"';

function sessionJson(s: ConsoleSession) {
  return { keyId: s.keyId, keyName: s.keyName, admin: s.admin, endsAt: s.endsAt.toISOString() };
}

function loginJson(login: ConsoleLogin) {
  return {
    token: login.token,
    expiresAt: login.expiresAt.toISOString(),
    refreshBefore: login.refreshBefore.toISOString(),
    session: sessionJson(login.session),
  };
}

function unauthorized(message: string): RegistryError {
  return new RegistryError('UNAUTHORIZED', message);
}

/** Only the key itself starts a session: a registry or login token (short-lived, narrowed) must not be stretched into one. */
export const postSession: BerthHandler<{ kind: 'console-sessions' }> = async ({ ctx, req, reply }) => {
  const login = await ctx.console.login(req.headers.authorization);
  if (!login) {
    reply.header('www-authenticate', CHALLENGE);
    throw unauthorized('a console session starts from an access key: send Authorization: Basic with the key id and secret');
  }
  sendJson(reply, 201, loginJson(login));
};

export const postRefresh: BerthHandler<{ kind: 'console-refresh' }> = async ({ ctx, req, reply }) => {
  const login = await ctx.console.refresh(req.headers.authorization);
  if (!login) {
    reply.header('www-authenticate', CHALLENGE);
    throw unauthorized('refreshing needs a live console session token, within console.sessionMaxAge of the login: log in again');
  }
  sendJson(reply, 201, loginJson(login));
};

export const getSession: BerthHandler<{ kind: 'console-session' }> = async ({ ctx, req, reply }) => {
  const session = await ctx.console.session(req.headers.authorization);
  if (!session) {
    reply.header('www-authenticate', CHALLENGE);
    throw unauthorized('no console session: send Authorization: Bearer with a console session token');
  }
  sendJson(reply, 200, { session: { ...sessionJson(session), expiresAt: session.expiresAt.toISOString() } });
};
