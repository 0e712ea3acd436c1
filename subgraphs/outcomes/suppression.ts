/**
 * Small-cell protection for the outcome metrics: primary suppression of small cells and
 * complementary suppression across every table the API answers, so that no suppressed value can be
 * recovered by subtraction from totals or from any other grouping.
 *
 * Model. A metric has additive counts (numerator, denominator) at its finest grain (`FineCell`).
 * Each grouping (a list of dimensions) is a table whose cells are sums of fine cells. Two tables are
 * linked when one refines the other (its dimensions are a superset; a quarter refines its year):
 * every cell of the coarser table is the sum of the cells of the finer one that refine it. Those
 * sum relations are what an attacker subtracts with.
 *
 * 1. Primary: a cell whose numerator, denominator or denominator - numerator is between 1 and the
 *    threshold (inclusive) is suppressed (`SMALL_CELL`). Zero is not small.
 * 2. Complementary, to a fixpoint: every sum relation with exactly one suppressed member gets a
 *    second one — its cheapest published member (smallest denominator; deterministic tie-break).
 * 3. Audit, exact: the suppressed cells are the unknowns and every sum relation is a linear equation
 *    in them (published members are known constants). A suppressed cell is disclosed when its value
 *    is uniquely determined — its unit vector lies in the row space of the system (Gauss–Jordan over
 *    the integers with BigInt, gcd-normalised rows, so no rounding). Every disclosed cell gets one
 *    more complement and steps 2–3 repeat until the audit finds nothing.
 *
 * One suppression pattern protects numerator, denominator and their difference alike: a suppressed
 * cell publishes none of them, and each of the three is additive over the same relations.
 */

export type Dimension = 'court' | 'programType' | 'caseType' | 'riskLevel' | 'completion' | 'year' | 'quarter';
/** Additive counts at the finest grain of one metric; key holds every dimension the metric has (quarter as 'YYYY-Qn'; year derived from quarter). */
export interface FineCell {
  key: Partial<Record<Dimension, string>>;
  numerator: number;
  denominator: number;
}
export type SuppressionReason = 'SMALL_CELL' | 'COMPLEMENTARY';
export interface PublishedCell {
  key: Partial<Record<Dimension, string>>;
  numerator: number | null;
  denominator: number | null;
  rate: number | null;
  suppressed: SuppressionReason | null;
}
export interface PublishedTable {
  by: Dimension[];
  cells: PublishedCell[];
}
export interface SuppressionOptions {
  /** Largest small value (inclusive); default 10. */
  threshold?: number;
  /** Complementary suppression; default true. Off only to show what it protects against. */
  complementary?: boolean;
}

export const DIMENSIONS: readonly Dimension[] = ['court', 'programType', 'caseType', 'riskLevel', 'completion', 'year', 'quarter'];
export const DEFAULT_THRESHOLD = 10;
export const DEFAULT_MAX_DIMENSIONS = 3;
const QUARTER = /^(\d{4})-Q([1-4])$/;

/** The groupings the API allows for a metric with these dimensions: every subset of at most maxDimensions (year and quarter never together). */
export function allowedGroupings(dimensions: Dimension[], maxDimensions = DEFAULT_MAX_DIMENSIONS): Dimension[][] {
  for (const d of dimensions) if (!DIMENSIONS.includes(d)) throw new Error(`allowedGroupings: unknown dimension ${String(d)}`);
  if (!Number.isInteger(maxDimensions) || maxDimensions < 0) throw new Error(`allowedGroupings: maxDimensions must be a non-negative integer, got ${maxDimensions}`);
  const dims = [...new Set(dimensions)];
  const out: Dimension[][] = [];
  const walk = (start: number, chosen: Dimension[]): void => {
    out.push(chosen);
    if (chosen.length === maxDimensions) return;
    for (let i = start; i < dims.length; i++) {
      const d = dims[i];
      if ((d === 'year' && chosen.includes('quarter')) || (d === 'quarter' && chosen.includes('year'))) continue;
      walk(i + 1, [...chosen, d]);
    }
  };
  walk(0, []);
  return out.sort((a, b) => a.length - b.length);
}

interface Cell {
  table: number;
  key: Partial<Record<Dimension, string>>;
  numerator: number;
  denominator: number;
  suppressed: SuppressionReason | null;
  relations: number[];
}

interface Table {
  by: Dimension[];
  cells: Map<string, number>; // canonical key -> cell id
}

/** A dimension's value of a fine key; year from the quarter when the key has no year. */
function valueOf(key: Partial<Record<Dimension, string>>, d: Dimension): string | undefined {
  if (d === 'year' && key.year === undefined && key.quarter !== undefined) return key.quarter.slice(0, 4);
  return key[d];
}

function canonical(by: Dimension[], key: Partial<Record<Dimension, string>>): string {
  return JSON.stringify(by.map((d) => key[d]));
}

/** Does table `coarse` sum table `fine` (every dimension of coarse is in fine, a year by its quarters)? */
function refines(fine: Dimension[], coarse: Dimension[]): boolean {
  if (fine.length < coarse.length) return false;
  return coarse.every((d) => fine.includes(d) || (d === 'year' && fine.includes('quarter')));
}

function validate(fine: FineCell[], groupings: Dimension[][], threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 0) throw new Error(`publishTables: threshold must be a non-negative integer, got ${threshold}`);
  groupings.forEach((g, i) => {
    for (const d of g) if (!DIMENSIONS.includes(d)) throw new Error(`publishTables: grouping ${i} has unknown dimension ${String(d)}`);
    if (new Set(g).size !== g.length) throw new Error(`publishTables: grouping ${i} repeats a dimension`);
    if (g.includes('year') && g.includes('quarter')) throw new Error(`publishTables: grouping ${i} has both year and quarter`);
  });
  const used = new Set(groupings.flat());
  fine.forEach((c, i) => {
    if (!Number.isInteger(c.numerator) || !Number.isInteger(c.denominator) || c.numerator < 0 || c.denominator < c.numerator)
      throw new Error(`publishTables: fine cell ${i} needs integers 0 <= numerator <= denominator, got ${c.numerator}/${c.denominator}`);
    if (c.key.quarter !== undefined) {
      const m = QUARTER.exec(c.key.quarter);
      if (!m) throw new Error(`publishTables: fine cell ${i} quarter must look like 2025-Q3, got ${c.key.quarter}`);
      if (c.key.year !== undefined && c.key.year !== m[1]) throw new Error(`publishTables: fine cell ${i} year ${c.key.year} is not the year of quarter ${c.key.quarter}`);
    }
    for (const d of used) if (valueOf(c.key, d) === undefined) throw new Error(`publishTables: fine cell ${i} has no ${d}, which a grouping asks for`);
  });
}

function isSmall(v: number, threshold: number): boolean {
  return v >= 1 && v <= threshold;
}

/** Every table of `groupings` (each a list of dimensions; [] = the total), suppressed jointly so no suppressed value is recoverable from any of them. */
export function publishTables(fine: FineCell[], groupings: Dimension[][], options: SuppressionOptions = {}): PublishedTable[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const complementary = options.complementary ?? true;
  validate(fine, groupings, threshold);

  // Distinct tables (a grouping asked twice, or in another order, is one table).
  const tableOf = new Map<string, number>();
  const tables: Table[] = [];
  const slot = groupings.map((g) => {
    const by = DIMENSIONS.filter((d) => g.includes(d));
    const name = by.join(',');
    let t = tableOf.get(name);
    if (t === undefined) {
      t = tables.length;
      tableOf.set(name, t);
      tables.push({ by, cells: new Map() });
    }
    return t;
  });

  // Aggregate every table from the fine cells, in a deterministic order.
  const cells: Cell[] = [];
  const sortedFine = [...fine].sort((a, b) => compareKeys(a.key, b.key));
  tables.forEach((table, t) => {
    for (const f of sortedFine) {
      const key: Partial<Record<Dimension, string>> = {};
      for (const d of table.by) key[d] = valueOf(f.key, d);
      const k = canonical(table.by, key);
      let id = table.cells.get(k);
      if (id === undefined) {
        id = cells.length;
        table.cells.set(k, id);
        cells.push({ table: t, key, numerator: 0, denominator: 0, suppressed: null, relations: [] });
      }
      cells[id].numerator += f.numerator;
      cells[id].denominator += f.denominator;
    }
  });

  // Primary suppression.
  for (const c of cells) {
    if (isSmall(c.numerator, threshold) || isSmall(c.denominator, threshold) || isSmall(c.denominator - c.numerator, threshold)) c.suppressed = 'SMALL_CELL';
  }

  if (complementary) protect(cells, tables, buildRelations(cells, tables));

  return slot.map((t, i) => ({
    by: [...groupings[i]],
    cells: [...tables[t].cells.values()].map((id) => publish(cells[id])),
  }));
}

function publish(c: Cell): PublishedCell {
  if (c.suppressed) return { key: { ...c.key }, numerator: null, denominator: null, rate: null, suppressed: c.suppressed };
  return { key: { ...c.key }, numerator: c.numerator, denominator: c.denominator, rate: c.denominator > 0 ? c.numerator / c.denominator : null, suppressed: null };
}

function compareKeys(a: Partial<Record<Dimension, string>>, b: Partial<Record<Dimension, string>>): number {
  for (const d of DIMENSIONS) {
    const x = valueOf(a, d) ?? '';
    const y = valueOf(b, d) ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A sum relation: cells[members[0]] = sum of cells[members[1..]]. */
type Relation = number[];

/** Every sum relation between two tables where one refines the other. */
function buildRelations(cells: Cell[], tables: Table[]): Relation[] {
  const relations: Relation[] = [];
  tables.forEach((coarse, ci) => {
    tables.forEach((finer, fi) => {
      if (ci === fi || !refines(finer.by, coarse.by)) return;
      const children = new Map<number, number[]>();
      for (const id of finer.cells.values()) {
        const key: Partial<Record<Dimension, string>> = {};
        for (const d of coarse.by) key[d] = valueOf(cells[id].key, d);
        const parent = coarse.cells.get(canonical(coarse.by, key))!;
        const list = children.get(parent);
        if (list) list.push(id);
        else children.set(parent, [id]);
      }
      for (const [parent, list] of children) {
        const r = relations.length;
        relations.push([parent, ...list]);
        cells[parent].relations.push(r);
        for (const id of list) cells[id].relations.push(r);
      }
    });
  });
  return relations;
}

/** Cheaper complement first: smaller denominator, then smaller numerator, then earlier cell (deterministic). */
function cheaper(cells: Cell[], a: number, b: number): boolean {
  const x = cells[a];
  const y = cells[b];
  if (x.denominator !== y.denominator) return x.denominator < y.denominator;
  if (x.numerator !== y.numerator) return x.numerator < y.numerator;
  return a < b;
}

function cheapestPublished(cells: Cell[], members: Iterable<number>, except: number): number | undefined {
  let best: number | undefined;
  for (const id of members) {
    if (id === except || cells[id].suppressed) continue;
    if (best === undefined || cheaper(cells, id, best)) best = id;
  }
  return best;
}

function protect(cells: Cell[], tables: Table[], relations: Relation[]): void {
  void tables;
  const queue: number[] = relations.map((_, r) => r);
  const queued = new Uint8Array(relations.length).fill(1);
  const suppress = (id: number): void => {
    cells[id].suppressed = 'COMPLEMENTARY';
    for (const r of cells[id].relations) if (!queued[r]) { queued[r] = 1; queue.push(r); }
  };
  for (;;) {
    // Fixpoint: no relation with exactly one suppressed member.
    while (queue.length) {
      const r = queue.shift()!;
      queued[r] = 0;
      const members = relations[r];
      let count = 0;
      let lone = -1;
      for (const id of members) if (cells[id].suppressed) { count++; lone = id; }
      if (count !== 1) continue;
      const pick = cheapestPublished(cells, members, lone);
      if (pick !== undefined) suppress(pick);
    }
    // Exact audit; every disclosed cell gets one more complement.
    const disclosed = audit(cells, relations);
    if (!disclosed.length) return;
    let added = false;
    for (const id of disclosed) {
      let best: number | undefined;
      for (const r of cells[id].relations) {
        const c = cheapestPublished(cells, relations[r], id);
        if (c !== undefined && (best === undefined || cheaper(cells, c, best))) best = c;
      }
      if (best !== undefined && !cells[best].suppressed) { suppress(best); added = true; }
    }
    if (!added) throw new Error('complementary suppression: a disclosed cell has no published neighbour left to suppress');
  }
}

/**
 * The suppressed cells whose values the published cells determine: unknowns are the suppressed
 * cells, each relation an equation; a cell is determined iff its unit vector is in the row space.
 */
export function audit(cells: { suppressed: SuppressionReason | null }[], relations: number[][]): number[] {
  const unknown = new Map<number, number>();
  cells.forEach((c, id) => { if (c.suppressed) unknown.set(id, unknown.size); });
  const basis = new GaussJordan();
  for (const members of relations) {
    const row = new Map<number, bigint>();
    members.forEach((id, i) => {
      const col = unknown.get(id);
      if (col === undefined) return;
      row.set(col, (row.get(col) ?? 0n) + (i === 0 ? 1n : -1n));
    });
    for (const [k, v] of row) if (v === 0n) row.delete(k);
    if (row.size) basis.add(row);
  }
  const byColumn = [...unknown.keys()];
  return basis.unitColumns().map((col) => byColumn[col]).sort((a, b) => a - b);
}

/** Incremental Gauss–Jordan elimination over the integers (rows kept primitive: gcd 1, pivot > 0). */
class GaussJordan {
  private rows = new Map<number, Map<number, bigint>>(); // pivot column -> row
  private withColumn = new Map<number, Set<number>>(); // column -> pivots of rows having it

  add(input: Map<number, bigint>): void {
    let row = input;
    // Reduce by every existing pivot present in the row.
    for (;;) {
      let hit: number | undefined;
      for (const col of row.keys()) if (this.rows.has(col)) { hit = col; break; }
      if (hit === undefined) break;
      row = eliminate(row, this.rows.get(hit)!, hit);
      if (!row.size) return;
    }
    const pivot = Math.min(...row.keys());
    row = normalise(row, pivot);
    // Clear the new pivot column from the other rows.
    for (const other of [...(this.withColumn.get(pivot) ?? [])]) {
      const old = this.rows.get(other)!;
      this.unindex(other, old);
      const next = normalise(eliminate(old, row, pivot), other);
      this.rows.set(other, next);
      this.index(other, next);
    }
    this.rows.set(pivot, row);
    this.index(pivot, row);
  }

  unitColumns(): number[] {
    const out: number[] = [];
    for (const [pivot, row] of this.rows) if (row.size === 1) out.push(pivot);
    return out;
  }

  private index(pivot: number, row: Map<number, bigint>): void {
    for (const col of row.keys()) {
      if (col === pivot) continue;
      let s = this.withColumn.get(col);
      if (!s) this.withColumn.set(col, (s = new Set()));
      s.add(pivot);
    }
  }

  private unindex(pivot: number, row: Map<number, bigint>): void {
    for (const col of row.keys()) this.withColumn.get(col)?.delete(pivot);
  }
}

/** a*row - b*pivotRow with a, b chosen so that column `col` vanishes. */
function eliminate(row: Map<number, bigint>, pivotRow: Map<number, bigint>, col: number): Map<number, bigint> {
  const p = pivotRow.get(col)!;
  const v = row.get(col)!;
  const g = gcd(p < 0n ? -p : p, v < 0n ? -v : v);
  const a = p / g;
  const b = v / g;
  const out = new Map<number, bigint>();
  for (const [k, x] of row) out.set(k, a * x);
  for (const [k, y] of pivotRow) {
    const z = (out.get(k) ?? 0n) - b * y;
    if (z === 0n) out.delete(k);
    else out.set(k, z);
  }
  out.delete(col);
  return out;
}

function normalise(row: Map<number, bigint>, pivot: number): Map<number, bigint> {
  let g = 0n;
  for (const v of row.values()) g = gcd(g, v < 0n ? -v : v);
  if (row.get(pivot)! < 0n) g = -g;
  if (g === 1n) return row;
  const out = new Map<number, bigint>();
  for (const [k, v] of row) out.set(k, v / g);
  return out;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}
