/**
 * Serves a built single-page app (the reference dashboard, dashboard/dist) from the gateway's HTTP
 * front: `/` and `/index.html` answer the page, anything under `/assets/` the file Vite built
 * (content-hashed names, cached for good), other files at the top of the folder (e.g. favicon.svg)
 * as they are. GET and HEAD only; a path that leaves the folder, or a file that is not there, is
 * not answered here (the front's own 404 follows). The page may load only what it came with
 * (Content-Security-Policy 'self': no CDN, no inline script) and may call the gateway.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Route } from './http-server';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** What the page may do: its own scripts, styles and images, and requests to this origin. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * A route for the files of `root`: it answers only a file that exists there (else undefined: not
 * its request). The folder is looked at per request, so a rebuild needs no restart.
 */
export function staticFiles(root: string): Route {
  const base = path.resolve(root);
  return (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      return undefined;
    }
    if (relative === '/' || relative === '') relative = '/index.html';
    if (relative.includes('\0')) return undefined;
    const file = path.resolve(base, '.' + relative);
    if (!file.startsWith(base + path.sep)) return undefined; // outside the folder
    if (path.basename(file).startsWith('.')) return undefined; // build stamps and the like
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const hashed = relative.startsWith('/assets/');
    response.writeHead(200, {
      'content-type': contentTypeOf(file),
      'content-length': stat.size,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(file.endsWith('.html') ? { 'content-security-policy': DASHBOARD_CSP, 'x-frame-options': 'DENY' } : {}),
    });
    if (request.method === 'HEAD') {
      response.end();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      fs.createReadStream(file)
        .on('error', () => {
          response.destroy();
          resolve();
        })
        .on('end', resolve)
        .pipe(response);
    });
  };
}
