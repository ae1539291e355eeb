// The frame around every page once logged in: a skip link, the navigation (admin-only pages shown only to an admin
// key, which the server enforces anyway), who is logged in, and focus moved to the new page's heading on navigation.
import { BASE, Link } from '../lib/router.js';
import { clearSession } from '../lib/session.js';
import { html, useEffect } from '../vendor/preact.js';

const PAGES = [
  { page: 'repositories', label: 'Repositories', href: BASE, admin: false },
  { page: 'gc', label: 'Garbage collection', href: `${BASE}gc`, admin: true },
  { page: 'pins', label: 'Pins', href: `${BASE}pins`, admin: true },
  { page: 'keys', label: 'Access keys', href: `${BASE}keys`, admin: true },
  { page: 'audit', label: 'Audit log', href: `${BASE}audit`, admin: true },
];

export function Layout({ route, session, children }) {
  const who = session.session ?? {};
  const current = route.page === 'repository' ? 'repositories' : route.page;
  useEffect(() => {
    // A screen reader hears the new page; a keyboard user starts from its heading, not from the old link.
    const h1 = document.querySelector('main h1');
    if (h1 && document.activeElement === document.body) h1.focus({ preventScroll: true });
  });
  // Forgets the token here (memory and sessionStorage); on the server it dies at its expiry or with its key.
  const logout = () => clearSession();
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <${Link} class="brand" href=${BASE}>berth</${Link}>
      <nav aria-label="Console">
        <ul>
          ${PAGES.filter((p) => !p.admin || who.admin).map(
            (p) => html`<li><${Link} href=${p.href} aria-current=${p.page === current ? 'page' : undefined}>${p.label}<//></li>`,
          )}
        </ul>
      </nav>
      <div class="who">
        <span title=${who.keyId}>${who.keyName || who.keyId || 'signed in'}${who.admin ? ' (admin)' : ''}</span>
        <button type="button" class="link" onClick=${logout}>Log out</button>
      </div>
    </header>
    <main id="main" tabindex="-1">${children}</main>
  `;
}
