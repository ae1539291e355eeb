// A repository's retention policy and its preview (what a run would expire or untag now, and what pins keep), shown
// before anyone runs it; the policy text is shown as text, edited with the CLI or the API.
import { api, repoPath } from '../lib/api.js';
import { html, useEffect, useState } from '../vendor/preact.js';
import { Digest } from './values.js';

export function LifecycleSection({ repo }) {
  const [policy, setPolicy] = useState(undefined);
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const base = `/repositories/${repoPath(repo)}/lifecycle`;
  useEffect(() => {
    api('GET', base).then(
      (r) => setPolicy(r.policy ? r : null),
      (e) => (e.status === 404 ? setPolicy(null) : setError(e.message)),
    );
  }, [repo]);
  const runPreview = async () => {
    setError(null);
    try {
      setPreview(await api('POST', `${base}/preview`));
    } catch (e) {
      setError(e.message);
    }
  };
  if (policy === undefined && !error) return '';
  return html`<section aria-labelledby="lifecycle-title">
    <h2 id="lifecycle-title">Retention policy</h2>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${policy === null && html`<p class="muted">No retention policy governs this repository.</p>`}
    ${
      policy &&
      html`<p>From the ${policy.source}${policy.namespace ? ` ${policy.namespace}` : ''}, last evaluated ${policy.evaluatedAt ?? 'never'}.</p>
      <details><summary>Policy</summary><pre>${JSON.stringify(policy.policy, null, 2)}</pre></details>
      <button type="button" onClick=${runPreview}>Preview what it would remove</button>`
    }
    ${
      preview &&
      html`<div class="lifecycle-preview" role="status">
      <p>
        ${preview.counts.images} images: ${preview.counts.expire} would expire, ${preview.counts.untag} be untagged, ${preview.counts.keep} kept,
        ${preview.counts.pinned} kept by pins.
      </p>
      <ul>
        ${preview.decisions.map((d) => html`<li><${Digest} d=${d.digest} /> ${d.tags?.join(', ') ?? ''} — ${d.summary}</li>`)}
      </ul>
    </div>`
    }
  </section>`;
}
