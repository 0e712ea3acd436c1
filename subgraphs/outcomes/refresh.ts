/**
 * A refresh: the broker reads every case through the gateway under its own identity (one page of
 * cases at a time; every field decided by the owners' rules and logged in their disclosure logs),
 * de-identifies and links them, computes every metric's tables with suppression applied, and
 * stores them as the new current snapshot in one transaction. Any refusal or error in what the
 * gateway answers stops the refresh, and the previous snapshot stays current (fail closed: a
 * metric is never computed on partly withheld data). The one refusal that does not stop it: a
 * victim's shelter, housing or counseling record withheld for want of the victim's research
 * consent (VAWA; MOU-2026-HSG-O1, MOU-2026-CNS-O2): expected, that record is left out.
 */
import { DataSource } from 'typeorm';
import { JWK } from 'jose';
import fs from 'node:fs';
import { authSettings, signToken } from '../../lib/auth/identity';
import { loadSigningKey } from '../../lib/auth/keys';
import { Agreement, inForce, loadAgreements } from '../../lib/policy/agreements';
import { ConfigError } from '../../lib/config';
import { logger } from '../../lib/logger';
import { DeidentifiedCase, GatewayCase, REFRESH_QUERY, deidentify, loadPseudonymKey, pseudonymizer } from './records';
import { METRICS, METRIC_SPECS, publishMetric, referredWithoutConsent } from './metrics';
import { DIMENSIONS, Dimension } from './suppression';

type Env = Record<string, string | undefined>;

export const BROKER = { agency: 'outcomes', role: 'broker', purpose: 'research', subject: 'outcomes-broker' } as const;

/** The broker's token: OUTCOMES_SERVICE_TOKEN_FILE (issued by the identity provider), else signed with the development key. */
export async function brokerToken(env: Env = process.env, key?: JWK): Promise<string> {
  const file = env.OUTCOMES_SERVICE_TOKEN_FILE;
  if (file) {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (!token) throw new ConfigError(`OUTCOMES_SERVICE_TOKEN_FILE ${file} is empty`);
    return token;
  }
  return signToken({ ...BROKER, ttlSeconds: 3600 }, key ?? (await loadSigningKey(env)), authSettings({ keys: [] }, env));
}

/** The agreements in force on `today` that grant the broker anything: those the snapshot comes from. */
export function brokerAgreements(agreements: Agreement[], today: string): string[] {
  return agreements
    .filter((a) => inForce(a, today))
    .filter((a) => a.grantees.some((g) => (g.agency === 'outcomes' || g.agency === '*') && g.roles.includes(BROKER.role)))
    .map((a) => `${a.id} v${a.version}`)
    .sort();
}

export function pageSize(env: Env = process.env): number {
  const raw = env.OUTCOMES_PAGE_SIZE;
  if (!raw) return 200;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new ConfigError(`OUTCOMES_PAGE_SIZE must be 1 to 500, got "${raw}"`);
  return n;
}

export class RefreshError extends Error {
  override name = 'RefreshError';
}

/**
 * The coordinates agreements in force grant the broker only under the person's consent (VAWA:
 * victims' shelter, housing and counseling records, MOU-2026-HSG-O1 and MOU-2026-CNS-O2).
 */
export function consentGatedCoordinates(agreements: Agreement[], today: string): Set<string> {
  return new Set(
    agreements
      .filter((a) => a.consentRequired && inForce(a, today))
      .filter((a) => a.grantees.some((g) => (g.agency === 'outcomes' || g.agency === '*') && g.roles.includes(BROKER.role)))
      .flatMap((a) => a.fields),
  );
}

export interface GatewayError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; reason?: string; coordinate?: string };
}

/**
 * Whether a refusal means "this victim has not consented": a record's field withheld on a
 * consent-gated coordinate, inside one of the case's consent-gated lists (a shelter stay of
 * `Case.shelterStays`), or a person's research-consent field. Anything else stops the refresh.
 */
export function consentRefusal(e: GatewayError, gated: Set<string>): boolean {
  const { code, reason, coordinate } = e.extensions ?? {};
  const path = e.path ?? [];
  if (code !== 'FORBIDDEN' || reason !== 'RECORD_WITHHELD' || !coordinate || !gated.has(coordinate)) return false;
  if (path[0] !== 'cases' || path[1] !== 'nodes' || typeof path[2] !== 'number' || path[path.length - 1] !== coordinate.split('.')[1]) return false;
  if (coordinate.startsWith('Person.')) return true;
  return gated.has(`Case.${path[3]}`) && typeof path[4] === 'number';
}

/** The page's cases without the records a consent refusal withheld part of (only whole records of consenting victims are kept). */
function withoutWithheld(nodes: GatewayCase[], refusals: GatewayError[]): GatewayCase[] {
  const drop = new Set(refusals.filter((e) => !e.extensions!.coordinate!.startsWith('Person.')).map((e) => e.path!.slice(2, 5).join('.')));
  if (drop.size === 0) return nodes;
  return nodes.map((node, i) => {
    const copy: Record<string, unknown> = { ...node };
    for (const [key, value] of Object.entries(node)) {
      if (Array.isArray(value)) copy[key] = value.filter((_v, j) => !drop.has(`${i}.${key}.${j}`));
    }
    return copy as unknown as GatewayCase;
  });
}

/**
 * Reads every case through the gateway, page by page. A refusal stops it, except a consent
 * refusal on `consentGated` coordinates (a victim who has not consented): the record it is part
 * of is left out, and counted in `withheld`.
 */
export async function readCases(
  gatewayUrl: string,
  token: string,
  options: { pageSize?: number; progress?: (read: number) => void; consentGated?: Set<string>; withheld?: { count: number } } = {},
): Promise<GatewayCase[]> {
  const gated = options.consentGated ?? new Set<string>();
  const out: GatewayCase[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: REFRESH_QUERY, variables: { first: options.pageSize ?? pageSize(), after } }),
    });
    const body = (await response.json().catch(() => null)) as { data?: { cases?: { nodes: GatewayCase[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }; errors?: GatewayError[] } | null;
    const errors = (body?.errors ?? []).filter((e) => !consentRefusal(e, gated));
    if (!response.ok || !body || errors.length || !body.data?.cases) {
      const first = errors[0];
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      throw new RefreshError(`the gateway answered HTTP ${response.status}${first ? `: ${first.extensions?.code ?? 'ERROR'} ${first.message}${more}` : ''}; the previous snapshot stays current`);
    }
    const refusals = body.errors ?? [];
    if (options.withheld) options.withheld.count += refusals.length;
    out.push(...withoutWithheld(body.data.cases.nodes, refusals));
    options.progress?.(out.length);
    if (!body.data.cases.pageInfo.hasNextPage) return out;
    after = body.data.cases.pageInfo.endCursor;
  }
}

export interface RefreshResult {
  snapshotId: number;
  cases: number;
  cells: number;
  agreements: string[];
  readMs: number;
  computeMs: number;
  writeMs: number;
  /** Metrics whose suppression failed: every cell of theirs is suppressed in this snapshot. */
  suppressedWhole: string[];
  /** Fields withheld for want of a victim's consent (expected: that victim's records are left out). */
  withheldForConsent: number;
  /** Referred victims (30 days passed) left out of service engagement for want of consent. */
  referredWithoutConsent: number;
}

/** Computes every metric's tables from de-identified records and writes them as the current snapshot. */
export async function storeSnapshot(
  db: DataSource,
  records: DeidentifiedCase[],
  options: { asOf: string; takenAt: Date; agreements: string[]; onSuppressionFailure?: (metric: string, error: unknown) => void },
): Promise<{ snapshotId: number; cells: number; computeMs: number; writeMs: number }> {
  const t0 = performance.now();
  const rows: { metric: string; grouping: string; seq: number; key: object; count: number | null; numerator: number | null; denominator: number | null; rate: number | null; median: number | null; q1: number | null; q3: number | null; suppressed: string | null }[] = [];
  for (const metric of METRICS) {
    const spec = METRIC_SPECS[metric];
    for (const table of publishMetric(spec, spec.units(records, options.asOf), { onSuppressionFailure: options.onSuppressionFailure })) {
      const grouping = groupingName(table.by);
      table.cells.forEach((c, seq) => rows.push({ metric, grouping, seq, ...c }));
    }
  }
  const t1 = performance.now();
  const snapshotId = await db.transaction(async (em) => {
    // One refresh at a time: the next id and the switch of the current snapshot are decided under the lock.
    await em.query('LOCK TABLE outcome_snapshot IN EXCLUSIVE MODE');
    const [{ next }] = await em.query('SELECT coalesce(max(id), 0) + 1 AS next FROM outcome_snapshot');
    await em.query('INSERT INTO outcome_snapshot (id, taken_at, as_of_date, agreements, cases, current) VALUES ($1, $2, $3, $4, $5, false)', [
      next, options.takenAt, options.asOf, options.agreements, records.length,
    ]);
    for (let i = 0; i < records.length; i += 1000) {
      const batch = records.slice(i, i + 1000).map((r) => ({ case_key: r.case, record: r }));
      await em.query('INSERT INTO outcome_record (snapshot_id, case_key, record) SELECT $1, x.case_key, x.record FROM json_to_recordset($2::json) AS x(case_key text, record jsonb)', [next, JSON.stringify(batch)]);
    }
    for (let i = 0; i < rows.length; i += 5000) {
      await em.query(
        `INSERT INTO outcome_cell (snapshot_id, metric, grouping, seq, key, count, numerator, denominator, rate, median, q1, q3, suppressed)
         SELECT $1, x.metric, x.grouping, x.seq, x.key, x.count, x.numerator, x.denominator, x.rate, x.median, x.q1, x.q3, x.suppressed
           FROM json_to_recordset($2::json) AS x(metric text, grouping text, seq integer, key jsonb, count integer, numerator double precision,
                denominator double precision, rate double precision, median double precision, q1 double precision, q3 double precision, suppressed text)`,
        [next, JSON.stringify(rows.slice(i, i + 5000))],
      );
    }
    await em.query('UPDATE outcome_snapshot SET current = false WHERE current');
    await em.query('UPDATE outcome_snapshot SET current = true WHERE id = $1', [next]);
    // Keep the one before (a query that began on it finishes); delete older ones.
    await em.query('DELETE FROM outcome_snapshot WHERE id < $1', [next - 1]);
    return next as number;
  });
  return { snapshotId, cells: rows.length, computeMs: t1 - t0, writeMs: performance.now() - t1 };
}

/** A grouping's stored name: its dimensions in a fixed order, comma-separated ('' for the total). */
export function groupingName(by: readonly Dimension[]): string {
  return [...by].sort((a, b) => DIMENSIONS.indexOf(a) - DIMENSIONS.indexOf(b)).join(',');
}

export interface RefreshOptions {
  db: DataSource;
  gatewayUrl: string;
  /** The policy date: windows are judged on it. */
  today: string;
  token?: string;
  pseudonymKey?: Buffer;
  agreements?: Agreement[];
  pageSize?: number;
  progress?: (message: string) => void;
}

export async function refreshOutcomes(options: RefreshOptions): Promise<RefreshResult> {
  const progress = options.progress ?? (() => undefined);
  const pseudonym = pseudonymizer(options.pseudonymKey ?? loadPseudonymKey());
  const token = options.token ?? (await brokerToken());
  const loaded = options.agreements ?? loadAgreements();
  const agreements = brokerAgreements(loaded, options.today);
  const withheld = { count: 0 };
  const takenAt = new Date();
  const t0 = performance.now();
  progress(`reading cases through ${options.gatewayUrl} as ${BROKER.agency} ${BROKER.role} (${BROKER.purpose})`);
  const cases = await readCases(options.gatewayUrl, token, {
    pageSize: options.pageSize,
    progress: (n) => progress(`  ${n} cases read`),
    consentGated: consentGatedCoordinates(loaded, options.today),
    withheld,
  });
  const readMs = performance.now() - t0;
  const records = cases.map((c) => deidentify(c, pseudonym));
  progress(`computing ${METRICS.length} metrics over ${records.length} de-identified cases`);
  const suppressedWhole: string[] = [];
  const stored = await storeSnapshot(options.db, records, {
    asOf: options.today,
    takenAt,
    agreements,
    onSuppressionFailure: (metric, error) => {
      suppressedWhole.push(metric);
      logger.error({ err: error, metric }, 'suppression failed: every cell of the metric is suppressed in this snapshot');
      progress(`  ${metric}: suppression failed (${(error as Error).message}); all its cells are suppressed`);
    },
  });
  const unconsented = referredWithoutConsent(records, options.today);
  progress(`  ${withheld.count} fields withheld for want of a victim's consent; ${unconsented} referred victims left out of service engagement`);
  progress(`snapshot ${stored.snapshotId}: ${stored.cells} cells (read ${Math.round(readMs)} ms, compute ${Math.round(stored.computeMs)} ms, write ${Math.round(stored.writeMs)} ms)`);
  return { snapshotId: stored.snapshotId, cases: records.length, cells: stored.cells, agreements, readMs, computeMs: stored.computeMs, writeMs: stored.writeMs, suppressedWhole, withheldForConsent: withheld.count, referredWithoutConsent: unconsented };
}

/**
 * Runs `refresh` every `intervalMs` (and once after `firstAfterMs`, when given), never two at once:
 * a tick that comes while one is still running is skipped. A failure is logged by `onError`; the
 * previous snapshot stays current. Returns how to stop the timer.
 */
export function refreshEvery(refresh: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void, firstAfterMs?: number): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    refresh().catch(onError).finally(() => (running = false));
  };
  const first = firstAfterMs === undefined ? undefined : setTimeout(tick, firstAfterMs);
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : undefined;
  first?.unref();
  timer?.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
