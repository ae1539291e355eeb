// Reclaimed bytes per day as a bar chart drawn with SVG elements (no chart library, no HTML from data): each bar
// has a <title> for hover, and the same numbers are in a table for screen readers and copy-paste.
import { formatBytes } from '../lib/format.js';
import { html } from '../vendor/preact.js';
import { Bytes } from './values.js';

const W = 600;
const H = 170;
/** Room above the bars for the scale label and below them for the dates. */
const TOP = 20;
const BOTTOM = 20;

export function ReclaimedChart({ days }) {
  if (!days?.length) return html`<p class="empty">No garbage collection pass has reclaimed anything in this period.</p>`;
  const max = Math.max(1, ...days.map((d) => d.bytes));
  const step = W / days.length;
  const bar = Math.max(2, step * 0.7);
  const total = days.reduce((a, d) => a + d.bytes, 0);
  return html`<figure>
    <svg class="chart" viewBox=${`0 0 ${W} ${H}`} preserveAspectRatio="xMinYMax meet" role="img" aria-label=${`Bytes reclaimed per day: ${formatBytes(total)} in ${days.length} days`}>
      <line class="axis" x1="0" y1=${H - BOTTOM} x2=${W} y2=${H - BOTTOM} />
      <line class="axis" x1="0" y1=${TOP} x2=${W} y2=${TOP} stroke-dasharray="4 4" />
      <text x="0" y="13">${formatBytes(max)}</text>
      ${days.map((d, i) => {
        const h = Math.round(((H - TOP - BOTTOM) * d.bytes) / max);
        return html`<rect class="bar" x=${i * step} y=${H - BOTTOM - h} width=${bar} height=${h}><title>${d.day}: ${formatBytes(d.bytes)}, ${d.blobs} blobs</title></rect>`;
      })}
      <text x="0" y=${H - 4}>${days[0].day}</text>
      <text x=${W} y=${H - 4} text-anchor="end">${days[days.length - 1].day}</text>
    </svg>
    <figcaption class="muted">Bytes reclaimed per day (UTC), the last ${days.length} days.</figcaption>
  </figure>
  <details>
    <summary>The numbers</summary>
    <table class="list">
      <thead><tr><th scope="col">Day</th><th scope="col">Reclaimed</th><th scope="col">Blobs</th><th scope="col">Passes</th></tr></thead>
      <tbody>${days.map((d) => html`<tr><th scope="row" data-label="Day">${d.day}</th><td data-label="Reclaimed"><${Bytes} n=${d.bytes} /></td><td data-label="Blobs">${d.blobs}</td><td data-label="Passes">${d.passes}</td></tr>`)}</tbody>
    </table>
  </details>`;
}
