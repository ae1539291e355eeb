// The one way the console talks to the server: JSON calls to /berth/v1 with the session token as a Bearer header
// (credentials 'omit': no cookies, and no browser login prompt on a 401), errors as ApiError, a 401 ends the session.
import { clearSession, currentSession, setSession } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

async function call(method, path, body, authorization) {
  const headers = { accept: 'application/json' };
  if (authorization) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/berth/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = json?.error ?? {};
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? `${method} ${path}: HTTP ${res.status}`, e.detail ?? null);
  }
  return json ?? {};
}

/** A call as the logged-in console session; a 401 means the session is over (expired, key revoked): log out. */
export async function api(method, path, body) {
  const s = currentSession();
  try {
    return await call(method, path, body, s ? `Bearer ${s.token}` : undefined);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) clearSession();
    throw e;
  }
}

/** Trades the new session for the current one while the page is open (the server caps a session's total age). */
export async function refreshSession() {
  const s = currentSession();
  if (!s) return;
  try {
    setSession(await call('POST', '/console/sessions/refresh', undefined, `Bearer ${s.token}`), refreshSession);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) clearSession();
    // A network blip: try again in a while, the token still has some life left.
    else setTimeout(refreshSession, 10_000);
  }
}

/** Exchanges an access key (id + secret, never stored) for a console session. */
export async function login(keyId, secret) {
  const basic = `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${keyId}:${secret}`)))}`;
  setSession(await call('POST', '/console/sessions', undefined, basic), refreshSession);
}

/** Resumes a session kept in sessionStorage across a reload: schedule its refresh. */
export function resumeSession() {
  const s = currentSession();
  if (s) setSession(s, refreshSession);
}

export { query, repoPath } from './paths.js';
