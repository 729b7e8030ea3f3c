import { api, withQuery } from '../api.js';
import { empty, field, fill, h, notice } from '../dom.js';
import { pager } from './pager.js';

export async function workspacesPage({ session, main }) {
  const list = h('div', { 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite' });
  const paging = pager(async (cursor) => {
    const { workspaces, next } = await api('GET', withQuery('/api/v1/workspaces', { limit: 50, cursor }));
    if (workspaces.length === 0 && !cursor) {
      fill(list, empty(session.operator ? 'There are no workspaces yet. Create the first one below.' : 'You are not a member of any workspace yet. Ask an admin of your team to add you.'));
      return next;
    }
    fill(list, h('ul', { class: 'tiles' }, workspaces.map((w) =>
      h('li', {}, h('a', { class: 'tile', href: `#/workspaces/${encodeURIComponent(w.id)}` },
        h('strong', {}, w.name), h('span', { class: 'muted' }, w.id), w.managedBy === 'config' ? h('span', { class: 'badge' }, 'from config') : null)))));
    return next;
  });

  const id = h('input', { name: 'id', required: true, pattern: '[a-z0-9][a-z0-9_\\-]{0,62}', autocomplete: 'off' });
  const name = h('input', { name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const create = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const { workspace } = await api('POST', '/api/v1/workspaces', { body: { id: id.value, name: name.value } });
      fill(status, notice('ok', `Workspace "${workspace.name}" created.`));
      id.value = '';
      name.value = '';
      await paging.first();
    } catch (error) {
      fill(status, notice('error', error.message));
    }
  } },
    field('Id', id, 'lower-case letters, digits, - or _'), field('Name', name), h('button', { class: 'primary', type: 'submit' }, 'Create workspace'));

  fill(main,
    h('h1', {}, 'Workspaces'),
    h('p', { class: 'muted' }, session.operator ? 'Every workspace. Open one to manage its members, invites and imports.' : 'The workspaces you are a member of. Open one to see and manage its members.'),
    list, paging.el,
    h('section', { class: 'card' }, h('h2', {}, 'New workspace'),
      session.operator ? null : h('p', { class: 'muted' }, 'Only admins of a workspace may create one; anyone else is told why.'),
      status, create));
  await paging.first();
}
