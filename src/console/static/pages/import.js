import { api, enc } from '../api.js';
import { field, fill, formatDate, h, notice } from '../dom.js';

/** Import users: download the template, check a filled file (dry run), then apply exactly that file. */
export async function importPage({ main }, ws) {
  const url = `/api/v1/workspaces/${enc(ws)}/imports`;
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true });
  const result = h('div', { 'aria-live': 'polite', id: 'import-result' });
  let checked = null;
  const apply = h('button', { type: 'button', class: 'primary', disabled: true, onclick: async () => {
    if (checked === null) return;
    apply.disabled = true;
    try {
      const { import: done } = await api('POST', url, { body: checked, contentType: 'text/csv' });
      fill(result, notice('ok', `Imported: ${done.summary.granted} granted, ${done.summary.changed} changed, ${done.summary.unchanged} unchanged.`), changesTable(done.changes));
      checked = null;
    } catch (error) {
      fill(result, failure(error));
    }
  } }, 'Apply import');

  const form = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    checked = null;
    apply.disabled = true;
    const chosen = file.files?.[0];
    if (!chosen) return;
    const text = await chosen.text();
    try {
      const { import: plan } = await api('POST', `${url}?dryRun=true`, { body: text, contentType: 'text/csv' });
      checked = text;
      apply.disabled = plan.summary.granted + plan.summary.changed === 0;
      fill(result,
        notice('ok', `Dry run: nothing was written. Applying would grant ${plan.summary.granted}, change ${plan.summary.changed}, leave ${plan.summary.unchanged} unchanged.`),
        changesTable(plan.changes));
    } catch (error) {
      fill(result, failure(error));
    }
  } }, field('Filled-in CSV file', file), h('button', { type: 'submit' }, 'Check file (dry run)'));
  file.addEventListener('change', () => {
    checked = null;
    apply.disabled = true;
    fill(result);
  });

  fill(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/workspaces' }, 'Workspaces'), ' / ', h('a', { href: `#/workspaces/${enc(ws)}` }, ws), ' / import'),
    h('h1', {}, `Import users into ${ws}`),
    h('ol', { class: 'steps' },
      h('li', {}, h('a', { href: '/console/users-import-template.csv', download: 'users-import-template.csv' }, 'Download the template'), ' and fill in one person per line: e-mail, first and last name, company (required for people outside your organisation), role (admin, editor or viewer) and, optionally, valid until (YYYY-MM-DD).'),
      h('li', {}, 'Choose the file and check it. The check writes nothing and lists every line with a problem.'),
      h('li', {}, 'When the check is clean, apply it.')),
    h('section', { class: 'card' }, form, result, h('p', {}, apply)));
}

function failure(error) {
  if (!Array.isArray(error.details)) return notice('error', error.message);
  return h('div', { role: 'alert' },
    h('p', { class: 'notice error' }, `The file has ${error.details.length} problem(s); nothing was imported. Fix these lines and check again:`),
    h('table', { class: 'import-errors' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Problem'))),
      h('tbody', {}, error.details.map((e) => h('tr', {}, h('td', {}, `line ${e.line}`), h('td', {}, e.message))))));
}

function changesTable(changes) {
  if (changes.length === 0) return null;
  const label = { grant: 'new member', change: 'role change', unchanged: 'unchanged' };
  return h('table', { class: 'import-changes' },
    h('thead', {}, h('tr', {}, ['Line', 'E-mail', 'What happens', 'Role', 'Valid until'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, changes.map((c) => h('tr', {}, h('td', {}, c.line), h('td', {}, c.email), h('td', {}, label[c.action] ?? c.action),
      h('td', {}, c.previousRole && c.previousRole !== c.role ? `${c.previousRole} → ${c.role}` : c.role), h('td', {}, c.validUntil ? formatDate(c.validUntil) : '—')))));
}
