// One repository: its tags and untagged manifests with referrers under their subject and the pins that hold them,
// delete buttons (only when GET .../access grants delete) that go through the preview dialog, the trash, its pins and
// its retention policy.
import { DeleteDialog, targetText } from '../components/delete-dialog.js';
import { ImageTable, kindOf } from '../components/image-table.js';
import { LifecycleSection } from '../components/lifecycle.js';
import { pinText } from '../components/pins.js';
import { Trash } from '../components/trash.js';
import { api, query, repoPath } from '../lib/api.js';
import { formatTime } from '../lib/format.js';
import { BASE, Link, navigate, repoHref } from '../lib/router.js';
import { html, useEffect, useRef, useState } from '../vendor/preact.js';

const TAGS_PAGE = 100;
const UNTAGGED_PAGE = 200;

/** The repository's rights, first page of tags (filtered by `tagQuery` on the server) and of untagged manifests. */
function useRepository(name, tagQuery, version) {
  const [state, setState] = useState({ loading: true });
  const base = `/repositories/${repoPath(name)}`;
  useEffect(() => {
    let live = true;
    Promise.all([
      api('GET', `${base}/access`).catch((e) => (e.status === 404 && e.code === 'NOT_FOUND' ? { actions: null } : Promise.reject(e))),
      api('GET', `${base}/tags${query({ q: tagQuery, limit: TAGS_PAGE })}`),
      api('GET', `${base}/manifests${query({ tagged: false, limit: UNTAGGED_PAGE })}`),
    ]).then(
      ([access, tags, untagged]) =>
        live && setState({ actions: access.actions, tags: tags.tags, moreTags: tags.next, untagged: untagged.manifests, moreUntagged: untagged.next }),
      (e) => live && setState({ error: e }),
    );
    return () => {
      live = false;
    };
  }, [name, tagQuery, version]);
  /** The next page of tags or untagged manifests, appended (keyset paging: nothing shifts between pages). */
  const more = async (kind) => {
    if (kind === 'tags') {
      const r = await api('GET', `${base}/tags${query({ q: tagQuery, after: state.moreTags, limit: TAGS_PAGE })}`);
      setState((s) => ({ ...s, tags: [...s.tags, ...r.tags], moreTags: r.next }));
    } else {
      const r = await api('GET', `${base}/manifests${query({ tagged: false, after: state.moreUntagged, limit: UNTAGGED_PAGE })}`);
      setState((s) => ({ ...s, untagged: [...s.untagged, ...r.manifests], moreUntagged: r.next }));
    }
  };
  return { ...state, more };
}

/** Filters the tags on the server as one types (the filter is in the address: ?tag=). */
function TagFilter({ name, value }) {
  const [text, setText] = useState(value);
  const timer = useRef(0);
  const onInput = (e) => {
    const v = e.currentTarget.value;
    setText(v);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => navigate(`${repoHref(name)}${query({ tag: v.trim() })}`, { replace: true }), 200);
  };
  return html`<form class="search" role="search" onSubmit=${(e) => e.preventDefault()}>
    <label for="tag-search">Filter tags</label>
    <input id="tag-search" type="search" value=${text} onInput=${onInput} placeholder="part of a tag" autocomplete="off" spellcheck="false" />
  </form>`;
}

export function Page({ route }) {
  const name = route.name;
  const [version, setVersion] = useState(0);
  const [dialog, setDialog] = useState(null);
  const [status, setStatus] = useState('');
  const tagQuery = route.params.get('tag') ?? '';
  const state = useRepository(name, tagQuery, version);
  useEffect(() => {
    document.title = `${name} · berth`;
  }, [name]);
  if (state.error) {
    const hidden = state.error.status === 404 || state.error.status === 403;
    return html`<h1 tabindex="-1">${name}</h1><p role="alert" class="error">${hidden ? 'No such repository, or your key may not see it.' : state.error.message}</p>`;
  }
  if (state.loading) return html`<h1 tabindex="-1">${name}</h1><p class="muted">Loading…</p>`;
  // No access endpoint (an older server): show the buttons and let the server refuse; otherwise trust what it says.
  const can = (action) => state.actions === null || state.actions.includes(action) || state.actions.includes('admin');
  const refresh = (message) => {
    setStatus(message);
    setVersion((v) => v + 1);
  };
  const open = (target) => setDialog(target);
  const deleteButton = (target, label) =>
    can('delete')
      ? html`<button type="button" class="danger small" aria-label=${`Delete ${label}`} onClick=${() => open(target)}>Delete ${label.split(' ')[0]}</button>`
      : '';
  // Referrers (a subject set) go under their subject; the rest of the untagged list is images of their own.
  const referrers = new Map();
  const loose = [];
  const present = new Set([...state.tags.map((t) => t.digest), ...state.untagged.map((m) => m.digest)]);
  for (const m of state.untagged) {
    if (m.subject && present.has(m.subject)) referrers.set(m.subject, [...(referrers.get(m.subject) ?? []), m]);
    else loose.push(m);
  }
  const seen = new Set();
  const tagRows = state.tags.map((t) => {
    // A referrer shows once, under the first row of its subject.
    const first = !seen.has(t.digest);
    seen.add(t.digest);
    return {
      key: `tag:${t.tag}`,
      tag: t.tag,
      digest: t.digest,
      size: t.size,
      platforms: t.platforms,
      pushedAt: t.pushedAt,
      lastPulledAt: t.lastPulledAt,
      pins: t.pins,
      kind: kindOf(t),
      first,
      actions: [deleteButton({ tag: t.tag }, `tag ${t.tag}`), deleteButton({ digest: t.digest }, `image ${t.digest.slice(0, 19)} (${t.tag})`)],
    };
  });
  const untaggedRows = loose.map((m) => ({
    key: `m:${m.digest}`,
    digest: m.digest,
    size: m.size,
    platforms: m.platforms,
    pushedAt: m.pushedAt,
    lastPulledAt: m.lastPulledAt,
    pins: m.pins,
    kind: kindOf(m),
    first: true,
    actions: [deleteButton({ digest: m.digest }, `image ${m.digest.slice(0, 19)}`)],
  }));
  const referrersOf = (rows) => (digest) => (rows.find((r) => r.digest === digest && r.first) ? referrers.get(digest) : undefined);
  const pins = [...new Map([...state.tags, ...state.untagged].flatMap((m) => m.pins ?? []).map((p) => [p.id, p])).values()];
  const onDone = (answer, preview) => {
    setDialog(null);
    if (dialog.tag === undefined && dialog.digest === undefined) return navigate(BASE);
    const until = answer.restorableUntil ?? preview?.restorableUntil;
    refresh(`Deleted ${targetText(name, dialog)}.${until ? ` It can be restored from the trash until ${formatTime(until)}.` : ''}`);
  };
  return html`
    <p class="crumbs"><${Link} href=${BASE}>Repositories<//> / ${name}</p>
    <h1 tabindex="-1">${name}</h1>
    <p class="status" role="status" aria-live="polite">${status}</p>
    ${!tagQuery && state.tags.length === 0 && untaggedRows.length === 0 ? html`<p class="empty">No images in this repository.</p>` : ''}
    <${TagFilter} name=${name} value=${tagQuery} />
    ${tagQuery && tagRows.length === 0 ? html`<p class="empty">No tag matches “${tagQuery}”.</p>` : ''}
    ${tagRows.length > 0 && html`<${ImageTable} caption="Tags" rows=${tagRows} referrersOf=${referrersOf(tagRows)} />`}
    ${state.moreTags && html`<button type="button" onClick=${() => state.more('tags')}>More tags (${tagRows.length} shown)</button>`}
    ${untaggedRows.length > 0 && html`<${ImageTable} caption="Untagged manifests" rows=${untaggedRows} referrersOf=${referrersOf(untaggedRows)} />`}
    ${state.moreUntagged && html`<button type="button" onClick=${() => state.more('untagged')}>More untagged manifests</button>`}
    ${
      pins.length > 0 &&
      html`<section aria-labelledby="pins-title">
      <h2 id="pins-title">What runs here (pins)</h2>
      <ul class="pin-summary">${pins.map((p) => html`<li key=${p.id}><code>${p.digest.slice(0, 19)}</code> ${pinText(p)}</li>`)}</ul>
    </section>`
    }
    <${Trash} repo=${name} canRestore=${can('push')} version=${version} onRestored=${refresh} />
    <${LifecycleSection} repo=${name} />
    ${
      can('delete') &&
      html`<section aria-labelledby="danger-title" class="danger-zone">
      <h2 id="danger-title">Delete the repository</h2>
      <p>Removes every tag and image in it (restorable within the window). Refused while anything in it is pinned.</p>
      <button type="button" class="danger" onClick=${() => open({})}>Delete repository…</button>
    </section>`
    }
    ${dialog && html`<${DeleteDialog} repo=${name} target=${dialog} onClose=${() => setDialog(null)} onDone=${onDone} />`}
  `;
}
