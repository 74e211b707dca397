import { useCallback, useEffect, useState } from 'react';
import { checkConnection } from './api/client.js';
import { baseUrlFor, browserEnv, forgetToken, rememberToken, startSession, type SessionStart } from './api/connection.js';
import { useShortcuts } from './hooks/useShortcuts.js';
import { Header } from './layout/Header.js';
import { NavTabs } from './layout/NavTabs.js';
import { OutageBanner } from './layout/OutageBanner.js';
import { RealModeBanner } from './layout/RealModeBanner.js';
import { ShortcutsHelp } from './layout/ShortcutsHelp.js';
import { StatusBar } from './layout/StatusBar.js';
import { navigate, useRoute, VIEWS } from './lib/router.js';
import { RelayProvider } from './state/relay-context.js';
import { AccountsView } from './views/accounts/AccountsView.js';
import { CapturedView } from './views/captured/CapturedView.js';
import { LoginView } from './views/login/LoginView.js';
import { QueueView } from './views/queue/QueueView.js';
import { SettingsView } from './views/settings/SettingsView.js';
import { TenantsView } from './views/tenants/TenantsView.js';

type Session = { state: 'resolving' } | SessionStart;

/** Finds the connection (link, desktop bridge, token remembered for this tab, or login form), then shows the relay. */
export function App() {
  const [session, setSession] = useState<Session>({ state: 'resolving' });

  useEffect(() => {
    const env = browserEnv();
    let live = true;
    void startSession(env, checkConnection).then((s) => live && setSession(s));
    return () => {
      live = false;
    };
  }, []);

  const onUnauthorized = useCallback(() => {
    const env = browserEnv();
    forgetToken(env);
    void baseUrlFor(env).then((baseUrl) =>
      setSession({ state: 'login', baseUrl, notice: 'The relay rejected the saved token (it may have changed). Enter the current one.' }),
    );
  }, []);

  if (session.state === 'resolving') return <p className="muted pad">Connecting…</p>;
  if (session.state === 'login') {
    return (
      <LoginView
        baseUrl={session.baseUrl}
        notice={session.notice}
        onLogin={(connection) => {
          rememberToken(browserEnv(), connection.token);
          setSession({ state: 'ready', connection });
        }}
      />
    );
  }
  return (
    <RelayProvider connection={session.connection} onUnauthorized={onUnauthorized}>
      <Shell />
    </RelayProvider>
  );
}

function Shell() {
  const route = useRoute();
  const [help, setHelp] = useState(false);
  useShortcuts(
    {
      '1': () => navigate(VIEWS[0]),
      '2': () => navigate(VIEWS[1]),
      '3': () => navigate(VIEWS[2]),
      '4': () => navigate(VIEWS[3]),
      '5': () => navigate(VIEWS[4]),
      '?': () => setHelp(true),
      '/': (e) => {
        const input = document.querySelector<HTMLInputElement>('input[data-search]');
        if (input) {
          e.preventDefault();
          input.focus();
          input.select();
        }
      },
    },
    !help,
  );
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="banners">
        <OutageBanner />
        <RealModeBanner />
      </div>
      <Header />
      <NavTabs current={route.view} />
      <main id="main" className="main" tabIndex={-1}>
        {route.view === 'queue' ? <QueueView route={route} /> : null}
        {route.view === 'captured' ? <CapturedView route={route} /> : null}
        {route.view === 'accounts' ? <AccountsView route={route} /> : null}
        {route.view === 'settings' ? <SettingsView /> : null}
        {route.view === 'tenants' ? <TenantsView /> : null}
      </main>
      <StatusBar onHelp={() => setHelp(true)} />
      {help ? <ShortcutsHelp onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
