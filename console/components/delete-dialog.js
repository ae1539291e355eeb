// The confirmation every delete goes through: the server's delete-preview says exactly what goes (tags, manifests,
// referrers cascaded), what GC may then collect and how many bytes from when; pins block it, and only an admin gets
// the explicit, audited override.
import { api, repoPath } from '../lib/api.js';
import { formatCount } from '../lib/format.js';
import { html, useEffect, useState } from '../vendor/preact.js';
import { Dialog } from './dialog.js';
import { kindOf } from './image-table.js';
import { pinText } from './pins.js';
import { Bytes, Digest, Time } from './values.js';

const WHY = { target: 'the image itself', referrer: 'refers to it (cascaded)', child: 'index child', 'untagged-by-tag-delete': 'its last tag goes' };

export function targetText(repo, target) {
  if (target.tag !== undefined) return `tag ${target.tag} of ${repo}`;
  if (target.digest !== undefined) return `image ${target.digest.slice(0, 19)} of ${repo}`;
  return `repository ${repo} with everything in it`;
}

function deletePath(repo, target) {
  const base = `/repositories/${repoPath(repo)}`;
  if (target.tag !== undefined) return `${base}/tags/${encodeURIComponent(target.tag)}`;
  if (target.digest !== undefined) return `${base}/manifests/${target.digest}`;
  return base;
}

function Preview({ p }) {
  return html`<dl class="preview">
    <dt>Tags removed</dt>
    <dd>${p.tags.length ? html`<ul>${p.tags.map((t) => html`<li>${t.tag} <${Digest} d=${t.digest} /></li>`)}</ul>` : 'none'}</dd>
    <dt>Manifests removed</dt>
    <dd>
      ${p.manifests.length ? html`<ul>${p.manifests.map((m) => html`<li><${Digest} d=${m.digest} /> ${kindOf(m)} <span class="muted">${WHY[m.why] ?? m.why}</span></li>`)}</ul>` : 'none'}
    </dd>
    ${p.collectable.length > 0 && html`<dt>Become collectable</dt><dd><ul>${p.collectable.map((c) => html`<li><${Digest} d=${c.digest} /> <span class="muted">${WHY[c.why] ?? c.why}</span></li>`)}</ul></dd>`}
    <dt>Space garbage collection gives back</dt>
    <dd class="reclaim">
      <strong><${Bytes} n=${p.bytes.reclaimable} /></strong> <span class="muted">(${formatCount(p.bytes.reclaimable)} bytes)</span> from <${Time} at=${p.bytes.from} />
    </dd>
    <dt>Restorable until</dt>
    <dd class="restorable"><${Time} at=${p.restorableUntil} /></dd>
  </dl>`;
}

/** target: {tag} | {digest} | {} (the repository). onDone(answer) after the delete succeeded. */
export function DeleteDialog({ repo, target, onClose, onDone }) {
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [breakPins, setBreakPins] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api('POST', `/repositories/${repoPath(repo)}/delete-preview`, target).then(setPreview, (e) => setError(e.message));
  }, []);
  const blocked = preview?.blocked && !breakPins;
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api('DELETE', deletePath(repo, target) + (breakPins ? '?breakPins=true' : ''));
      onDone(answer, preview);
    } catch (e) {
      setError(e.code === 'IMAGE_IN_USE' ? `Refused: it is pinned (${(e.detail?.pins ?? []).map(pinText).join('; ')})` : e.message);
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${`Delete ${targetText(repo, target)}?`} onClose=${onClose} className="delete-dialog">
    ${!preview && !error && html`<p class="muted" role="status">Working out what this delete removes…</p>`}
    ${preview && html`<${Preview} p=${preview} />`}
    ${
      preview?.blocked &&
      html`<div class="blocked" role="alert">
      <p><strong>Pinned:</strong> this cannot be deleted while ${preview.pins.length === 1 ? 'this pin holds' : 'these pins hold'} it.</p>
      <ul>${preview.pins.map((p) => html`<li>${pinText(p)}</li>`)}</ul>
      ${
        preview.canBreakPins
          ? html`<label class="check"><input type="checkbox" checked=${breakPins} onChange=${(e) => setBreakPins(e.currentTarget.checked)} /> Break ${preview.pins.length === 1 ? 'this pin' : `these ${preview.pins.length} pins`} and delete anyway (recorded in the audit log)</label>`
          : html`<p>Only an administrator of this repository can break pins; otherwise remove the pins first.</p>`
      }
    </div>`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="buttons">
      <button type="button" data-cancel onClick=${onClose}>Cancel</button>
      <button type="button" class="danger" disabled=${!preview || blocked || busy} onClick=${confirm}>${busy ? 'Deleting…' : breakPins ? 'Break pins and delete' : 'Delete'}</button>
    </div>
  <//>`;
}
