// The first page: namespaces and repositories, searched and paged on the server (?q=, ?namespace=, keyset `after`), so
// it stays as fast at 10,000 repositories as at ten; the search is in the address, so it survives a reload.

import { Bytes, Time } from '../components/values.js';
import { api, query } from '../lib/api.js';
import { formatCount } from '../lib/format.js';
import { BASE, Link, navigate, repoHref } from '../lib/router.js';
import { html, useEffect, useRef, useState } from '../vendor/preact.js';

const PAGE = 50;

function Namespaces({ current, q }) {
  const [list, setList] = useState(null);
  const [next, setNext] = useState(null);
  const load = (after) =>
    api('GET', `/namespaces${query({ after, limit: 100 })}`).then((r) => {
      setList((old) => (after ? [...(old ?? []), ...r.namespaces] : r.namespaces));
      setNext(r.next);
    });
  useEffect(() => {
    load().catch(() => setList([]));
  }, []);
  const href = (ns) => `${BASE}${query({ namespace: ns, q })}`;
  return html`<nav class="namespaces" aria-label="Namespaces">
    <h2>Namespaces</h2>
    <ul>
      <li><${Link} href=${href('')} aria-current=${current ? undefined : 'page'}>All<//></li>
      ${(list ?? []).map(
        (n) => html`<li>
          <${Link} href=${href(n.name)} aria-current=${current === n.name ? 'page' : undefined}>${n.name}<//>
          <span class="count" aria-label=${`${n.repositoryCount} repositories`}>${formatCount(n.repositoryCount)}</span>
        </li>`,
      )}
    </ul>
    ${next && html`<button type="button" class="link" onClick=${() => load(next)}>More namespaces</button>`}
  </nav>`;
}

function RepoTable({ rows }) {
  return html`<table class="list repos">
    <caption class="sr-only">Repositories</caption>
    <thead>
      <tr><th scope="col">Repository</th><th scope="col">Tags</th><th scope="col">Images</th><th scope="col">Size</th><th scope="col">Unique</th><th scope="col">Last push</th><th scope="col">Last pull</th></tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) => html`<tr key=${r.name}>
          <th scope="row" data-label="Repository"><${Link} href=${repoHref(r.name)}>${r.name}<//></th>
          <td data-label="Tags">${formatCount(r.tagCount)}</td>
          <td data-label="Images">${formatCount(r.manifestCount)}</td>
          <td data-label="Size"><${Bytes} n=${r.totalBytes} /></td>
          <td data-label="Unique"><${Bytes} n=${r.uniqueBytes} /></td>
          <td data-label="Last push"><${Time} at=${r.lastPushedAt} /></td>
          <td data-label="Last pull"><${Time} at=${r.lastPulledAt} /></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function RepositoriesPage({ route }) {
  const q = route.params.get('q') ?? '';
  const namespace = route.params.get('namespace') ?? '';
  const [text, setText] = useState(q);
  const [cursors, setCursors] = useState(['']); // the `after` of each page seen, so Previous needs no server state
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const typing = useRef(0);
  const after = cursors[cursors.length - 1];
  useEffect(() => {
    document.title = 'Repositories · berth';
  }, []);
  useEffect(() => setCursors(['']), [q, namespace]);
  useEffect(() => {
    let live = true;
    setError(null);
    api('GET', `/repositories${query({ q, namespace, after, limit: PAGE })}`).then(
      (r) => live && setPage(r),
      (e) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [q, namespace, after]);
  const onInput = (e) => {
    const value = e.currentTarget.value;
    setText(value);
    clearTimeout(typing.current);
    // Search as one types, once the typing pauses: one request per pause, not per key.
    typing.current = setTimeout(() => navigate(`${BASE}${query({ namespace, q: value.trim() })}`, { replace: true }), 200);
  };
  const rows = page?.repositories ?? [];
  return html`<div class="with-aside">
    <${Namespaces} current=${namespace} q=${q} />
    <section class="content" aria-labelledby="repos-title">
      <h1 id="repos-title" tabindex="-1">Repositories${namespace ? html` in <span class="ns">${namespace}</span>` : ''}</h1>
      <form class="search" role="search" onSubmit=${(e) => e.preventDefault()}>
        <label for="repo-search">Search repositories</label>
        <input id="repo-search" type="search" value=${text} onInput=${onInput} placeholder="part of a name" autocomplete="off" spellcheck="false" />
      </form>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${page === null && !error ? html`<p class="muted">Loading…</p>` : ''}
      ${page && rows.length === 0 ? html`<p class="empty">${q ? `No repository matches “${q}”.` : 'No repositories yet: push an image to create one.'}</p>` : ''}
      ${rows.length > 0 && html`<${RepoTable} rows=${rows} />`}
      <div class="pager">
        <button type="button" disabled=${cursors.length < 2} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>
        <span class="muted" aria-live="polite">Page ${cursors.length}</span>
        <button type="button" disabled=${!page?.next} onClick=${() => setCursors([...cursors, page.next])}>Next page</button>
      </div>
    </section>
  </div>`;
}
