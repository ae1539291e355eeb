// Access keys: who may do what (grants), a new key whose secret is shown exactly once, and revoking a key (its
// console sessions end with it).
import { Dialog } from '../components/dialog.js';
import { Time } from '../components/values.js';
import { api } from '../lib/api.js';
import { parseGrants } from '../lib/grants.js';
import { useListing } from '../lib/listing.js';
import { html, useState } from '../vendor/preact.js';

const grantText = (k) => (k.admin ? 'admin everywhere' : (k.grants ?? []).map((g) => `${g.repositories}: ${g.actions.join(',')}`).join('; '));

export function Page({ session }) {
  const { items: keys, error, setError, reload } = useListing('/keys', 'keys', 'Access keys · berth');
  const [created, setCreated] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const [admin, setAdmin] = useState(false);
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      const body = admin ? { name: f.get('name'), admin: true } : { name: f.get('name'), grants: parseGrants(String(f.get('grants'))) };
      const r = await api('POST', '/keys', body);
      form.reset();
      setAdmin(false);
      setCreated(r);
      reload();
    } catch (err) {
      setError(err.message);
    }
  };
  const revoke = async () => {
    try {
      await api('DELETE', `/keys/${encodeURIComponent(revoking.id)}`);
      setRevoking(null);
      reload();
    } catch (err) {
      setError(err.message);
      setRevoking(null);
    }
  };
  const self = session.session?.keyId;
  return html`<h1 tabindex="-1">Access keys</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      created &&
      html`<div class="secret" role="status">
      <p><strong>Key ${created.key.name} created.</strong> Copy the secret now: it is shown only this once.</p>
      <p>Access key id: <code>${created.key.id}</code></p>
      <p>Secret: <code>${created.secret}</code></p>
      <button type="button" onClick=${() => setCreated(null)}>I have copied it</button>
    </div>`
    }
    <form class="stack" onSubmit=${create} aria-labelledby="new-key">
      <h2 id="new-key">Create a key</h2>
      <label for="key-name">Name</label>
      <input id="key-name" name="name" required />
      <label class="check"><input type="checkbox" checked=${admin} onChange=${(e) => setAdmin(e.currentTarget.checked)} /> Administrator everywhere</label>
      ${
        !admin &&
        html`<label for="key-grants">Grants, one a line: repositories: actions</label>
        <textarea id="key-grants" name="grants" rows="3" required placeholder="team/*: pull,push"></textarea>`
      }
      <div><button type="submit" class="primary">Create key</button></div>
    </form>
    ${
      keys &&
      html`<table class="list">
      <caption>Keys</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Rights</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
      <tbody>
        ${keys.map(
          (k) => html`<tr key=${k.id}>
            <th scope="row" data-label="Name">${k.name}</th>
            <td data-label="Id"><code>${k.id}</code></td>
            <td data-label="Rights">${grantText(k)}</td>
            <td data-label="Created"><${Time} at=${k.createdAt} /></td>
            <td data-label="Actions">${k.id === self ? html`<span class="muted">this session</span>` : html`<button type="button" class="small danger" aria-label=${`Revoke key ${k.name}`} onClick=${() => setRevoking(k)}>Revoke</button>`}</td>
          </tr>`,
        )}
      </tbody>
    </table>`
    }
    ${
      revoking &&
      html`<${Dialog} title=${`Revoke key ${revoking.name}?`} onClose=${() => setRevoking(null)}>
      <p>Every client using <code>${revoking.id}</code> is refused from now on, and its console sessions end.</p>
      <div class="buttons"><button type="button" data-cancel onClick=${() => setRevoking(null)}>Cancel</button><button type="button" class="danger" onClick=${revoke}>Revoke</button></div>
    <//>`
    }`;
}
