import { api, enc, withQuery } from '../api.js';
import { empty, fill, formatDate, formatTime, h, notice } from '../dom.js';

const ORIGINS = { rules: 'Granted by rules', manual: 'Added by hand', invite: 'Accepted invite' };

/** What a rule matched on the account, in the words of the directory. */
function matchedText(m) {
  if (m.kind === 'group') return m.name === m.displayName ? `group "${m.displayName}"` : `group "${m.displayName}" (as "${m.name}")`;
  if (m.kind === 'appRole') return `app role "${m.value}"`;
  return `attribute ${m.attribute} = "${m.value}"`;
}

/** Who or what ended a grant (the `by` of the explanation's `ended`). */
function endedBy(ended) {
  const by = ended.by;
  if (by.kind === 'sync') {
    const run = ended.run ? ` (${ended.run.mode} run ${ended.run.id}, ${ended.run.status}${ended.run.finishedAt ? `, finished ${formatTime(ended.run.finishedAt)}` : ''})` : ` (run ${by.runId})`;
    return `a sync of source "${by.sourceId}"${run}${by.change ? `: ${by.change}` : ''}`;
  }
  if (by.kind === 'source') return `source "${by.sourceId}"${by.change ? `: ${by.change}` : ''}`;
  if (by.kind === 'sweep') return `the lifecycle sweep "${by.sweep}"`;
  if (by.kind === 'reconciliation') return 'a reconciliation of the rules (the rules changed, no source did)';
  return by.by === 'system' ? 'the system (admin token or operator)' : by.by.replace(/^user:/, '');
}

/** A definition list of label → value pairs; values null or undefined are left out. */
function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function grantCard(g) {
  const evidence = g.origin !== 'rules' ? null : g.evidence?.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'evidence' },
        h('caption', {}, 'What the rules match now (the first row gives the role)'),
        h('thead', {}, h('tr', {}, ['Source', 'Account', 'Matched', 'Rule'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, g.evidence.map((e) => h('tr', {},
          h('td', {}, e.account.sourceId), h('td', {}, e.account.userName), h('td', {}, matchedText(e.matched)), h('td', {}, h('code', {}, e.rule.text)))))))
    : h('p', { class: 'why' }, 'No rule matches any of this person\'s accounts now.');
  const ended = g.ended
    ? notice('warn', `Ended ${formatTime(g.ended.at)} (${g.ended.action}) by ${endedBy(g.ended)}${g.ended.cause ? ` — ${g.ended.cause}` : ''}${g.ended.rule ? `. The rule that had matched: ${g.ended.rule}` : ''}.`)
    : g.status !== 'active' ? notice('warn', `This grant is ${g.status}; no recorded change says what ended it.`) : null;
  const history = g.history.length === 0 ? null : h('details', {},
    h('summary', {}, `History (${g.history.length} change${g.history.length === 1 ? '' : 's'})`),
    h('ol', { class: 'history' }, g.history.map((c) => h('li', {}, `${formatTime(c.at)} · ${c.action} by ${c.actor}${c.cause ? ` — ${c.cause}` : ''}`))));
  return h('section', { class: 'card grant', 'data-origin': g.origin, 'data-status': g.status },
    h('h2', {}, ORIGINS[g.origin] ?? g.origin, ' ', h('span', { class: `badge ${g.status}` }, g.status), g.effective ? [' ', h('span', { class: 'badge ok' }, 'gives the effective role')] : null),
    facts([
      ['Role', g.role],
      ['Source', g.origin === 'rules' ? g.sourceId ?? '—' : null],
      ['Rule', g.origin === 'rules' ? g.rule ?? '—' : null],
      ['Valid from', formatDate(g.validFrom)],
      ['Valid until', g.validUntil ? formatDate(g.validUntil) : 'does not expire'],
      ['Granted by', g.grantedBy],
    ]),
    evidence, ended, history);
}

/**
 * Why a person holds what they hold in one workspace (`GET /people/{id}/access?workspace=`): the
 * effective role, each grant behind it with its evidence, and what ended the grants that ended.
 */
export async function accessPage({ main }, ws, personId) {
  const { person, workspaces } = await api('GET', withQuery(`/api/v1/people/${enc(personId)}/access`, { workspace: ws }));
  const access = workspaces.find((w) => w.workspace === ws);
  const summary = access?.role
    ? h('p', { class: 'effective' }, 'Effective role: ', h('strong', {}, access.role), ` (${ORIGINS[access.origin] ?? access.origin}).`)
    : h('p', { class: 'effective' }, h('strong', {}, 'No access now'), ': no grant in this workspace is active.');
  const pending = access?.pending
    ? notice('warn', access.pending.role
        ? `Pending: the rules now give ${access.pending.role} (${access.pending.rule}); the next reconcile applies it.`
        : 'Pending: no rule matches any more; the next reconcile suspends the rule grant.')
    : null;
  fill(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/workspaces' }, 'Workspaces'), ' / ', h('a', { href: `#/workspaces/${enc(ws)}` }, ws), ' / ', person.email),
    h('h1', {}, `Why ${person.email} has access to ${ws}`),
    summary, pending,
    access?.grants.length ? access.grants.map(grantCard) : empty('This person holds no grant in this workspace, and none has ended.'));
}
