import { api, withQuery } from '../api.js';
import { empty, field, fill, formatTime, h, notice } from '../dom.js';
import { pager } from './pager.js';

/** The audit log, newest first, filtered by workspace, person, actor and time. */
export async function auditPage({ main, query, session }) {
  const workspace = h('input', { name: 'workspace', value: query.get('workspace') ?? '', autocomplete: 'off' });
  const person = h('input', { name: 'person', placeholder: 'e-mail or person id', autocomplete: 'off' });
  const actor = h('input', { name: 'actor', placeholder: 'e.g. user:ada@example.com, system', autocomplete: 'off' });
  const since = h('input', { name: 'since', type: 'date' });
  const status = h('div', { 'aria-live': 'polite' });
  const table = h('div', { class: 'table-wrap' });
  const paging = pager(async (cursor) => {
    try {
      const page = await api('GET', withQuery('/api/v1/audit', { workspace: workspace.value.trim(), person: person.value.trim(), actor: actor.value.trim(), since: since.value ? `${since.value}T00:00:00Z` : '', limit: 50, cursor }));
      fill(status);
      if (page.entries.length === 0) fill(table, empty('No audit entries match.'));
      else fill(table, h('table', { class: 'audit' },
        h('thead', {}, h('tr', {}, ['Time', 'Actor', 'Action', 'Person', 'Workspace', 'Change', 'Cause'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, page.entries.map((e) => h('tr', {}, h('td', {}, formatTime(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, e.email ?? e.personId ?? '—'),
          h('td', {}, e.workspace ?? '—'), h('td', {}, describe(e.before), ' → ', describe(e.after)), h('td', {}, e.cause ?? ''))))));
      return page.next;
    } catch (error) {
      fill(status, notice('error', error.message));
      fill(table);
      return null;
    }
  });
  const form = h('form', { class: 'inline filters', role: 'search', onsubmit: (e) => { e.preventDefault(); void paging.first(); } },
    field('Workspace', workspace), field('Person', person), field('Actor', actor), field('Since', since), h('button', { type: 'submit' }, 'Filter'));
  fill(main, h('h1', {}, 'Audit'),
    h('p', { class: 'muted' }, session.operator ? 'Every change to who has access, newest first.' : 'Changes in a workspace you administer: name the workspace.'),
    form, status, table, paging.el);
  await paging.first();
}

function describe(state) {
  if (!state || typeof state !== 'object') return '—';
  return ['role', 'status', 'validUntil'].filter((k) => state[k] !== undefined && state[k] !== null).map((k) => `${k}: ${k === 'validUntil' ? String(state[k]).slice(0, 10) : state[k]}`).join(', ') || '—';
}
