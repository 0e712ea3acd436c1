/** The dashboard: sign-in, then the caseload (#/) and a whole case (#/case/<id>). */
import { useEffect, useMemo, useState } from 'react';
import { Client, Provider, cacheExchange, fetchExchange, mapExchange } from 'urql';
import { Caseload } from './Caseload';
import { CaseView } from './CaseView';
import { SignIn } from './SignIn';
import { type Session, loadSession, saveSession } from './session';
import { humanize } from './words';

function useHashRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

/**
 * urql keeps the data beside the errors: a withheld field is null in `data` and explained in
 * `error.graphQLErrors`, and the rest of the case is there. POST only (the gateway's CSRF guard).
 */
function clientFor(session: Session, onUnauthorized: () => void): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${session.token}` } }),
    exchanges: [
      mapExchange({
        onError(error) {
          if ((error.response as Response | undefined)?.status === 401) onUnauthorized();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);
  const route = useHashRoute();
  const signOut = (why: string | null = null) => {
    saveSession(null);
    setSession(null);
    setNotice(why);
  };
  const client = useMemo(() => (session ? clientFor(session, () => signOut('Your token was refused or has expired: sign in again.')) : null), [session]);
  useEffect(() => {
    document.title = session ? `DV case graph — ${humanize(session.role)}` : 'DV case graph — sign in';
  }, [session]);
  const caseMatch = /^\/case\/([^/]+)$/.exec(route);

  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <a className="brand" href="#/">DV case graph</a>
        {session ? (
          <div className="who">
            <span>
              {session.subject ? `${session.subject} · ` : ''}
              {humanize(session.agency)} · {humanize(session.role)} · {humanize(session.purpose)}
            </span>
            <button type="button" onClick={() => signOut()}>Sign out</button>
          </div>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {!session || !client ? (
          <SignIn
            notice={notice}
            onSignedIn={(s) => {
              saveSession(s);
              setNotice(null);
              setSession(s);
            }}
          />
        ) : (
          <Provider value={client}>
            {caseMatch ? (
              <CaseView key={`${caseMatch[1]}-${session.token}`} id={decodeURIComponent(caseMatch[1])} caller={session} token={session.token} />
            ) : (
              <Caseload key={session.token} caller={session} />
            )}
          </Provider>
        )}
      </main>
    </>
  );
}
