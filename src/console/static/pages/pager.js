import { h } from '../dom.js';

/**
 * Cursor paging: the API answers a page and the cursor of the next; the pager keeps the cursors
 * of the pages before, so "Previous" goes back without loading everything.
 */
export function pager(load) {
  const cursors = [undefined];
  let index = 0;
  let next = null;
  const prev = h('button', { type: 'button', onclick: () => go(index - 1) }, '← Previous');
  const nextButton = h('button', { type: 'button', onclick: () => go(index + 1) }, 'Next →');
  const label = h('span', { class: 'muted' });
  const el = h('div', { class: 'pager' }, prev, label, nextButton);
  async function go(i) {
    if (i > index) cursors[i] = next;
    index = i;
    next = await load(cursors[index]);
    prev.disabled = index === 0;
    nextButton.disabled = !next;
    label.textContent = `Page ${index + 1}`;
    el.hidden = index === 0 && !next;
  }
  return { el, reload: () => go(index), first: () => go(0) };
}
