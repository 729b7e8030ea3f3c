import { api, ApiFailure, useSession } from './api.js';
import { fill, h, notice, field } from './dom.js';
import { accessPage } from './pages/access.js';
import { auditPage } from './pages/audit.js';
import { importPage } from './pages/import.js';
import { membersPage } from './pages/members.js';
import { permissionsPage } from './pages/permissions.js';
import { sourcesPage } from './pages/sources.js';
import { workspacesPage } from './pages/workspaces.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
let session = null;
/** Stops what the page left running (polling) when another page opens. */
let leave = () => {};

async function start() {
  try {
    session = await api('GET', '/console/api/session');
  } catch (error) {
    fill(main, notice('error', `The console cannot reach idsync: ${error.message}`));
    return;
  }
  sessionSignIn = session.signIn;
  if (!session.signedIn) return signInPage();
  useSession(session.csrfToken, () => signInPage('Your session has ended. Sign in again.'));
  renderTop();
  window.addEventListener('hashchange', route);
  route();
}

function signInPage(message) {
  session = null;
  top.hidden = true;
  window.removeEventListener('hashchange', route);
  leave();
  const status = h('div', { 'aria-live': 'polite' }, message ? notice('error', message) : null);
  let form;
  if (sessionSignIn === 'oidc') {
    form = h('p', {}, h('a', { class: 'button primary', href: '/console/login', id: 'sign-in' }, "Sign in with your organisation's account"));
  } else {
    const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, id: 'token' });
    form = h('form', { onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/console/api/token-sign-in', { body: { token: token.value } });
        location.reload();
      } catch (error) {
        fill(status, notice('error', error.message));
      }
    } },
      field('Admin or person token', token, 'The system token (IDSYNC_ADMIN_TOKEN) or a person token from "idsync tokens create --person <email>".'),
      h('button', { class: 'primary', type: 'submit' }, 'Sign in'));
  }
  fill(main, h('section', { class: 'signin' }, h('h1', {}, 'idsync'), h('div', { class: 'card' }, h('h2', {}, 'Sign in to the console'), status, form)));
  main.focus();
}
let sessionSignIn = 'token';

function renderTop() {
  const links = [['#/workspaces', 'Workspaces'], ['#/permissions', 'Permissions'], ['#/audit', 'Audit']];
  if (session.operator) links.push(['#/sources', 'Sources and sync']);
  const who = session.identity.email ?? 'system (admin token)';
  fill(top,
    h('a', { class: 'brand', href: '#/workspaces' }, 'idsync'),
    h('nav', { 'aria-label': 'Main' }, h('ul', {}, links.map(([href, label]) => h('li', {}, h('a', { href, 'data-nav': href }, label))))),
    h('div', { class: 'who' },
      h('span', { title: session.operator ? 'operator: the system\'s rights' : 'acts under the role matrix' }, who, session.operator ? ' · operator' : ''),
      h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out')));
  top.hidden = false;
}

async function signOut() {
  try {
    await api('POST', '/console/logout');
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
  }
  location.hash = '';
  location.reload();
}

function route() {
  leave();
  leave = () => {};
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').map(decodeURIComponent);
  const ctx = { session, main, query: new URLSearchParams(query ?? ''), setLeave: (fn) => (leave = fn) };
  for (const a of top.querySelectorAll('[data-nav]')) {
    if (location.hash.startsWith(a.getAttribute('data-nav'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  let page;
  if (parts[0] === 'workspaces' && parts[1] && parts[2] === 'import') page = importPage(ctx, parts[1]);
  else if (parts[0] === 'workspaces' && parts[1] && parts[2] === 'access' && parts[3]) page = accessPage(ctx, parts[1], parts[3]);
  else if (parts[0] === 'workspaces' && parts[1]) page = membersPage(ctx, parts[1]);
  else if (parts[0] === 'permissions') page = permissionsPage(ctx);
  else if (parts[0] === 'audit') page = auditPage(ctx);
  else if (parts[0] === 'sources' && session.operator) page = sourcesPage(ctx);
  else page = workspacesPage(ctx);
  Promise.resolve(page).catch((error) => fill(main, notice('error', error.message)));
  main.focus({ preventScroll: true });
}

start();
