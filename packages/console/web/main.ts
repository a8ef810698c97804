// The console's shell: sign-in, navigation and a hash router. Pages are functions that render
// into <main> and may refresh themselves while shown (PageContext.every); leaving a page stops
// its timers. Admin-only pages and actions are not shown to keys without the admin scope.

import { Api, ApiError, storedKey, storeKey } from './api.js';
import { PageContext, type Scope, type Session } from './context.js';
import { clear, h } from './dom.js';
import { escrowsPage } from './pages/escrows.js';
import { infrastructurePage } from './pages/infrastructure.js';
import { ledgerPage } from './pages/ledger.js';
import { overviewPage } from './pages/overview.js';
import { paymentPage } from './pages/payment.js';
import { paymentsPage } from './pages/payments.js';
import { providersPage } from './pages/providers.js';
import { reviewPage } from './pages/review.js';

type Render = (ctx: PageContext, main: HTMLElement, params: readonly string[]) => Promise<void>;

interface Route {
  readonly path: string;
  readonly title: string;
  readonly render: Render;
  readonly needs?: Scope;
  readonly nav?: boolean;
}

const ROUTES: readonly Route[] = [
  { path: 'overview', title: 'Overview', render: overviewPage, nav: true },
  { path: 'payments', title: 'Payments', render: paymentsPage, nav: true },
  { path: 'payments/:id', title: 'Payment', render: paymentPage },
  { path: 'review', title: 'Review queue', render: reviewPage, nav: true },
  { path: 'escrows', title: 'Escrows & disputes', render: escrowsPage, nav: true },
  { path: 'escrows/:id', title: 'Escrow', render: escrowsPage },
  { path: 'providers', title: 'Providers & payouts', render: providersPage, nav: true },
  { path: 'ledger', title: 'Ledger & audit', render: ledgerPage, nav: true },
  { path: 'infrastructure', title: 'Infrastructure', render: infrastructurePage, nav: true, needs: 'admin' },
];

function match(hash: string): { route: Route; params: string[] } | null {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: string[] = [];
    if (
      pattern.every((p, i) => {
        if (p.startsWith(':')) {
          params.push(decodeURIComponent(parts[i]!));
          return true;
        }
        return p === parts[i];
      })
    )
      return { route, params };
  }
  return null;
}

const root = document.getElementById('app')!;
let current: PageContext | null = null;

function signIn(message?: string): void {
  current?.leave();
  document.title = 'Sign in · Paystream console';
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'key-help',
  });
  const error = h('p', { class: 'form-error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    { class: 'signin-form', novalidate: true },
    h('h1', null, 'Paystream console'),
    h('p', { class: 'muted' }, 'Sign in with an API key of your marketplace.'),
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, 'API key'), input),
    h(
      'p',
      { id: 'key-help', class: 'hint' },
      'The key stays in this tab only (session storage) and is sent as a Bearer header; closing the tab signs you out.',
    ),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (key === '') {
      error.textContent = 'Enter an API key.';
      input.focus();
      return;
    }
    try {
      await new Api(key).get('/v1/console/session');
      storeKey(key);
      if (!location.hash || location.hash === '#/signin') location.hash = '#/overview';
      await start();
    } catch (err) {
      error.textContent =
        err instanceof ApiError && err.status === 401
          ? 'That key was not accepted.'
          : `Could not sign in: ${(err as Error).message}`;
      input.focus();
    }
  });
  clear(root, h('main', { id: 'main', class: 'signin', tabindex: -1 }, form));
  input.focus();
}

async function start(): Promise<void> {
  const key = storedKey();
  if (key === null) return signIn();
  const api = new Api(key);
  let session: Session;
  try {
    session = await api.get<Session>('/v1/console/session');
  } catch (err) {
    storeKey(null);
    return signIn(
      err instanceof ApiError && err.status === 401
        ? 'Your key is no longer accepted; sign in again.'
        : undefined,
    );
  }
  const isAdmin = session.scopes.includes('admin');
  const live = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite' });
  const announce = (message: string, tone: 'ok' | 'bad' = 'ok') => {
    live.className = `toast toast-${tone} toast-shown`;
    live.textContent = message;
    window.setTimeout(() => live.classList.remove('toast-shown'), 6000);
  };
  const nav = h(
    'nav',
    { 'aria-label': 'Console' },
    h(
      'ul',
      null,
      ROUTES.filter(
        (r) => r.nav && (r.needs === undefined || session.scopes.includes(r.needs) || isAdmin),
      ).map((r) =>
        h(
          'li',
          null,
          h(
            'a',
            { href: `#/${r.path}`, 'data-path': r.path },
            r.title,
            r.needs === 'admin' ? h('span', { class: 'admin-mark', title: 'Admin only' }, 'admin') : null,
          ),
        ),
      ),
    ),
  );
  const main = h('main', { id: 'main', tabindex: -1 });
  const signOut = h('button', { type: 'button', class: 'link' }, 'Sign out');
  signOut.addEventListener('click', () => {
    storeKey(null);
    location.hash = '#/signin';
    signIn();
  });
  clear(
    root,
    h(
      'header',
      { class: 'topbar' },
      h(
        'a',
        { class: 'brand', href: '#/overview' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }, 'P'),
        'Paystream',
      ),
      h(
        'div',
        { class: 'who' },
        h('span', null, session.tenant.name),
        h('span', { class: 'scopes' }, session.scopes.join(' · ')),
        signOut,
      ),
    ),
    h('div', { class: 'layout' }, h('aside', { class: 'sidebar' }, nav), main),
    live,
  );

  const show = async () => {
    current?.leave();
    const found = match(location.hash) ?? match('#/overview')!;
    const { route, params } = found;
    for (const a of nav.querySelectorAll('a')) {
      const active = route.path.startsWith(a.dataset.path ?? '\u0000');
      if (active) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${route.title} · Paystream console`;
    const ctx = new PageContext(api, session, announce);
    current = ctx;
    if (route.needs && !ctx.can(route.needs)) {
      clear(main, h('h1', null, route.title), h('p', { class: 'notice' }, 'This page needs an admin key.'));
      return;
    }
    clear(main, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    try {
      const page = h('div', { class: 'page' });
      await route.render(ctx, page, params);
      if (!ctx.left) clear(main, page);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        storeKey(null);
        return signIn('Your key is no longer accepted; sign in again.');
      }
      if (!ctx.left)
        clear(
          main,
          h('h1', null, route.title),
          h(
            'p',
            { class: 'notice notice-bad', role: 'alert' },
            `Could not load this page: ${(err as Error).message}`,
          ),
        );
    }
  };
  window.onhashchange = () => {
    void show().then(() => main.focus({ preventScroll: true }));
  };
  if (!match(location.hash)) history.replaceState(null, '', '#/overview');
  await show();
}

void start();
