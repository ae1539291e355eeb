// A repository's trash: tags and manifests deleted within the restore window, each brought back with one button
// (POST /berth/v1/restore restores everything its delete removed together, byte-identical).
import { ApiError, api, query, repoPath } from '../lib/api.js';
import { html, useEffect, useState } from '../vendor/preact.js';
import { Digest, Time } from './values.js';

/** A listing this server does not have yet (an older berth) shows as unavailable, not as an error. */
const missing = (e) => e instanceof ApiError && e.status === 404 && e.code === 'NOT_FOUND';

export function Trash({ repo, canRestore, version, onRestored }) {
  const [tags, setTags] = useState(null);
  const [manifests, setManifests] = useState(null);
  const [error, setError] = useState(null);
  const base = `/repositories/${repoPath(repo)}`;
  useEffect(() => {
    api('GET', `${base}/deleted-tags${query({ limit: 100 })}`).then(
      (r) => setTags(r.tags),
      (e) => setError(e.message),
    );
    api('GET', `${base}/deleted-manifests${query({ limit: 100 })}`).then(
      (r) => setManifests(r.manifests),
      (e) => (missing(e) ? setManifests('unavailable') : setError(e.message)),
    );
  }, [repo, version]);
  const restore = async (body, what) => {
    setError(null);
    try {
      const r = await api('POST', '/restore', { repository: repo, ...body });
      onRestored(`Restored ${what}: ${r.tags?.length ?? 0} tag(s), ${r.manifests?.length ?? 0} manifest(s) are back.`);
    } catch (e) {
      setError(e.message);
    }
  };
  const restoreButton = (body, what) =>
    canRestore ? html`<button type="button" aria-label=${`Restore ${what}`} onClick=${() => restore(body, what)}>Restore</button>` : '';
  // A tag deleted with its image comes back with the image: list it once, under the image.
  const withImage = new Set(Array.isArray(manifests) ? manifests.flatMap((m) => (m.tags ?? []).map((t) => `${t}@${m.digest}`)) : []);
  const looseTags = tags?.filter((t) => !withImage.has(`${t.tag}@${t.digest}`));
  const empty = looseTags?.length === 0 && (manifests === 'unavailable' || manifests?.length === 0);
  return html`<section aria-labelledby="trash-title" class="trash">
    <h2 id="trash-title">Trash</h2>
    <p class="muted">Deleted tags and images stay restorable for the restore window; garbage collection frees their bytes only after it.</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${empty && html`<p class="empty">Nothing deleted recently.</p>`}
    ${
      Array.isArray(manifests) &&
      manifests.length > 0 &&
      html`<table class="list">
      <caption>Deleted images</caption>
      <thead><tr><th scope="col">Digest</th><th scope="col">Tags</th><th scope="col">Deleted</th><th scope="col">Restorable until</th><th scope="col">Actions</th></tr></thead>
      <tbody>
        ${manifests.map(
          (m) => html`<tr key=${m.digest} data-digest=${m.digest}>
            <th scope="row" data-label="Digest"><${Digest} d=${m.digest} /></th>
            <td data-label="Tags">${m.tags?.length ? m.tags.join(', ') : html`<span class="muted">none</span>`}</td>
            <td data-label="Deleted"><${Time} at=${m.deletedAt} />${m.deletedBy ? ` by ${m.deletedBy}` : ''}</td>
            <td data-label="Restorable until"><${Time} at=${m.restorableUntil} /></td>
            <td data-label="Actions">${restoreButton({ digest: m.digest }, `image ${m.digest.slice(0, 19)}`)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`
    }
    ${
      looseTags?.length > 0 &&
      html`<table class="list">
      <caption>Deleted tags</caption>
      <thead><tr><th scope="col">Tag</th><th scope="col">Digest</th><th scope="col">Deleted</th><th scope="col">Actions</th></tr></thead>
      <tbody>
        ${looseTags.map(
          (t) => html`<tr key=${`${t.tag}@${t.deletedAt}`} data-tag=${t.tag}>
            <th scope="row" data-label="Tag">${t.tag}</th>
            <td data-label="Digest"><${Digest} d=${t.digest} /></td>
            <td data-label="Deleted"><${Time} at=${t.deletedAt} /></td>
            <td data-label="Actions">${restoreButton({ tag: t.tag }, `tag ${t.tag}`)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`
    }
  </section>`;
}
