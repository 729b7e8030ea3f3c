import { api, enc, withQuery } from '../api.js';
import { empty, field, fill, formatDate, h, notice, select } from '../dom.js';
import { pager } from './pager.js';

const ROLES = ['admin', 'editor', 'viewer'];
const STATUSES = [['', 'current (not removed)'], ['active', 'active'], ['suspended', 'suspended'], ['expired', 'expired'], ['removed', 'removed']];
const LAST_ADMIN = 'The last admin of a workspace can be neither removed nor demoted: make someone else admin first.';

/** Why the role matrix denies something, in the words of the rule that denies it. */
const matrixWhy = (decision) => `Not allowed: ${decision.reason} (role matrix: ${decision.rule}).`;

export async function membersPage({ main }, ws) {
  const base = `/api/v1/workspaces/${enc(ws)}`;
  const { abilities } = await api('GET', `/console/api/workspaces/${enc(ws)}/abilities`);
  const can = (action, role = 'viewer') => abilities.actions[action][role];
  const assignable = ROLES.filter((r) => can('assign-role', r).allowed);
  const invitable = ROLES.filter((r) => can('invite', r).allowed);
  const status = h('div', { 'aria-live': 'polite', class: 'status-line' });
  const say = (kind, text) => fill(status, notice(kind, text));

  // Members: filters, the table, paging.
  const q = h('input', { type: 'search', name: 'q', placeholder: 'name or e-mail', autocomplete: 'off' });
  const roleFilter = select({ name: 'role' }, [['', 'any role'], ...ROLES], '');
  const statusFilter = select({ name: 'status' }, STATUSES, '');
  const filters = h('form', { class: 'inline filters', role: 'search', onsubmit: (e) => { e.preventDefault(); void members.first(); } },
    field('Search', q), field('Role', roleFilter), field('Status', statusFilter), h('button', { type: 'submit' }, 'Filter'));
  roleFilter.addEventListener('change', () => void members.first());
  statusFilter.addEventListener('change', () => void members.first());
  const table = h('div', { class: 'table-wrap' });

  const members = pager(async (cursor) => {
    const page = await api('GET', withQuery(`${base}/members`, { q: q.value.trim(), role: roleFilter.value, status: statusFilter.value, limit: 50, cursor }));
    const fresh = await api('GET', `/console/api/workspaces/${enc(ws)}/abilities`);
    abilities.lastAdminId = fresh.abilities.lastAdminId;
    const ruleGrants = new Map(await Promise.all(page.members.filter((m) => m.origin === 'rules').map(async (m) => {
      const { person } = await api('GET', `/api/v1/people/${enc(m.personId)}`);
      return [m.personId, person.grants.find((g) => g.workspace === ws && g.origin === 'rules')];
    })));
    if (page.members.length === 0) {
      fill(table, empty(cursor || q.value || roleFilter.value || statusFilter.value ? 'No member matches these filters.' : 'This workspace has no members yet. Add someone below, invite them, or import a file.'));
      return page.next;
    }
    fill(table, h('table', { class: 'members' },
      h('caption', { class: 'sr-only' }, `Members of ${ws}`),
      h('thead', {}, h('tr', {}, ['Person', 'Role', 'Origin', 'Status', 'Valid until', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.members.map((m) => memberRow(m, ruleGrants.get(m.personId))))));
    return page.next;
  });

  function memberRow(m, ruleGrant) {
    const rule = m.origin === 'rules'
      ? `Managed by rules: source "${ruleGrant?.sourceId ?? '?'}", rule "${ruleGrant?.rule ?? '?'}". Change it in that directory or in the configured rules, not here.`
      : null;
    const lastAdmin = m.role === 'admin' && m.status === 'active' && abilities.lastAdminId === m.personId ? LAST_ADMIN : null;
    const fixed = rule ?? lastAdmin;
    const why = new Set();
    if (fixed) why.add(fixed);

    let roleCell = h('span', {}, m.role);
    const change = can('change-role', m.role);
    if (!fixed && change.allowed && m.status === 'active' && assignable.length > 0) {
      const options = assignable.includes(m.role) ? assignable : [m.role, ...assignable];
      roleCell = select({ 'aria-label': `Role of ${m.email}`, class: 'role-select', onchange: async (e) => {
        try {
          await api('PATCH', `${base}/members/${enc(m.personId)}`, { body: { role: e.target.value } });
          say('ok', `${m.email} is now ${e.target.value}.`);
          await members.reload();
        } catch (error) {
          e.target.value = m.role;
          say('error', error.message);
        }
      } }, options, m.role);
      if (!assignable.includes('admin')) why.add(matrixWhy(can('assign-role', 'admin')));
    } else if (!rule && !change.allowed) why.add(matrixWhy(change));

    const remove = can('remove-member', m.role);
    const removable = !fixed && remove.allowed && m.status !== 'removed';
    if (!rule && !remove.allowed) why.add(matrixWhy(remove));
    const actions = [h('a', { class: 'button', href: `#/workspaces/${enc(ws)}/access/${enc(m.personId)}`, 'aria-label': `Why ${m.email} has access` }, 'Why?'),
      h('button', { type: 'button', class: 'danger', disabled: !removable, 'aria-label': `Remove ${m.email}`, onclick: async () => {
      if (!confirm(`Remove ${m.email} from ${ws}? They lose access at once.`)) return;
      try {
        await api('DELETE', `${base}/members/${enc(m.personId)}`);
        say('ok', `${m.email} was removed.`);
        await members.reload();
      } catch (error) {
        say('error', error.message);
      }
    } }, 'Remove')];

    if (m.validUntil && !rule) {
      const extend = can('extend');
      if (extend.allowed) {
        const until = h('input', { type: 'date', 'aria-label': `New valid-until date for ${m.email}`, value: m.validUntil.slice(0, 10) });
        actions.push(h('span', { class: 'extend' }, until, h('button', { type: 'button', onclick: async () => {
          try {
            await api('POST', `${base}/members/${enc(m.personId)}/extend`, { body: { validUntil: until.value } });
            say('ok', `${m.email} is valid until ${until.value}.`);
            await members.reload();
          } catch (error) {
            say('error', error.message);
          }
        } }, 'Extend')));
      } else why.add(matrixWhy(extend));
    }

    const origin = m.origin === 'rules' ? `rules · ${ruleGrant?.sourceId ?? ''} · ${ruleGrant?.rule ?? ''}` : m.origin === 'manual' ? 'added by hand' : m.origin;
    return h('tr', { 'data-email': m.email },
      h('th', { scope: 'row' }, m.email),
      h('td', {}, roleCell),
      h('td', {}, origin),
      h('td', {}, h('span', { class: `badge ${m.status}` }, m.status)),
      h('td', {}, m.validUntil ? formatDate(m.validUntil) : 'does not expire'),
      h('td', {}, h('div', { class: 'actions' }, actions), why.size ? h('small', { class: 'why' }, [...why].join(' ')) : null));
  }

  // Adding a member by e-mail.
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off' });
  const addRole = select({ name: 'role' }, assignable, assignable.includes('viewer') ? 'viewer' : assignable[0]);
  const validUntil = h('input', { type: 'date', name: 'validUntil' });
  const add = assignable.length === 0
    ? h('p', { class: 'why' }, matrixWhy(can('assign-role', 'viewer')))
    : h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        try {
          const { member } = await api('POST', `${base}/members`, { body: { email: email.value.trim(), role: addRole.value, ...(validUntil.value ? { validUntil: validUntil.value } : {}) } });
          say('ok', `${member.email} added as ${member.role}.`);
          email.value = '';
          validUntil.value = '';
          await members.first();
        } catch (error) {
          say('error', error.message);
        }
      } },
      field('E-mail', email, 'a person idsync already knows (from a directory or an import)'), field('Role', addRole),
      field('Valid until (optional)', validUntil, 'external people expire; default from the lifecycle settings'),
      h('button', { class: 'primary', type: 'submit' }, 'Add member'),
      assignable.includes('admin') ? null : h('small', { class: 'why' }, matrixWhy(can('assign-role', 'admin'))));

  // Pending invites.
  const inviteList = h('div', { class: 'table-wrap' });
  const invites = pager(async (cursor) => {
    const page = await api('GET', withQuery(`${base}/invites`, { limit: 50, cursor }));
    if (page.invites.length === 0 && !cursor) {
      fill(inviteList, empty('No pending invites.'));
      return page.next;
    }
    fill(inviteList, h('table', { class: 'invites' },
      h('thead', {}, h('tr', {}, ['E-mail', 'Role', 'Invited by', 'Expires', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, page.invites.map((inv) => {
        const revoke = can('revoke-invite', inv.role);
        return h('tr', { 'data-email': inv.email }, h('th', { scope: 'row' }, inv.email), h('td', {}, inv.role), h('td', {}, inv.invitedBy), h('td', {}, formatDate(inv.expiresAt)),
          h('td', {}, revoke.allowed
            ? h('button', { type: 'button', 'aria-label': `Revoke the invite of ${inv.email}`, onclick: async () => {
                try {
                  await api('DELETE', `${base}/invites/${enc(inv.id)}`);
                  say('ok', `The invite of ${inv.email} was revoked.`);
                  await invites.reload();
                } catch (error) {
                  say('error', error.message);
                }
              } }, 'Revoke')
            : h('small', { class: 'why' }, matrixWhy(revoke))));
      }))));
    return page.next;
  });
  const inviteEmail = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off' });
  const inviteRole = select({ name: 'role' }, invitable, invitable.includes('viewer') ? 'viewer' : invitable[0]);
  const inviteForm = invitable.length === 0
    ? h('p', { class: 'why' }, matrixWhy(can('invite', 'viewer')))
    : h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        try {
          const { invite } = await api('POST', `${base}/invites`, { body: { email: inviteEmail.value.trim(), role: inviteRole.value } });
          fill(status, notice('ok', `Invite created for ${invite.email}. Send them this code; it is shown only this once: `), h('code', { class: 'secret' }, invite.token));
          inviteEmail.value = '';
          await invites.first();
        } catch (error) {
          say('error', error.message);
        }
      } }, field('E-mail', inviteEmail), field('Role', inviteRole), h('button', { type: 'submit' }, 'Invite'));

  // The workspace itself.
  const manage = can('manage-workspace');
  const newName = h('input', { name: 'name', required: true, maxlength: 200 });
  const settings = manage.allowed
    ? h('div', {},
        h('form', { class: 'inline', onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api('PATCH', base, { body: { name: newName.value } });
            say('ok', `Renamed to "${newName.value}".`);
          } catch (error) {
            say('error', error.message);
          }
        } }, field('New name', newName), h('button', { type: 'submit' }, 'Rename')),
        h('button', { type: 'button', class: 'danger', onclick: async () => {
          if (!confirm(`Delete the workspace ${ws}? Its memberships end.`)) return;
          try {
            await api('DELETE', base);
            location.hash = '#/workspaces';
          } catch (error) {
            say('error', error.message);
          }
        } }, 'Delete workspace'))
    : h('p', { class: 'why' }, matrixWhy(manage));

  const yourRole = abilities.role === 'system' ? 'operator (all rights)' : abilities.role ?? 'not a member';
  fill(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/workspaces' }, 'Workspaces'), ' / ', ws),
    h('div', { class: 'page-head' }, h('h1', {}, `Members of ${ws}`),
      h('div', {}, h('span', { class: 'badge' }, `your role: ${yourRole}`), ' ', h('a', { class: 'button', href: `#/workspaces/${enc(ws)}/import` }, 'Import users'), ' ',
        h('a', { class: 'button', href: `#/audit?workspace=${enc(ws)}` }, 'Audit'))),
    status,
    filters, table, members.el,
    h('section', { class: 'card' }, h('h2', {}, 'Add a member'), add),
    h('section', { class: 'card' }, h('h2', {}, 'Pending invites'), inviteList, invites.el, h('h3', {}, 'Invite someone'), inviteForm),
    h('section', { class: 'card' }, h('h2', {}, 'Workspace'), settings));
  await Promise.all([members.first(), invites.first()]);
}

