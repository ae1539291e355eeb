// How a pin is shown wherever one appears (an image row, the delete preview, the pins page): who holds the image, why,
// which pin set wrote it and until when, all as text.
import { formatTime } from '../lib/format.js';
import { html } from '../vendor/preact.js';

export function pinText(p) {
  const parts = [p.reason || 'no reason given', `owner ${p.owner || '–'}`];
  if (p.source) parts.push(`from pin set ${p.source}`);
  parts.push(p.expiresAt ? `expires ${formatTime(p.expiresAt)}` : 'no expiry');
  return parts.join(' · ');
}

/** The pins on one image, as a compact list under a "pinned" badge. */
export function PinBadges({ pins }) {
  if (!pins?.length) return '';
  return html`<div class="pins">
    <span class="badge pinned">pinned</span>
    <ul class="pin-list">
      ${pins.map((p) => html`<li key=${p.id}><span class="sr-only">Pin ${p.id}: </span>${pinText(p)}</li>`)}
    </ul>
  </div>`;
}
