// Client-side routing on the history API under /ui/ (real paths, so a deep link like /ui/repositories/team/app works:
// the server answers every console route with index.html): navigation, the route hook and links. Parsing is routes.js.
import { html, useEffect, useState } from '../vendor/preact.js';
import { parseRoute } from './routes.js';

export { BASE, parseRoute, ROUTES, repoHref } from './routes.js';

const listeners = new Set();

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

/** An ordinary link (middle click, open in new tab still work) that navigates in place on a plain click. */
export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}
