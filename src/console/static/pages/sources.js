import { api, enc, withQuery } from '../api.js';
import { empty, fill, formatTime, h, notice } from '../dom.js';

const ACTIVE = new Set(['queued', 'running']);
const POLL_MS = 1000;

/** Operators: each source with its health and last runs; start a run and watch it to the end. */
export async function sourcesPage({ main, setLeave }) {
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div', {});
  let timer = null;
  let stopped = false;
  setLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });

  async function draw() {
    const { sources } = await api('GET', '/api/v1/sources');
    const runsBySource = await Promise.all(sources.map((s) => api('GET', withQuery(`/api/v1/sources/${enc(s.id)}/runs`, { limit: 5 })).then((r) => r.runs)));
    if (sources.length === 0) fill(list, empty('No sources are configured. Add one under "sources" in the config file.'));
    else fill(list, sources.map((s, i) => sourceCard(s, runsBySource[i])));
    clearTimeout(timer);
    // While a run is queued or running, the page follows it.
    if (!stopped && runsBySource.some((runs) => runs.some((r) => ACTIVE.has(r.status)))) timer = setTimeout(() => void draw().catch(showError), POLL_MS);
  }
  const showError = (error) => fill(status, notice('error', error.message));

  async function start(source, body, what) {
    try {
      await api('POST', `/api/v1/sources/${enc(source)}/sync`, { body });
      fill(status, notice('ok', `${what} of ${source} started.`));
      await draw();
    } catch (error) {
      showError(error);
    }
  }

  function sourceCard(s, runs) {
    const busy = runs.some((r) => ACTIVE.has(r.status));
    const buttons = s.pulled
      ? h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', disabled: busy, onclick: () => start(s.id, { mode: 'delta' }, 'A delta sync') }, 'Delta sync'),
          h('button', { type: 'button', disabled: busy, onclick: () => start(s.id, { mode: 'full' }, 'A full sync') }, 'Full sync'),
          h('button', { type: 'button', disabled: busy, onclick: () => start(s.id, { mode: 'full', dryRun: true }, 'A dry run') }, 'Dry run'),
          busy ? h('small', { class: 'why' }, 'A run of this source is in progress.') : null)
      : h('p', { class: 'muted' }, s.kind === 'scim' ? 'Pushed to by its identity provider over SCIM: nothing to start here.' : 'Imported from files: nothing to start here.');
    return h('section', { class: 'card source', 'data-source': s.id },
      h('div', { class: 'page-head' }, h('h2', {}, s.id, ' ', h('span', { class: 'muted' }, s.kind)),
        h('span', { class: `badge ${s.health}` }, s.health)),
      s.healthReason ? h('p', { class: 'muted' }, s.healthReason) : null,
      buttons,
      runs.length === 0 ? empty('No runs yet.') : h('div', { class: 'table-wrap' }, h('table', { class: 'runs' },
        h('thead', {}, h('tr', {}, ['Started', 'Mode', 'Status', 'Seen', 'Created', 'Updated', 'Deleted', 'Unchanged', 'Skipped', 'Finished'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, runs.map((r) => runRows(s, r))))));
  }

  function runRows(s, r) {
    const c = r.counts ?? {};
    const row = h('tr', { 'data-run': r.id, 'data-status': r.status },
      h('td', {}, formatTime(r.startedAt)), h('td', {}, `${r.mode}${r.dryRun ? ' (dry run)' : ''}`),
      h('td', {}, h('span', { class: `badge ${r.status}` }, r.status)),
      ['seen', 'created', 'updated', 'deleted', 'unchanged', 'skipped'].map((k) => h('td', { class: 'num' }, c[k] ?? 0)),
      h('td', {}, formatTime(r.finishedAt)));
    const extra = [];
    if (r.status === 'failed' && r.error) extra.push(notice('error', r.error.message ?? String(r.error)));
    if (r.status === 'blocked') {
      const d = r.detail?.deletions ?? {};
      extra.push(h('div', { class: 'notice warn' },
        h('p', {}, `Blocked: this run would delete ${d.users ?? '?'} of ${d.liveUsers ?? '?'} users (and ${d.groups ?? 0} groups); the limit is ${d.limit ?? '?'}. Nothing was applied.`),
        h('button', { type: 'button', class: 'danger', onclick: () => {
          if (!confirm(`Apply anyway? A full sync of ${s.id} will delete ${d.users ?? '?'} users and ${d.groups ?? 0} groups from idsync, and their memberships will be suspended.`)) return;
          void start(s.id, { mode: 'full', allowDeletes: true }, 'A full sync that applies the deletions');
        } }, 'Apply anyway')));
    }
    return extra.length ? [row, h('tr', { class: 'run-detail' }, h('td', { colspan: 10 }, extra))] : row;
  }

  fill(main, h('h1', {}, 'Sources and sync runs'),
    h('p', { class: 'muted' }, 'Directories idsync reads. A run shows its progress here while it goes; this page follows it.'),
    status, list);
  await draw();
}
