// Log in with an access key: its id and secret go once to POST /berth/v1/console/sessions and are never stored; what
// comes back is a console session token that only /berth/v1 accepts.
import { login } from '../lib/api.js';
import { BASE, navigate } from '../lib/router.js';
import { html, useEffect, useRef, useState } from '../vendor/preact.js';

/** Only a path inside the console is followed after login, never another origin. */
function nextOf(route) {
  const next = route.params.get('next') ?? '';
  return next.startsWith(BASE) && !next.startsWith('//') ? next : BASE;
}

export function LoginPage({ route, session }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useEffect(() => {
    document.title = 'Log in · berth';
    if (session) navigate(nextOf(route), { replace: true });
    else first.current?.focus();
  }, [session]);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await login(String(form.get('keyId')).trim(), String(form.get('secret')));
      navigate(nextOf(route), { replace: true });
    } catch (err) {
      setError(err.status === 401 || err.status === 403 ? 'That access key id and secret were not accepted.' : err.message);
      setBusy(false);
    }
  };
  return html`<main id="main" class="login">
    <h1>berth console</h1>
    <p>Log in with an access key (<code>berth key create</code> makes one). The secret is sent once and not kept.</p>
    <form onSubmit=${submit} aria-describedby=${error ? 'login-error' : undefined}>
      <label for="keyId">Access key id</label>
      <input id="keyId" name="keyId" ref=${first} required autocomplete="username" spellcheck="false" autocapitalize="off" />
      <label for="secret">Secret</label>
      <input id="secret" name="secret" type="password" required autocomplete="current-password" />
      ${error && html`<p id="login-error" class="error" role="alert">${error}</p>`}
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Logging in…' : 'Log in'}</button>
    </form>
  </main>`;
}
