/**
 * The caller's caseload, what needs attention first: the cases the caller's agency has records in
 * (the court: every case), each with its flags, sorted by how much needs attention (or by docket
 * number, filing date, next protective-order expiry), a page at a time.
 *
 * The graph pages cases by docket number; attention is the dashboard's own ordering, so the
 * caseload is read whole (100 cases a request, at most MAX_CASES) and sorted here.
 */
import { useEffect, useMemo, useState } from 'react';
import { type OperationResult, useClient } from 'urql';
import { DashboardCaseloadDocument, type CaseStatus, type DashboardCaseloadQuery } from './generated/graphql';
import { type CaseloadCase, type Flag, flagsOf, involves, nextExpiry, scoreOf } from './attention';
import type { Caller } from './withheld';
import { formatDate, humanize, today } from './words';

export const PAGE_SIZE = 15;
const FETCH_SIZE = 100;
export const MAX_CASES = 1000;

type SortKey = 'attention' | 'docket' | 'filed' | 'expiry';
interface Row {
  c: CaseloadCase;
  flags: Flag[];
  score: number;
  expiry: string | null;
}

const SORTS: Record<SortKey, { label: string; compare: (a: Row, b: Row) => number }> = {
  attention: { label: 'Needs attention', compare: (a, b) => b.score - a.score || (a.c.docketNumber ?? '').localeCompare(b.c.docketNumber ?? '') },
  docket: { label: 'Docket number', compare: (a, b) => (a.c.docketNumber ?? '').localeCompare(b.c.docketNumber ?? '') },
  filed: { label: 'Filed', compare: (a, b) => (b.c.filedDate ?? '').localeCompare(a.c.filedDate ?? '') },
  expiry: { label: 'Order expires', compare: (a, b) => (a.expiry ?? '9999').localeCompare(b.expiry ?? '9999') },
};

export function Caseload({ caller }: { caller: Caller }) {
  const client = useClient();
  const [status, setStatus] = useState<CaseStatus | ''>('OPEN');
  const [mineOnly, setMineOnly] = useState(caller.agency !== 'courts');
  const [sort, setSort] = useState<SortKey>('attention');
  const [page, setPage] = useState(0);
  const [state, setState] = useState<{ cases: CaseloadCase[]; loading: boolean; error: string | null; truncated: boolean; withheld: number }>({
    cases: [],
    loading: true,
    error: null,
    truncated: false,
    withheld: 0,
  });

  useEffect(() => {
    let cancelled = false;
    setState((s) => ({ ...s, loading: true, error: null }));
    (async () => {
      const cases: CaseloadCase[] = [];
      let after: string | null = null;
      let withheld = 0;
      for (;;) {
        const result: OperationResult<DashboardCaseloadQuery> = await client
          .query(DashboardCaseloadDocument, { first: FETCH_SIZE, after, status: status || null }, { requestPolicy: 'network-only' })
          .toPromise();
        if (cancelled) return;
        withheld += result.error?.graphQLErrors.filter((e) => e.extensions?.code === 'FORBIDDEN').length ?? 0;
        if (!result.data) {
          setState({ cases, loading: false, error: result.error?.message ?? 'The caseload could not be loaded.', truncated: false, withheld });
          return;
        }
        cases.push(...result.data.cases.nodes);
        const { hasNextPage, endCursor } = result.data.cases.pageInfo;
        if (!hasNextPage || !endCursor || cases.length >= MAX_CASES) {
          setState({ cases, loading: false, error: null, truncated: hasNextPage, withheld });
          return;
        }
        after = endCursor;
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [client, status]);

  const rows = useMemo(() => {
    const day = today();
    return state.cases
      .filter((c) => !mineOnly || involves(c, caller.agency))
      .map((c) => {
        const flags = flagsOf(c, day);
        return { c, flags, score: scoreOf(flags), expiry: nextExpiry(c) };
      })
      .sort(SORTS[sort].compare);
  }, [state.cases, mineOnly, caller.agency, sort]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const needing = rows.filter((r) => r.score > 0).length;

  const sortBy = (key: SortKey) => {
    setSort(key);
    setPage(0);
  };
  const ariaSort = (key: SortKey) => (sort === key ? (key === 'filed' || key === 'attention' ? 'descending' : 'ascending') : undefined);

  return (
    <section aria-labelledby="caseload-title">
      <h1 id="caseload-title">Caseload</h1>
      <div className="toolbar" role="group" aria-label="Caseload filters">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => { setStatus(e.target.value as CaseStatus | ''); setPage(0); }}>
            <option value="OPEN">Open</option>
            <option value="CLOSED">Closed</option>
            <option value="DISMISSED">Dismissed</option>
            <option value="">All</option>
          </select>
        </label>
        {caller.agency !== 'courts' ? (
          <label className="check">
            <input type="checkbox" checked={mineOnly} onChange={(e) => { setMineOnly(e.target.checked); setPage(0); }} /> Only cases {humanize(caller.agency).toLowerCase()} has records in
          </label>
        ) : null}
        <label>
          Sort by{' '}
          <select value={sort} onChange={(e) => sortBy(e.target.value as SortKey)}>
            {Object.entries(SORTS).map(([key, s]) => (
              <option key={key} value={key}>{s.label}</option>
            ))}
          </select>
        </label>
      </div>
      {state.loading ? <p role="status">Loading the caseload…</p> : null}
      {state.error ? <div role="alert" className="error-box"><p>{state.error}</p></div> : null}
      {!state.loading && !state.error ? (
        <p role="status" className="summary">
          {rows.length} case{rows.length === 1 ? '' : 's'}, {needing} needing attention.
          {state.truncated ? ` Showing the first ${MAX_CASES}; narrow the status to see others.` : ''}
          {state.withheld > 0 ? ` ${state.withheld} field${state.withheld === 1 ? '' : 's'} withheld from you; open a case to see why.` : ''}
        </p>
      ) : null}
      {shown.length > 0 ? (
        <div className="table-wrap">
          <table className="caseload">
            <caption className="visually-hidden">Cases, sorted by {SORTS[sort].label.toLowerCase()}</caption>
            <thead>
              <tr>
                <th scope="col" aria-sort={ariaSort('docket')}><button type="button" className="sort" onClick={() => sortBy('docket')}>Docket</button></th>
                <th scope="col">Parties</th>
                <th scope="col">Type</th>
                <th scope="col" aria-sort={ariaSort('filed')}><button type="button" className="sort" onClick={() => sortBy('filed')}>Filed</button></th>
                <th scope="col" aria-sort={ariaSort('expiry')}><button type="button" className="sort" onClick={() => sortBy('expiry')}>Order expires</button></th>
                <th scope="col" aria-sort={ariaSort('attention')}><button type="button" className="sort" onClick={() => sortBy('attention')}>Needs attention</button></th>
              </tr>
            </thead>
            <tbody>
              {shown.map(({ c, flags, expiry }) => (
                <tr key={c.id}>
                  <th scope="row"><a href={`#/case/${c.id}`}>{c.docketNumber ?? c.id}</a></th>
                  <td>
                    {(c.parties ?? [])
                      .map((p) => `${[p.person?.givenName, p.person?.familyName].filter(Boolean).join(' ') || 'withheld'} (${humanize(p.role).toLowerCase()})`)
                      .join(', ') || '—'}
                  </td>
                  <td>{humanize(c.caseType)}</td>
                  <td>{formatDate(c.filedDate)}</td>
                  <td>{expiry ? formatDate(expiry) : '—'}</td>
                  <td>
                    {flags.length === 0 ? (
                      <span className="quiet">Nothing pending</span>
                    ) : (
                      <ul className="flags">
                        {flags.map((f, i) => (
                          <li key={i} className={`flag flag-${f.kind}`}>{f.text}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {pages > 1 ? (
        <nav className="pager" aria-label="Caseload pages">
          <button type="button" onClick={() => setPage(current - 1)} disabled={current === 0}>Previous page</button>
          <span aria-live="polite">Page {current + 1} of {pages}</span>
          <button type="button" onClick={() => setPage(current + 1)} disabled={current >= pages - 1}>Next page</button>
        </nav>
      ) : null}
    </section>
  );
}
