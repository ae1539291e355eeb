// Every live pin in the registry (what runs where), a form to pin an image by hand, and removal of a pin.
import { pinText } from '../components/pins.js';
import { Digest, Time } from '../components/values.js';
import { api } from '../lib/api.js';
import { useListing } from '../lib/listing.js';
import { Link, repoHref } from '../lib/router.js';
import { html, useState } from '../vendor/preact.js';

export function Page() {
  const { items: pins, error, setError, reload } = useListing('/pins', 'pins', 'Pins · berth');
  const [status, setStatus] = useState('');
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = { repository: f.get('repository'), reference: f.get('reference'), reason: f.get('reason') };
    if (f.get('expiresIn')) body.expiresIn = f.get('expiresIn');
    setError(null);
    try {
      const r = await api('POST', '/pins', body);
      form.reset();
      setStatus(`Pinned ${r.pin.repository}@${r.pin.digest.slice(0, 19)} (${r.pin.id}).`);
      reload();
    } catch (err) {
      setError(err.message);
    }
  };
  const remove = async (p) => {
    setError(null);
    try {
      await api('DELETE', `/pins/${encodeURIComponent(p.id)}`);
      setStatus(`Removed pin ${p.id} (${pinText(p)}).`);
      reload();
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<h1 tabindex="-1">Pins</h1>
    <p class="muted">A pin says “something runs this image”: every delete path refuses it until the pin is removed or expires.</p>
    <p class="status" role="status">${status}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <form class="filters" onSubmit=${create} aria-labelledby="new-pin">
      <h2 id="new-pin" class="sr-only">Pin an image</h2>
      <div><label for="pin-repo">Repository</label><input id="pin-repo" name="repository" required /></div>
      <div><label for="pin-ref">Tag or digest</label><input id="pin-ref" name="reference" required /></div>
      <div><label for="pin-reason">Reason</label><input id="pin-reason" name="reason" required /></div>
      <div><label for="pin-exp">Expires in (e.g. 7d)</label><input id="pin-exp" name="expiresIn" /></div>
      <button type="submit" class="primary">Pin</button>
    </form>
    ${pins?.length === 0 && html`<p class="empty">No pins.</p>`}
    ${
      pins?.length > 0 &&
      html`<table class="list">
      <caption>Live pins</caption>
      <thead><tr><th scope="col">Repository</th><th scope="col">Digest</th><th scope="col">Reason</th><th scope="col">Owner</th><th scope="col">Source</th><th scope="col">Expires</th><th scope="col">Actions</th></tr></thead>
      <tbody>
        ${pins.map(
          (p) => html`<tr key=${p.id}>
            <th scope="row" data-label="Repository"><${Link} href=${repoHref(p.repository)}>${p.repository}<//></th>
            <td data-label="Digest"><${Digest} d=${p.digest} /></td>
            <td data-label="Reason">${p.reason}</td>
            <td data-label="Owner">${p.owner}</td>
            <td data-label="Source">${p.source ?? html`<span class="muted">by hand</span>`}</td>
            <td data-label="Expires">${p.expiresAt ? html`<${Time} at=${p.expiresAt} />` : html`<span class="muted">never</span>`}</td>
            <td data-label="Actions"><button type="button" class="small" aria-label=${`Remove pin ${p.id}`} onClick=${() => remove(p)}>Remove</button></td>
          </tr>`,
        )}
      </tbody>
    </table>`
    }`;
}
