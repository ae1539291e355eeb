// The audit log: every delete, restore, pin and key change with who did it through which API, filtered by repository
// and action prefix on the server, paged back in time by event id.

import { Time } from '../components/values.js';
import { api, query } from '../lib/api.js';
import { html, useEffect, useState } from '../vendor/preact.js';

const PAGE = 100;

export function Page() {
  const [filters, setFilters] = useState({ repository: '', action: '' });
  const [before, setBefore] = useState([undefined]);
  const [events, setEvents] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    document.title = 'Audit log · berth';
  }, []);
  const cursor = before[before.length - 1];
  useEffect(() => {
    setError(null);
    api('GET', `/audit${query({ ...filters, before: cursor, limit: PAGE })}`).then(
      (r) => setEvents(r.events),
      (e) => setError(e.message),
    );
  }, [filters, cursor]);
  const apply = (e) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBefore([undefined]);
    setFilters({ repository: String(f.get('repository')).trim(), action: String(f.get('action')).trim() });
  };
  const last = events?.[events.length - 1];
  return html`<h1 tabindex="-1">Audit log</h1>
    <form class="filters" onSubmit=${apply}>
      <div><label for="audit-repo">Repository</label><input id="audit-repo" name="repository" /></div>
      <div><label for="audit-action">Action starts with</label><input id="audit-action" name="action" placeholder="delete" /></div>
      <button type="submit">Filter</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${events?.length === 0 && html`<p class="empty">No events.</p>`}
    ${
      events?.length > 0 &&
      html`<table class="list">
      <caption class="sr-only">Audit events, newest first</caption>
      <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">API</th><th scope="col">Action</th><th scope="col">Repository</th><th scope="col">Target</th><th scope="col">Detail</th></tr></thead>
      <tbody>
        ${events.map(
          (ev) => html`<tr key=${ev.id}>
            <th scope="row" data-label="When"><${Time} at=${ev.at} /></th>
            <td data-label="Who">${ev.principal}</td>
            <td data-label="API">${ev.dialect}</td>
            <td data-label="Action">${ev.action}</td>
            <td data-label="Repository">${ev.repository ?? ''}</td>
            <td data-label="Target"><code>${ev.target ?? ''}</code></td>
            <td data-label="Detail">${ev.detail ? html`<code>${JSON.stringify(ev.detail)}</code>` : ''}</td>
          </tr>`,
        )}
      </tbody>
    </table>`
    }
    <div class="pager">
      <button type="button" disabled=${before.length < 2} onClick=${() => setBefore(before.slice(0, -1))}>Newer</button>
      <button type="button" disabled=${!last || events.length < PAGE} onClick=${() => setBefore([...before, last.id])}>Older</button>
    </div>`;
}
