/**
 * Builds the reference dashboard (dashboard/ → dashboard/dist) when its build is missing or older
 * than its sources: `npm run build:dashboard` (add `--force` to build anyway), and `npm start`
 * before it serves. A build stamp (dist/.build-stamp) holds a hash of the sources (dashboard/
 * without dist, and package-lock.json), so an unchanged dashboard costs a few milliseconds.
 * Vite is a devDependency: where it is not installed (npm ci --omit=dev), a dist that is there is
 * served as it is.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/paths';

export const DASHBOARD_SOURCE = path.join(ROOT, 'dashboard');
export const DASHBOARD_DIST = path.join(DASHBOARD_SOURCE, 'dist');
const STAMP = path.join(DASHBOARD_DIST, '.build-stamp');
const VITE = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

/** A hash of what the build reads. */
export function dashboardSourceHash(): string {
  const hash = createHash('sha256');
  const files = [...filesUnder(DASHBOARD_SOURCE), path.join(ROOT, 'package-lock.json')].sort();
  for (const file of files) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function dashboardIsBuilt(hash = dashboardSourceHash()): boolean {
  try {
    return fs.readFileSync(STAMP, 'utf8').trim() === hash && fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'));
  } catch {
    return false;
  }
}

export interface DashboardBuild {
  /** The folder to serve, or undefined when there is no dashboard to serve. */
  dir?: string;
  /** What happened, for the console. */
  note: string;
}

/** Builds dashboard/dist when missing or stale. Never throws: a failed build is reported and not served. */
export function ensureDashboardBuilt(options: { force?: boolean } = {}): DashboardBuild {
  const hash = dashboardSourceHash();
  if (!options.force && dashboardIsBuilt(hash)) return { dir: DASHBOARD_DIST, note: 'dashboard up to date' };
  if (!fs.existsSync(VITE)) {
    return fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))
      ? { dir: DASHBOARD_DIST, note: 'dashboard served as built (vite is not installed to rebuild it)' }
      : { note: 'no dashboard: dashboard/dist is not built and vite (a devDependency) is not installed' };
  }
  const started = performance.now();
  const result = spawnSync(process.execPath, [VITE, 'build', '--config', path.join(DASHBOARD_SOURCE, 'vite.config.mts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) {
    return { note: `the dashboard build failed, so it is not served:\n${result.stderr || result.stdout || result.error?.message}` };
  }
  fs.writeFileSync(STAMP, `${hash}\n`);
  return { dir: DASHBOARD_DIST, note: `dashboard built in ${((performance.now() - started) / 1000).toFixed(1)}s` };
}

if (require.main === module) {
  const build = ensureDashboardBuilt({ force: process.argv.includes('--force') });
  console.log(build.note);
  process.exit(build.dir ? 0 : 1);
}
