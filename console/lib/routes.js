// The console's addresses: which page a /ui/ path is, and the path of a repository's page. Plain functions (no DOM),
// so node:test checks them (routes.test.js); ROUTES must match the server's list in src/http/ui/routes.ts.
export const BASE = '/ui/';
/** Must match CLIENT_ROUTES in src/http/ui/routes.ts (the server's list of deep links it answers with index.html). */
export const ROUTES = ['login', 'repositories', 'gc', 'pins', 'keys', 'audit'];

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

export const repoHref = (name) => `${BASE}repositories/${name.split('/').map(encodeURIComponent).join('/')}`;
