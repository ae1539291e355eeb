// Client-side routing on the history API under /ui/ (real paths, so a deep link like /ui/repositories/team/app works:
// the server answers every console route with index.html). Pages are the first path segment, see ROUTES.
import { html, useEffect, useState } from '../vendor/preact.js';

export const BASE = '/ui/';
/** Must match CLIENT_ROUTES in src/http/ui/routes.ts (the server's list of deep links it answers with index.html). */
export const ROUTES = ['login', 'repositories', 'gc', 'pins', 'keys', 'audit'];
const listeners = new Set();

/** The route of a location: {page, name?, params}; page 'repository' carries the repository name. */
export function parseRoute(pathname, search = '') {
  const params = new URLSearchParams(search);
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  let rest;
  try {
    rest = decodeURIComponent(path).replace(/\/+$/, '');
  } catch {
    return { page: 'not-found', params };
  }
  if (rest === '' || rest === 'repositories') return { page: 'repositories', params };
  if (rest.startsWith('repositories/')) return { page: 'repository', name: rest.slice('repositories/'.length), params };
  if (ROUTES.includes(rest)) return { page: rest, params };
  return { page: 'not-found', params };
}

export const currentRoute = () => parseRoute(location.pathname, location.search);

/** Goes to a console address (e.g. '/ui/gc') without a reload. */
export function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const l of listeners) l();
}

/** Re-renders its component when the route changes (links, back/forward). */
export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

export const repoHref = (name) => `${BASE}repositories/${name.split('/').map(encodeURIComponent).join('/')}`;

/** An ordinary link (middle click, open in new tab still work) that navigates in place on a plain click. */
export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}
