// Sizes, times and digests as elements that keep the exact value (<data value>, <time datetime>, the full digest in
// the title), so screen readers, tests and copy-paste get the precise figure while the eye gets a short one.
import { formatBytes, formatCount, formatTime, shortDigest } from '../lib/format.js';
import { html } from '../vendor/preact.js';

export const Bytes = ({ n }) => html`<data class="bytes" value=${n} title=${`${formatCount(n)} bytes`}>${formatBytes(n)}</data>`;
export const Time = ({ at }) => (at ? html`<time datetime=${at}>${formatTime(at)}</time>` : html`<span class="muted">never</span>`);
export const Digest = ({ d }) => html`<code class="digest" title=${d}>${shortDigest(d)}</code>`;
