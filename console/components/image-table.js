// A repository's images as one table: each tag or untagged manifest with its digest, size, platforms, times and pins,
// and its referrers (signatures, SBOMs, attestations) on rows right under their subject.
import { platformText } from '../lib/format.js';
import { html } from '../vendor/preact.js';
import { PinBadges } from './pins.js';
import { Bytes, Digest, Time } from './values.js';

function Platforms({ list }) {
  if (!list?.length) return html`<span class="muted">–</span>`;
  return html`<ul class="platforms">${list.map((p) => html`<li>${platformText(p)}</li>`)}</ul>`;
}

/** An image's artifactType is its config's media type (OCI 1.1): those are plain images, not artifacts. */
const IMAGE_CONFIGS = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

function kindOf(m) {
  if (m.artifactType && !IMAGE_CONFIGS.has(m.artifactType)) return m.artifactType;
  if (/index|manifest\.list/.test(m.mediaType ?? '')) return 'index';
  return 'image';
}

function ReferrerRow({ r }) {
  return html`<tr class="referrer">
    <th scope="row" data-label="Referrer"><span aria-hidden="true">↳ </span><span class="sr-only">Referrer </span>${kindOf(r)}</th>
    <td data-label="Digest"><${Digest} d=${r.digest} /></td>
    <td data-label="Size"><${Bytes} n=${r.size} /></td>
    <td data-label="Platforms"><span class="muted">–</span></td>
    <td data-label="Pushed"><${Time} at=${r.pushedAt} /></td>
    <td data-label="Pulled"><${Time} at=${r.lastPulledAt} /></td>
    <td data-label="Pins"><${PinBadges} pins=${r.pins} /></td>
    <td data-label="Actions"></td>
  </tr>`;
}

/**
 * rows: [{key, label, digest, size, platforms, pushedAt, lastPulledAt, pins, kind, actions}] in order;
 * referrersOf(digest) gives the referrer rows to show under it.
 */
export function ImageTable({ caption, rows, referrersOf }) {
  return html`<table class="list images">
    <caption>${caption}</caption>
    <thead>
      <tr><th scope="col">Tag</th><th scope="col">Digest</th><th scope="col">Size</th><th scope="col">Platforms</th><th scope="col">Pushed</th><th scope="col">Pulled</th><th scope="col">Pins</th><th scope="col">Actions</th></tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) => html`<tr key=${row.key} class=${row.pins?.length ? 'is-pinned' : ''} data-digest=${row.digest} data-tag=${row.tag ?? undefined}>
            <th scope="row" data-label="Tag">${row.tag ?? html`<span class="muted">untagged</span>`} ${row.kind !== 'image' ? html`<span class="badge">${row.kind}</span>` : ''}</th>
            <td data-label="Digest"><${Digest} d=${row.digest} /></td>
            <td data-label="Size"><${Bytes} n=${row.size} /></td>
            <td data-label="Platforms"><${Platforms} list=${row.platforms} /></td>
            <td data-label="Pushed"><${Time} at=${row.pushedAt} /></td>
            <td data-label="Pulled"><${Time} at=${row.lastPulledAt} /></td>
            <td data-label="Pins"><${PinBadges} pins=${row.pins} /></td>
            <td data-label="Actions" class="actions">${row.actions}</td>
          </tr>
          ${(referrersOf(row.digest) ?? []).map((r) => html`<${ReferrerRow} key=${`${row.key}>${r.digest}`} r=${r} />`)}`,
      )}
    </tbody>
  </table>`;
}

export { kindOf };
