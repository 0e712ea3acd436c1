/** Showing a value, a withheld field (with its reason in words) and lists of records. */
import { useState, type ReactNode } from 'react';
import type { Withheld, WithheldFields } from './withheld';
import { formatDate, humanize } from './words';

export type Format = 'text' | 'enum' | 'date' | 'datetime' | 'number' | 'boolean' | 'list' | 'money';

function display(value: unknown, format: Format): string {
  if (Array.isArray(value)) return value.map((v) => (format === 'enum' ? humanize(String(v)) : String(v))).join(', ');
  switch (format) {
    case 'enum':
      return humanize(String(value));
    case 'date':
    case 'datetime':
      return formatDate(String(value));
    case 'boolean':
      return value ? 'Yes' : 'No';
    case 'money':
      return `$${Number(value).toLocaleString('en-US')}`;
    default:
      return String(value);
  }
}

/** A field withheld by the agreements: never an empty value, always the reason. */
export function WithheldNote({ refusal }: { refusal: Withheld }) {
  const { words, coordinate, path } = refusal;
  return (
    <span className="withheld" data-coordinate={coordinate} data-path={path} title={coordinate}>
      <span className="withheld-label">Withheld</span> — {words}
    </span>
  );
}

/** The value at `path`: shown, or "withheld — why", or "none" when the record has no value. */
export function Value({ withheld, path, value, format = 'text', about }: { withheld: WithheldFields; path: string; value: unknown; format?: Format; about?: string }) {
  const refusal = withheld.at(path, about);
  if (refusal) return <WithheldNote refusal={refusal} />;
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0) || value === '') {
    return (
      <span className="none">
        <span aria-hidden="true">—</span>
        <span className="visually-hidden">none</span>
      </span>
    );
  }
  return <>{display(value, format)}</>;
}

/** A list under a record longer than this shows its last SHORT_LIST rows until expanded. */
const LONG_LIST = 8;
const SHORT_LIST = 5;

export interface Column<T> {
  key: keyof T & string;
  label: string;
  format?: Format;
}

/**
 * A list of records as a table: the whole list withheld (with why), none on record, or one row per
 * record with each field shown by `Value`. `children` renders what hangs below a record.
 */
export function RecordTable<T extends { id: string }>({
  title,
  rows,
  path,
  columns,
  withheld,
  below,
  headingLevel = 3,
}: {
  title: string;
  rows: readonly T[] | null | undefined;
  path: string;
  columns: Column<T>[];
  withheld: WithheldFields;
  below?: (row: T, index: number) => ReactNode;
  headingLevel?: 3 | 4;
}) {
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  const refusal = withheld.at(path);
  // Long lists under a record (sessions, check-ins) show their latest few until asked for all.
  const [expanded, setExpanded] = useState(false);
  const long = headingLevel === 4 && !!rows && rows.length > LONG_LIST;
  const shown = rows ? rows.map((row, index) => ({ row, index })).slice(long && !expanded ? rows.length - SHORT_LIST : 0) : [];
  let body: ReactNode;
  if (refusal) body = <p><WithheldNote refusal={refusal} /></p>;
  else if (!rows) body = <p className="none">Not available.</p>;
  else if (rows.length === 0) body = <p className="none">None on record.</p>;
  else
    body = (
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} scope="col">{c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map(({ row, index }) => (
              <RecordRows key={row.id} row={row} index={index} path={path} columns={columns} withheld={withheld} below={below} />
            ))}
          </tbody>
        </table>
        {long ? (
          <button type="button" className="link" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
            {expanded ? `Show the latest ${SHORT_LIST} only` : `Show all ${rows.length} (${rows.length - SHORT_LIST} earlier)`}
          </button>
        ) : null}
      </div>
    );
  return (
    <div className="records">
      <Heading>{title}</Heading>
      {body}
    </div>
  );
}

function RecordRows<T extends { id: string }>({
  row,
  index,
  path,
  columns,
  withheld,
  below,
}: {
  row: T;
  index: number;
  path: string;
  columns: Column<T>[];
  withheld: WithheldFields;
  below?: (row: T, index: number) => ReactNode;
}) {
  const extra = below?.(row, index);
  return (
    <>
      <tr>
        {columns.map((c) => (
          <td key={c.key}>
            <Value withheld={withheld} path={`${path}.${index}.${c.key}`} value={row[c.key]} format={c.format} />
          </td>
        ))}
      </tr>
      {extra ? (
        <tr className="below">
          <td colSpan={columns.length}>{extra}</td>
        </tr>
      ) : null}
    </>
  );
}
