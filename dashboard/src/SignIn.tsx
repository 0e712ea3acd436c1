/**
 * Sign-in. In development the gateway's development signer (GET /dev/vocabulary, POST /dev/token)
 * makes a token for the agency, role and purpose picked here; where it is off (production) the
 * token comes from the identity provider and is pasted here.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { type Session, type Vocabulary, fetchVocabulary, requestDevToken, sessionFromToken, usualPurpose } from './session';
import { humanize } from './words';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: string | null }) {
  const [vocabulary, setVocabulary] = useState<Vocabulary | null | undefined>(undefined);
  useEffect(() => {
    fetchVocabulary().then(setVocabulary);
  }, []);
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      {notice ? <p role="alert" className="error-box">{notice}</p> : null}
      {vocabulary === undefined ? <p role="status">Asking the gateway how to sign in…</p> : null}
      {vocabulary ? <DevSignIn vocabulary={vocabulary} onSignedIn={onSignedIn} /> : null}
      {vocabulary === null ? <TokenSignIn onSignedIn={onSignedIn} /> : null}
    </section>
  );
}

function DevSignIn({ vocabulary, onSignedIn }: { vocabulary: Vocabulary; onSignedIn: (session: Session) => void }) {
  const id = useId();
  const [agency, setAgency] = useState(vocabulary.agencies[0] ?? '');
  const roles = vocabulary.roles[agency] ?? [];
  const [role, setRole] = useState(roles[0] ?? '');
  const granted = (r: string, a = agency) => vocabulary.rolePurposes[`${a}/${r}`] ?? [];
  const [purpose, setPurpose] = useState(usualPurpose(roles[0] ?? '', granted(roles[0] ?? '')));
  const [subject, setSubject] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pickAgency = (next: string) => {
    setAgency(next);
    const first = vocabulary.roles[next]?.[0] ?? '';
    setRole(first);
    setPurpose(usualPurpose(first, granted(first, next)));
  };
  const pickRole = (next: string) => {
    setRole(next);
    setPurpose(usualPurpose(next, granted(next)));
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await requestDevToken({ agency, role, purpose, ...(subject.trim() ? { subject: subject.trim() } : {}) }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="owner-form" aria-describedby={`${id}-about`}>
      <p id={`${id}-about`} className="quiet">
        Development sign-in: the gateway's development signer issues a token for what you pick. What you then see is
        what the agencies' agreements allow that agency, role and purpose.
      </p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-agency`}>Agency</label>
          <select id={`${id}-agency`} value={agency} onChange={(e) => pickAgency(e.target.value)}>
            {vocabulary.agencies.map((a) => (
              <option key={a} value={a}>{humanize(a)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} onChange={(e) => pickRole(e.target.value)}>
            {roles.map((r) => (
              <option key={r} value={r}>{humanize(r)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-purpose`}>Purpose of use</label>
          <select id={`${id}-purpose`} value={purpose} onChange={(e) => setPurpose(e.target.value)}>
            {vocabulary.purposes.map((p) => (
              <option key={p} value={p}>
                {humanize(p)}
                {granted(role).length > 0 && !granted(role).includes(p) ? ' (not granted to this role)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-subject`}>User id</label>
          <input id={`${id}-subject`} value={subject} onChange={(e) => setSubject(e.target.value)} aria-describedby={`${id}-subject-hint`} autoComplete="off" />
          <p className="hint" id={`${id}-subject-hint`}>Optional (e.g. demo-shelter-staff).</p>
        </div>
      </div>
      <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      {error ? <p role="alert" className="field-error">{error}</p> : null}
    </form>
  );
}

function TokenSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const id = useId();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const session = sessionFromToken(token.trim());
    if (!session) {
      setError('That is not a token with agency, role and purpose claims. Paste the token your identity provider issued.');
      return;
    }
    onSignedIn(session);
  };
  return (
    <form onSubmit={submit} className="owner-form">
      <div className="field">
        <label htmlFor={`${id}-token`}>Token from your identity provider</label>
        <textarea id={`${id}-token`} rows={4} value={token} onChange={(e) => setToken(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
        {error ? <p className="field-error" id={`${id}-error`} role="alert">{error}</p> : null}
      </div>
      <button type="submit">Sign in</button>
    </form>
  );
}
