/**
 * The development explorer at /explorer: its page and assets are served by the gateway with the
 * right content types, the page loads nothing from another origin (its links are local and its
 * Content-Security-Policy allows only the gateway's own), and GraphiQL gets the API schema from
 * /explorer/schema.json although introspection is off. (Off in production: tests/dev-tools.test.ts.)
 */
import { buildClientSchema } from 'graphql';
import { RunningServer } from '../lib/http-server';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadVerificationKeys } from '../lib/auth/keys';
import { EXPLORER_CSP } from '../gateway/explorer';
import { startGateway } from '../gateway/gateway';
import { authHeader, CLERK } from './support/tokens';

let gateway: RunningServer;
let base: string;

beforeAll(async () => {
  // The explorer needs no subgraph: a gateway alone serves it.
  const nowhere = 'http://127.0.0.1:9/graphql';
  gateway = await startGateway({
    subgraphUrls: { courts: nowhere, housing: nowhere, counseling: nowhere, probation: nowhere },
    host: '127.0.0.1',
    port: 0,
    timeoutMs: 5_000,
    verify: createVerifier(authSettings(await loadVerificationKeys())),
    devTools: true,
  });
  base = gateway.url.replace(/\/graphql$/, '');
});
afterAll(() => gateway?.close());

/** Every src= and href= of a page. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]);
}

/**
 * Absolute URLs the bundle holds as text but never loads: XML namespaces React uses to create
 * SVG/MathML elements, and links printed in error messages and docs. Anything else fails the test:
 * look at what a dependency started to reference.
 */
const NOT_LOADED = [
  /^http:\/\/www\.w3\.org\//,
  /^https:\/\/react\.dev\/errors\/$/,
  /^https:\/\/yarnpkg\.com\/en\/docs\/selective-version-resolutions$/,
  /^https:\/\/en\.wikipedia\.org\/wiki\/IEEE_floating_point$/,
  /^https:\/\/commonmark\.org\/$/,
  /^https:\/\/codemirror\.net\/5\/doc\/manual\.html#keymaps$/,
  /^https:\/\/github\.com\/graphql\/graphiql$/, // a link (the GraphiQL logo), followed only if clicked
  /^http:\/\/(\$\{[\w.]+\})?$/, // prefixes of links the docs render from the schema's own text
];

describe('GET /explorer', () => {
  let html: string;
  let response: Response;
  beforeAll(async () => {
    response = await fetch(`${base}/explorer`);
    html = await response.text();
  });

  it('is an HTML page that references only the gateway’s own paths', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('<div id="root"></div>');
    const refs = references(html);
    expect(refs).toEqual(expect.arrayContaining(['/explorer/explorer.js', '/explorer/explorer.css']));
    for (const ref of refs) expect({ ref, local: /^\/(?!\/)/.test(ref) || ref === 'data:,' }).toEqual({ ref, local: true });
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i);
  });

  it('lets the page load, run and connect to nothing but the gateway (Content-Security-Policy)', () => {
    const csp = response.headers.get('content-security-policy');
    expect(csp).toBe(EXPLORER_CSP);
    const directives = Object.fromEntries(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    for (const values of Object.values(directives) as string[][]) for (const v of values) expect(v).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
  });

  it('serves its script and styles with their content types, bundled from node_modules', async () => {
    const js = await fetch(`${base}/explorer/explorer.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await js.text();
    expect(script.length).toBeGreaterThan(100_000); // GraphiQL and React, not a stub
    // It signs in through the development token endpoint and queries the gateway.
    for (const path of ['/dev/token', '/dev/vocabulary', '/explorer/schema.json', '/graphql']) expect(script).toContain(path);
    const absolute = [...new Set(script.match(/\bhttps?:\/\/[^\s"'`)\\]*/g) ?? [])];
    expect(absolute.filter((url) => !NOT_LOADED.some((allowed) => allowed.test(url)))).toEqual([]);
    expect(script).not.toMatch(/unpkg|jsdelivr|cdnjs|esm\.sh|googleapis|cdn\.apollographql/);

    const css = await fetch(`${base}/explorer/explorer.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const styles = await css.text();
    expect(styles).toContain('.graphiql-container');
    expect(styles).toContain('.dv-sign-in');
    expect(styles).not.toMatch(/@import/);
    const urls = [...styles.matchAll(/url\(\s*["']?([^"')]*)/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((u) => !u.startsWith('data:'))).toEqual([]);
  });

  it('gives GraphiQL the API schema while introspection stays off', async () => {
    const schema = await fetch(`${base}/explorer/schema.json`);
    expect(schema.status).toBe(200);
    expect(schema.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const built = buildClientSchema((await schema.json()) as any);
    expect(built.getQueryType()?.getFields().case).toBeDefined();
    expect(built.getType('ViolationReport')).toBeDefined();
    // Federation plumbing is not part of the API schema.
    expect(built.getQueryType()?.getFields()._entities).toBeUndefined();
    const introspection = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeader(CLERK)) },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    expect(((await introspection.json()) as any).errors[0].message).toMatch(/introspection/i);
  });

  it('answers 404 for other paths under /explorer, and 405 for other methods', async () => {
    expect((await fetch(`${base}/explorer/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/explorer/client.tsx`)).status).toBe(404);
    expect((await fetch(`${base}/explorer`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/explorer/`)).status).toBe(200);
  });
});
