// Garbage collection: what waits in the queues, the passes every replica ran (stored history), the bytes reclaimed
// over time, and a pass run from here whose progress is polled from GET /berth/v1/gc/passes/{id} until it ends.
import { ReclaimedChart } from '../components/chart.js';
import { Bytes, Time } from '../components/values.js';
import { ApiError, api, query } from '../lib/api.js';
import { formatCount } from '../lib/format.js';
import { html, useEffect, useRef, useState } from '../vendor/preact.js';

const STATS = [
  ['blobsQueued', 'Blobs queued'],
  ['blobsDue', 'Blobs due now'],
  ['bytesDue', 'Bytes due now', true],
  ['manifestsQueued', 'Manifests queued'],
  ['trashedManifests', 'Manifests in trash'],
  ['trashDue', 'Trash past its window'],
  ['deletedRepositories', 'Deleted repositories'],
];

function Stats({ stats }) {
  return html`<dl class="cards">
    ${STATS.map(([k, label, bytes]) => html`<div><dt>${label}</dt><dd>${bytes ? html`<${Bytes} n=${stats[k]} />` : formatCount(stats[k])}</dd></div>`)}
  </dl>`;
}

function Passes({ passes }) {
  if (!passes.length) return html`<p class="empty">No pass recorded yet.</p>`;
  return html`<table class="list passes">
    <caption>Recent passes</caption>
    <thead><tr><th scope="col">Started</th><th scope="col">Trigger</th><th scope="col">State</th><th scope="col">Reclaimed</th><th scope="col">Blobs</th><th scope="col">Manifests</th><th scope="col">Replica</th></tr></thead>
    <tbody>
      ${passes.map(
        (p) => html`<tr key=${p.id} data-pass=${p.id}>
          <th scope="row" data-label="Started"><${Time} at=${p.startedAt} /></th>
          <td data-label="Trigger">${p.trigger}${p.dryRun ? ' (dry run)' : ''}</td>
          <td data-label="State">${p.state}${p.error ? `: ${p.error}` : ''}</td>
          <td data-label="Reclaimed">${p.report ? html`<${Bytes} n=${p.report.bytesReclaimed} />` : '–'}</td>
          <td data-label="Blobs">${p.report ? formatCount(p.report.blobsRemoved) : '–'}</td>
          <td data-label="Manifests">${p.report ? formatCount((p.report.manifestsCollected ?? 0) + (p.report.manifestsPurged ?? 0)) : '–'}</td>
          <td data-label="Replica">${p.replica ?? ''}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A pass started here: its progress while it runs, then what it reclaimed. */
function Running({ pass }) {
  const pr = pass.progress ?? {};
  const done = pass.state !== 'running';
  return html`<div class="run" role="status" aria-live="polite" data-pass=${pass.id}>
    ${
      !done &&
      html`<p>Pass running: ${pr.phase ?? 'starting'} ${pr.total ? `${formatCount(pr.done)} / ${formatCount(pr.total)}` : ''}</p>
      <progress max=${pr.total || 1} value=${pr.total ? pr.done : undefined} aria-label="Garbage collection progress"></progress>`
    }
    ${done && pass.report && html`<p class="reclaimed">Pass ${pass.state}: reclaimed <strong><${Bytes} n=${pass.report.bytesReclaimed} /></strong> (${formatCount(pass.report.blobsRemoved)} blobs).</p>`}
    ${done && pass.error && html`<p class="error">Pass failed: ${pass.error}</p>`}
  </div>`;
}

export function Page() {
  const [gc, setGc] = useState(null);
  const [passes, setPasses] = useState(null);
  const [days, setDays] = useState(null);
  const [running, setRunning] = useState(null);
  const [dryRun, setDryRun] = useState(false);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const poll = useRef(0);
  useEffect(() => {
    document.title = 'Garbage collection · berth';
    return () => clearTimeout(poll.current);
  }, []);
  useEffect(() => {
    api('GET', '/gc').then(setGc, (e) => setError(e.message));
    api('GET', `/gc/passes${query({ limit: 20 })}`).then(
      (r) => setPasses(r.passes),
      () => setPasses(null),
    );
    api('GET', `/gc/reclaimed${query({ days: 30 })}`).then(
      (r) => setDays(r.days),
      () => setDays(null),
    );
  }, [version]);
  const follow = (id) => {
    api('GET', `/gc/passes/${encodeURIComponent(id)}`).then(
      (r) => {
        setRunning(r.pass);
        if (r.pass.state === 'running') poll.current = setTimeout(() => follow(id), 500);
        else setVersion((v) => v + 1);
      },
      (e) => setError(e.message),
    );
  };
  const run = async () => {
    setError(null);
    try {
      const r = await api('POST', '/gc', { wait: false, dryRun });
      if (r.pass) {
        setRunning(r.pass);
        follow(r.pass.id);
      } else {
        // A server without stored passes answers with the finished report.
        setRunning({ state: 'done', report: r });
        setVersion((v) => v + 1);
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const status = gc?.status;
  return html`<h1 tabindex="-1">Garbage collection</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <section aria-labelledby="queues-title">
      <h2 id="queues-title">Queues</h2>
      ${gc ? html`<${Stats} stats=${gc.stats} />` : html`<p class="muted">Loading…</p>`}
      ${status && html`<p class="muted">${status.running ? 'A pass is running now.' : 'No pass running.'} Totals since start: ${formatCount(status.totals?.runs)} passes, <${Bytes} n=${status.totals?.bytesReclaimed ?? 0} /> reclaimed.</p>`}
    </section>
    <section aria-labelledby="run-title">
      <h2 id="run-title">Run a pass</h2>
      <p class="muted">
        A pass purges the trash past its restore window and removes the blobs nothing uses any more once they have been unused for the grace
        period (counted from the end of the window), so the first pass from the time a delete preview named gets its bytes back. A dry run only
        reports what it would remove.
      </p>
      <label class="check"><input type="checkbox" checked=${dryRun} onChange=${(e) => setDryRun(e.currentTarget.checked)} /> Dry run</label>
      <button type="button" class="primary" disabled=${running?.state === 'running'} onClick=${run}>Run garbage collection</button>
      ${running && html`<${Running} pass=${running} />`}
    </section>
    <section aria-labelledby="chart-title">
      <h2 id="chart-title">Reclaimed over time</h2>
      ${days ? html`<${ReclaimedChart} days=${days} />` : html`<p class="muted">Not available on this server.</p>`}
    </section>
    <section aria-labelledby="passes-title">
      <h2 id="passes-title">Pass history</h2>
      ${passes ? html`<${Passes} passes=${passes} />` : status?.last ? html`<${Passes} passes=${[{ id: 'last', trigger: '', state: 'done', ...status.last, report: status.last }]} />` : html`<p class="muted">No history on this server.</p>`}
    </section>`;
}
