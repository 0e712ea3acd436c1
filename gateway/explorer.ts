/**
 * The development explorer: GraphiQL with a sign-in bar (explorer/client.tsx), bundled from the
 * npm packages in node_modules (graphiql, react, react-dom) with esbuild the first time it is
 * asked for, kept in memory, and served by the gateway itself — nothing is fetched from a CDN,
 * and the page's Content-Security-Policy lets it load nothing from anywhere else.
 *
 *   GET /explorer              the page
 *   GET /explorer/explorer.js  the bundle;  GET /explorer/explorer.css  its styles
 *   GET /explorer/schema.json  the gateway's API schema as an introspection result (GraphiQL's
 *                              docs and completion; introspection itself stays off, GRAPHQL_INTROSPECTION)
 *
 * Served only while DEV_TOOLS is on (gateway/dev-tools.ts). The bundle needs the development
 * dependencies; without them the explorer answers 503 saying so.
 */
import http from 'node:http';
import path from 'node:path';
import { GraphQLSchema, IntrospectionQuery, introspectionFromSchema } from 'graphql';
import { HttpError, Route } from '../lib/http-server';
import { logger } from '../lib/logger';
import { ROOT } from '../lib/paths';

export const EXPLORER_PATH = '/explorer';
const CLIENT_ENTRY = path.join(ROOT, 'explorer', 'client.tsx');

/** Allows what the page needs from its own origin and nothing else (styles inline: GraphiQL's editors set them). */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DV case graph explorer (development)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${EXPLORER_PATH}/explorer.css">
</head>
<body>
<noscript>The explorer needs JavaScript.</noscript>
<div id="root"></div>
<script src="${EXPLORER_PATH}/explorer.js"></script>
</body>
</html>
`;

export interface ExplorerBundle {
  js: string;
  css: string;
  /** Milliseconds esbuild took. */
  buildMs: number;
}

let bundle: Promise<ExplorerBundle> | undefined;

/** The bundle, built once per process (a failed build is tried again on the next request). */
export function explorerBundle(): Promise<ExplorerBundle> {
  bundle ??= buildBundle().catch((error) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}

async function buildBundle(): Promise<ExplorerBundle> {
  const started = performance.now();
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new HttpError(503, 'the explorer is built with esbuild, which is not installed (npm ci)');
  }
  let result;
  try {
    result = await esbuild.build({
      entryPoints: { explorer: CLIENT_ENTRY },
      bundle: true,
      write: false,
      outdir: path.join(ROOT, '.explorer-bundle'), // not written: only names the outputs
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      jsx: 'automatic',
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': '"production"' },
      loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
      logLevel: 'silent',
    });
  } catch (error) {
    const missing = ((error as { errors?: { text: string }[] }).errors ?? []).find((e) => e.text.startsWith('Could not resolve'));
    logger.error({ err: error }, 'the explorer could not be built');
    throw new HttpError(503, missing ? `the explorer needs the development dependencies (npm ci without --omit=dev): ${missing.text}` : 'the explorer could not be built (see the gateway log)');
  }
  const output = (extension: string) => result.outputFiles.find((f) => f.path.endsWith(extension))?.text ?? '';
  const built = { js: output('.js'), css: output('.css'), buildMs: Math.round(performance.now() - started) };
  logger.info({ buildMs: built.buildMs, jsBytes: built.js.length, cssBytes: built.css.length }, 'explorer bundled');
  return built;
}

function send(response: http.ServerResponse, type: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(body);
}

const introspections = new WeakMap<GraphQLSchema, string>();

/** The explorer's routes; `apiSchema` is the gateway's current API schema (undefined until loaded). */
export function explorerRoute(apiSchema: () => GraphQLSchema | undefined): Route {
  return (request, response, url) => {
    const { pathname } = url;
    if (pathname !== EXPLORER_PATH && !pathname.startsWith(`${EXPLORER_PATH}/`)) return undefined;
    return (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, `${pathname} answers GET only`);
      switch (pathname) {
        case EXPLORER_PATH:
        case `${EXPLORER_PATH}/`:
          // Built before the page is answered, so a missing dependency is said here, not by a blank page.
          await explorerBundle();
          return send(response, 'text/html', PAGE, { 'content-security-policy': EXPLORER_CSP, 'referrer-policy': 'no-referrer' });
        case `${EXPLORER_PATH}/explorer.js`:
          return send(response, 'text/javascript', (await explorerBundle()).js);
        case `${EXPLORER_PATH}/explorer.css`:
          return send(response, 'text/css', (await explorerBundle()).css);
        case `${EXPLORER_PATH}/schema.json`: {
          const schema = apiSchema();
          if (!schema) throw new HttpError(503, 'the gateway has not loaded its schema yet');
          let text = introspections.get(schema);
          if (!text) introspections.set(schema, (text = JSON.stringify(introspectionFromSchema(schema) satisfies IntrospectionQuery)));
          return send(response, 'application/json', text);
        }
        default:
          throw new HttpError(404, `no route ${pathname}`);
      }
    })();
  };
}
