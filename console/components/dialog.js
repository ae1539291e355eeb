// A modal dialog on the native <dialog> element: the browser keeps focus inside and makes the page behind inert;
// this adds Escape to close (through onClose), focus on the safe button first, and focus back where it came from.
import { html, useEffect, useRef } from '../vendor/preact.js';

let seq = 0;

/** `initialFocus`: a selector inside the dialog (the Cancel button by default: a stray Enter never deletes). */
export function Dialog({ title, onClose, children, initialFocus = '[data-cancel]', className = '' }) {
  const ref = useRef(null);
  const id = useRef(`dialog-title-${++seq}`).current;
  useEffect(() => {
    const opener = document.activeElement;
    const d = ref.current;
    d.showModal();
    d.querySelector(initialFocus)?.focus();
    return () => {
      if (d.open) d.close();
      // The opener may be gone (the row it sat in was deleted): then the page's heading takes focus.
      const back = opener?.isConnected ? opener : document.querySelector('main h1');
      back?.focus();
    };
  }, []);
  const onCancel = (e) => {
    e.preventDefault();
    onClose();
  };
  return html`<dialog ref=${ref} class=${`dialog ${className}`} aria-labelledby=${id} onCancel=${onCancel}>
    <h2 id=${id}>${title}</h2>
    ${children}
  </dialog>`;
}
