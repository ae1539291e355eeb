// The console session: the token POST /berth/v1/console/sessions gave, kept in memory and sessionStorage only (gone
// with the tab, never a cookie, so no CSRF), refreshed before it expires, and listeners told when it changes.
const STORE_KEY = 'berth.console.session';
const listeners = new Set();
let current = read();
let timer = 0;

function read() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORE_KEY) ?? 'null');
    return s && typeof s.token === 'string' && Date.parse(s.expiresAt) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

/** The session: {token, expiresAt, refreshBefore, session: {keyId, keyName, admin}} or null when logged out. */
export const currentSession = () => current;

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Stores a session answer and schedules its refresh (`refresh` is the call that gets the next one). */
export function setSession(answer, refresh) {
  current = answer;
  clearTimeout(timer);
  if (answer) {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(answer));
    const at = Date.parse(answer.refreshBefore ?? answer.expiresAt);
    // Refresh a little before the server's deadline; at least a second from now, so a clock skew cannot spin.
    const wait = Math.max(1000, at - Date.now() - 30_000);
    if (refresh) timer = setTimeout(refresh, Math.min(wait, 2 ** 31 - 1));
  } else {
    sessionStorage.removeItem(STORE_KEY);
  }
  for (const l of listeners) l(current);
}

export const clearSession = () => setSession(null);
