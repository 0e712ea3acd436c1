/**
 * The development explorer (GET /explorer, served by the gateway while DEV_TOOLS is on): GraphiQL
 * over the gateway's /graphql, with a sign-in bar that asks POST /dev/token for a development
 * token as the agency, role and purpose picked, and sends it as Authorization. Everything it
 * loads comes from the gateway (bundled from node_modules by gateway/explorer.ts); no CDN.
 */
import { FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { GraphQLSchema, IntrospectionQuery, buildClientSchema } from 'graphql';
import 'graphiql/style.css';
import './explorer.css';

interface Vocabulary {
  agencies: { agency: string; roles: { role: string; purposes: string[] }[] }[];
  purposes: string[];
}

interface Identity {
  agency: string;
  role: string;
  purpose: string;
  subject: string;
}

interface SignedIn extends Identity {
  token: string;
  expiresAt: number;
}

type WithheldForm = 'errors' | 'extensions' | 'fail';

const DEFAULT_QUERY = `# Pick an agency, role and purpose above, press "Get token":
# the token goes with every request as Authorization.
# Withheld fields come back null with their reason; the
# "Withheld fields" setting chooses where the reasons go.
query FirstCases {
  cases(first: 5) {
    nodes {
      id
      docketNumber
      status
      parties { role person { givenName familyName housingStatus } }
    }
  }
}
`;

async function json<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => undefined);
  if (!response.ok) throw new Error(body?.errors?.[0]?.message ?? `${response.status} ${response.statusText}`);
  return body as T;
}

function label(word: string): string {
  return word.replace(/_/g, ' ');
}

function Explorer() {
  const [vocabulary, setVocabulary] = useState<Vocabulary>();
  // null: none yet, and GraphiQL must not introspect (the gateway's introspection is off).
  const [schema, setSchema] = useState<GraphQLSchema | null>(null);
  const [choice, setChoice] = useState<Identity>({ agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: '' });
  const [signedIn, setSignedIn] = useState<SignedIn>();
  const [form, setForm] = useState<WithheldForm>('errors');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetch('/dev/vocabulary').then((r) => json<Vocabulary>(r)).then(setVocabulary, (e: Error) => setProblem(`Could not load the vocabulary: ${e.message}`));
    fetch('/explorer/schema.json').then((r) => json<IntrospectionQuery>(r)).then((i) => setSchema(buildClientSchema(i)), (e: Error) => setProblem(`Could not load the schema: ${e.message}`));
  }, []);

  const roles = useMemo(() => vocabulary?.agencies.find((a) => a.agency === choice.agency)?.roles ?? [], [vocabulary, choice.agency]);
  const suggested = roles.find((r) => r.role === choice.role)?.purposes ?? [];

  const pickAgency = (agency: string) => {
    const first = vocabulary?.agencies.find((a) => a.agency === agency)?.roles[0];
    setChoice({ ...choice, agency, role: first?.role ?? '', purpose: first?.purposes[0] ?? choice.purpose });
  };
  const pickRole = (role: string) => {
    const purposes = roles.find((r) => r.role === role)?.purposes ?? [];
    setChoice({ ...choice, role, purpose: purposes.includes(choice.purpose) ? choice.purpose : purposes[0] ?? choice.purpose });
  };

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const { subject, ...rest } = choice;
      const answer = await json<{ token: string; expiresIn: number }>(
        await fetch('/dev/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(subject.trim() ? { ...rest, subject: subject.trim() } : rest),
        }),
      );
      setSignedIn({ ...choice, token: answer.token, expiresAt: Date.now() + answer.expiresIn * 1000 });
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const fetcher = useCallback(
    async (params: unknown, options?: { headers?: Record<string, unknown> }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (const [name, value] of Object.entries(options?.headers ?? {})) headers[name.toLowerCase()] = String(value);
      if (signedIn && !headers.authorization) headers.authorization = `Bearer ${signedIn.token}`;
      if (form !== 'errors' && !headers['x-withheld-fields']) headers['x-withheld-fields'] = form;
      const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify(params) });
      return response.json();
    },
    [signedIn, form],
  );

  const expired = signedIn !== undefined && signedIn.expiresAt <= Date.now();
  return (
    <div className="dv-explorer">
      <form className="dv-sign-in" onSubmit={signIn} aria-label="Development sign-in">
        <strong className="dv-title">DV case graph explorer (development)</strong>
        <label>
          Agency
          <select value={choice.agency} onChange={(e) => pickAgency(e.target.value)}>
            {vocabulary?.agencies.map((a) => (
              <option key={a.agency} value={a.agency}>
                {label(a.agency)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Role
          <select value={choice.role} onChange={(e) => pickRole(e.target.value)}>
            {roles.map((r) => (
              <option key={r.role} value={r.role}>
                {label(r.role)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Purpose
          <select value={choice.purpose} onChange={(e) => setChoice({ ...choice, purpose: e.target.value })}>
            {vocabulary?.purposes.map((p) => (
              <option key={p} value={p}>
                {label(p)}
                {suggested.includes(p) ? '' : ' (no grant)'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subject
          <input value={choice.subject} placeholder={`${choice.agency}-${choice.role}-dev`} onChange={(e) => setChoice({ ...choice, subject: e.target.value })} size={18} />
        </label>
        <button type="submit" disabled={busy || !vocabulary}>
          Get token
        </button>
        <label>
          Withheld fields
          <select value={form} onChange={(e) => setForm(e.target.value as WithheldForm)}>
            <option value="errors">in errors (default)</option>
            <option value="extensions">in extensions.withheld</option>
            <option value="fail">all or nothing</option>
          </select>
        </label>
        <span className="dv-status" role="status" aria-live="polite">
          {problem
            ? `⚠ ${problem}`
            : signedIn
              ? `${expired ? 'Token expired' : 'Signed in'}: ${label(signedIn.agency)} · ${label(signedIn.role)} · ${label(signedIn.purpose)}${expired ? '' : ` until ${new Date(signedIn.expiresAt).toLocaleTimeString()}`}`
              : 'Not signed in: requests get 401'}
        </span>
      </form>
      <div className="dv-graphiql">
        <GraphiQL fetcher={fetcher as never} schema={schema} defaultQuery={DEFAULT_QUERY} />
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<Explorer />);
