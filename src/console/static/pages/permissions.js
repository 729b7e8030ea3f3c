import { api, withQuery } from '../api.js';
import { empty, field, fill, formatDate, h, notice, select } from '../dom.js';
import { pager } from './pager.js';

/** People × workspaces: each effective membership with role, status, origin and validity; CSV export. */
export async function permissionsPage({ main }) {
  const { workspaces } = await api('GET', '/api/v1/workspaces?limit=1000');
  const workspace = select({ name: 'workspace' }, [['', 'all workspaces'], ...workspaces.map((w) => [w.id, `${w.name} (${w.id})`])], '');
  const filterText = h('input', { type: 'search', name: 'q', placeholder: 'filter this page by e-mail', autocomplete: 'off' });
  const status = h('div', { 'aria-live': 'polite' });
  const table = h('div', { class: 'table-wrap' });
  let rows = [];
  const draw = () => {
    const needle = filterText.value.trim().toLowerCase();
    const shown = needle ? rows.filter((r) => r.email.toLowerCase().includes(needle)) : rows;
    if (shown.length === 0) return fill(table, empty(rows.length === 0 ? 'No permissions to show.' : 'Nothing on this page matches.'));
    fill(table, h('table', { class: 'permissions' },
      h('thead', {}, h('tr', {}, ['Person', 'Workspace', 'Role', 'Status', 'Origin', 'Valid until'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, shown.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.email), h('td', {}, r.workspace), h('td', {}, r.role),
        h('td', {}, h('span', { class: `badge ${r.status}` }, r.status)), h('td', {}, r.origin), h('td', {}, r.validUntil ? formatDate(r.validUntil) : '—'))))));
  };
  const paging = pager(async (cursor) => {
    const page = await api('GET', withQuery('/api/v1/permissions', { workspace: workspace.value, limit: 100, cursor }));
    rows = page.permissions;
    draw();
    return page.next;
  });
  workspace.addEventListener('change', () => void paging.first());
  filterText.addEventListener('input', draw);

  const exportCsv = h('button', { type: 'button', onclick: async () => {
    try {
      const res = await api('GET', withQuery('/api/v1/permissions', { workspace: workspace.value }), { accept: 'text/csv', raw: true });
      const blob = await res.blob();
      const link = h('a', { href: URL.createObjectURL(blob), download: workspace.value ? `permissions-${workspace.value}.csv` : 'permissions.csv' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      fill(status, notice('error', error.message));
    }
  } }, 'Export CSV');

  fill(main, h('div', { class: 'page-head' }, h('h1', {}, 'Permissions'), exportCsv),
    h('p', { class: 'muted' }, 'Who has which role in which workspace. The export holds every row of the chosen workspaces, not only this page.'),
    status, h('div', { class: 'inline filters' }, field('Workspace', workspace), field('Filter', filterText)), table, paging.el);
  await paging.first();
}
