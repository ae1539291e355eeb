// The console's entry point: picks the page for the address, keeps everyone but the login page behind a session,
// and loads the pages an operator opens less often only when they are opened (a lighter first load).
import { Layout } from './components/layout.js';
import { resumeSession } from './lib/api.js';
import { BASE, navigate, useRoute } from './lib/router.js';
import { currentSession, onSessionChange } from './lib/session.js';
import { LoginPage } from './pages/login.js';
import { RepositoriesPage } from './pages/repositories.js';
import { html, render, useEffect, useState } from './vendor/preact.js';

const LAZY = {
  repository: () => import('./pages/repository.js'),
  gc: () => import('./pages/gc.js'),
  pins: () => import('./pages/pins.js'),
  keys: () => import('./pages/keys.js'),
  audit: () => import('./pages/audit.js'),
};

function useSession() {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}

/** A page module loaded on first use; each exports `Page`. */
function Lazy({ page, ...props }) {
  // Kept with the page it belongs to: right after a navigation the old page's module must not render the new route.
  const [loaded, setLoaded] = useState({ page: null, mod: null, error: null });
  useEffect(() => {
    let live = true;
    LAZY[page]().then(
      (mod) => live && setLoaded({ page, mod, error: null }),
      (error) => live && setLoaded({ page, mod: null, error }),
    );
    return () => {
      live = false;
    };
  }, [page]);
  if (loaded.page !== page) return html`<p class="muted">Loading…</p>`;
  if (loaded.error) return html`<p role="alert">This page could not be loaded: ${String(loaded.error.message ?? loaded.error)}</p>`;
  return html`<${loaded.mod.Page} ...${props} />`;
}

function NotFound() {
  return html`<h1 tabindex="-1">Not found</h1><p>The console has no page at this address.</p>`;
}

function App() {
  const route = useRoute();
  const session = useSession();
  const loggedIn = session !== null;
  useEffect(() => {
    if (!loggedIn && route.page !== 'login') {
      const next = location.pathname + location.search;
      navigate(`${BASE}login${next === BASE ? '' : `?next=${encodeURIComponent(next)}`}`, { replace: true });
    }
  }, [loggedIn, route.page]);
  if (!loggedIn || route.page === 'login') return html`<${LoginPage} route=${route} session=${session} />`;
  let page;
  if (route.page === 'repositories') page = html`<${RepositoriesPage} route=${route} session=${session} />`;
  else if (route.page in LAZY) page = html`<${Lazy} page=${route.page} route=${route} session=${session} />`;
  else page = html`<${NotFound} />`;
  return html`<${Layout} route=${route} session=${session}>${page}<//>`;
}

resumeSession();
const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" placeholder, which Preact would otherwise keep beside the app
render(html`<${App} />`, root);
