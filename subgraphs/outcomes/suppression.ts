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
 *    the integers, gcd-normalised rows, in doubles with a BigInt fallback on overflow: no rounding).
 *    Every disclosed cell gets one more complement — the cheapest published member of its relations;
 *    when all of those are suppressed already, a published cell further away through its group of
 *    suppressed cells, one whose suppression hides it if one does (nearestComplement) — and steps
 *    2–3 repeat until the audit finds nothing. Each round suppresses at least one more cell, so it
 *    ends; at worst with everything around the cell suppressed, where nothing is determined.
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
  key: Partial<Record<Dimension, string>>;
  /** The number of the cell's value of each used dimension (-1: not in its table). */
  codes: number[];
  numerator: number;
  denominator: number;
  suppressed: SuppressionReason | null;
  /** Relations the cell is a member of. */
  relations: number[];
}

interface Table {
  /** Dimensions in DIMENSIONS order. */
  by: Dimension[];
  /** Cell ids, in the order of their keys. */
  cells: number[];
  /** Code of a key (mixed radix over the interned values of `by`) -> cell id. */
  byCode: Map<number, number>;
}

/**
 * A sum relation: cells[members[0]] = sum of cells[members[1..]], between two tables with no asked
 * table between them (a relation across several steps is the sum of the steps' relations, so it
 * adds nothing the audit would not find).
 */
type Relation = number[];

/** Does table `coarse` sum table `fine` (every dimension of coarse is in fine, a year by its quarters)? */
function refines(fine: Dimension[], coarse: Dimension[]): boolean {
  if (fine.length < coarse.length) return false;
  return coarse.every((d) => fine.includes(d) || (d === 'year' && fine.includes('quarter')));
}

/** A dimension's value of a fine key; year from the quarter when the key has no year. */
function valueOf(key: Partial<Record<Dimension, string>>, d: Dimension): string | undefined {
  if (d === 'year' && key.year === undefined && key.quarter !== undefined) return key.quarter.slice(0, 4);
  return key[d];
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
    if (!Number.isSafeInteger(c.numerator) || !Number.isSafeInteger(c.denominator) || c.numerator < 0 || c.denominator < 0)
      throw new Error(`publishTables: fine cell ${i} needs non-negative integer counts, got ${c.numerator}/${c.denominator}`);
    if (c.key.quarter !== undefined) {
      const m = QUARTER.exec(c.key.quarter);
      if (!m) throw new Error(`publishTables: fine cell ${i} quarter must look like 2025-Q3, got ${c.key.quarter}`);
      if (c.key.year !== undefined && c.key.year !== m[1]) throw new Error(`publishTables: fine cell ${i} year ${c.key.year} is not the year of quarter ${c.key.quarter}`);
    }
    for (const d of used) if (valueOf(c.key, d) === undefined) throw new Error(`publishTables: fine cell ${i} has no ${d}, which a grouping asks for`);
  });
}

const isSmall = (v: number, threshold: number): boolean => v >= 1 && v <= threshold;

/**
 * Is the cell small by the primary rule: numerator, denominator or their difference between 1 and
 * threshold? (A numerator may exceed its denominator, e.g. violations per supervision-month: the
 * difference is then taken the other way.)
 */
export function isSmallCell(numerator: number, denominator: number, threshold = DEFAULT_THRESHOLD): boolean {
  return isSmall(numerator, threshold) || isSmall(denominator, threshold) || isSmall(Math.abs(denominator - numerator), threshold);
}

/** Every table of `groupings` (each a list of dimensions; [] = the total), suppressed jointly so no suppressed value is recoverable from any of them. */
export function publishTables(fine: FineCell[], groupings: Dimension[][], options: SuppressionOptions = {}): PublishedTable[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const complementary = options.complementary ?? true;
  validate(fine, groupings, threshold);

  // Distinct tables: a grouping asked twice, or in another order, is one table.
  const tableOf = new Map<string, number>();
  const tables: Table[] = [];
  const slot = groupings.map((g) => {
    const by = DIMENSIONS.filter((d) => g.includes(d));
    const name = by.join(',');
    let t = tableOf.get(name);
    if (t === undefined) {
      t = tables.length;
      tableOf.set(name, t);
      tables.push({ by, cells: [], byCode: new Map() });
    }
    return t;
  });

  // Each dimension's values, sorted and numbered; every fine cell as its value numbers.
  const used = DIMENSIONS.filter((d) => tables.some((t) => t.by.includes(d)));
  const values = new Map<Dimension, string[]>();
  const number = new Map<Dimension, Map<string, number>>();
  for (const d of used) {
    const sorted = [...new Set(fine.map((f) => valueOf(f.key, d)!))].sort();
    values.set(d, sorted);
    number.set(d, new Map(sorted.map((v, i) => [v, i])));
  }
  const fineCodes = fine.map((f) => used.map((d) => number.get(d)!.get(valueOf(f.key, d)!)!));
  const coder = new KeyCoder(used, values);

  // Aggregate every table from the fine cells; cells in the order of their keys.
  const cells: Cell[] = [];
  for (const table of tables) {
    const code = coder.forTable(table.by, table.by);
    const sums = new Map<number, { n: number; d: number; codes: number[] }>();
    fine.forEach((f, i) => {
      const c = code(fineCodes[i]);
      const s = sums.get(c);
      if (s) { s.n += f.numerator; s.d += f.denominator; }
      else sums.set(c, { n: f.numerator, d: f.denominator, codes: fineCodes[i] });
    });
    for (const c of [...sums.keys()].sort((a, b) => a - b)) {
      const s = sums.get(c)!;
      const key: Partial<Record<Dimension, string>> = {};
      const codes = used.map((d, i) => (table.by.includes(d) ? s.codes[i] : -1));
      for (const d of table.by) key[d] = values.get(d)![s.codes[used.indexOf(d)]];
      table.byCode.set(c, cells.length);
      table.cells.push(cells.length);
      cells.push({ key, codes, numerator: s.n, denominator: s.d, suppressed: null, relations: [] });
    }
  }

  for (const c of cells) if (isSmallCell(c.numerator, c.denominator, threshold)) c.suppressed = 'SMALL_CELL';

  if (complementary) {
    const relations = buildRelations(cells, tables, coder);
    protect(cells, relations);
  }

  return slot.map((t, i) => ({ by: [...groupings[i]], cells: tables[t].cells.map((id) => publish(cells[id])) }));
}

function publish(c: Cell): PublishedCell {
  if (c.suppressed) return { key: { ...c.key }, numerator: null, denominator: null, rate: null, suppressed: c.suppressed };
  return { key: { ...c.key }, numerator: c.numerator, denominator: c.denominator, rate: c.denominator > 0 ? c.numerator / c.denominator : null, suppressed: null };
}

/** The sum relations between each table and the next finer tables asked. */
function buildRelations(cells: Cell[], tables: Table[], coder: KeyCoder): Relation[] {
  const relations: Relation[] = [];
  tables.forEach((coarse, ci) => {
    tables.forEach((finer, fi) => {
      if (ci === fi || !refines(finer.by, coarse.by)) return;
      if (tables.some((mid, mi) => mi !== ci && mi !== fi && refines(finer.by, mid.by) && refines(mid.by, coarse.by))) return;
      const children = new Map<number, number[]>();
      const code = coder.forTable(coarse.by, finer.by);
      for (const id of finer.cells) {
        const parent = coarse.byCode.get(code(cells[id].codes))!;
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

/** Numbers the keys of a table: mixed radix over the value numbers of its dimensions. */
class KeyCoder {
  private readonly yearOfQuarter: number[] = [];
  constructor(private readonly used: Dimension[], private readonly values: Map<Dimension, string[]>) {
    const years = values.get('year');
    if (years) this.yearOfQuarter = (values.get('quarter') ?? []).map((q) => years.indexOf(q.slice(0, 4)));
  }

  /** The code in table `by` of a cell of table `from` (which refines it), from the cell's value numbers. */
  forTable(by: Dimension[], from: Dimension[]): (codes: number[]) => number {
    const quarter = this.used.indexOf('quarter');
    const parts = by.map((d) => ({
      at: this.used.indexOf(d === 'year' && !from.includes('year') ? 'quarter' : d),
      viaQuarter: d === 'year' && !from.includes('year') && quarter >= 0,
      radix: this.values.get(d)!.length,
    }));
    return (codes) => {
      let code = 0;
      for (const p of parts) code = code * p.radix + (p.viaQuarter ? this.yearOfQuarter[codes[p.at]] : codes[p.at]);
      return code;
    };
  }
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

/** Complementary suppression: fixpoint of the one-unknown rule, then the exact audit, until it finds nothing. */
function protect(cells: Cell[], relations: Relation[]): void {
  const queue: number[] = relations.map((_, r) => r);
  const queued = new Uint8Array(relations.length).fill(1);
  const suppress = (id: number): void => {
    cells[id].suppressed = 'COMPLEMENTARY';
    for (const r of cells[id].relations) if (!queued[r]) { queued[r] = 1; queue.push(r); }
  };
  for (;;) {
    for (let head = 0; head < queue.length; head++) {
      const r = queue[head];
      queued[r] = 0;
      const members = relations[r];
      let count = 0;
      let lone = -1;
      for (const id of members) if (cells[id].suppressed) { count++; lone = id; }
      if (count !== 1) continue;
      const pick = cheapestPublished(cells, members, lone);
      if (pick !== undefined) suppress(pick);
    }
    queue.length = 0;
    const disclosed = determinedCells(cells.map((c) => c.suppressed !== null), relations);
    if (!disclosed.length) return;
    let added = false;
    for (const id of disclosed) {
      const best = nearestComplement(cells, relations, id);
      if (best !== undefined) { suppress(best); added = true; }
    }
    // Unreachable (see nearestComplement); kept so a broken invariant fails closed, not open.
    if (!added) throw new Error('complementary suppression: a disclosed cell has no published cell left in its group to suppress');
  }
}

/** How many cells further away nearestComplement tries, at most, for one that hides the disclosed cell. */
const FARTHER_TRIES = 32;

/**
 * The complement for a disclosed cell. Its own relations first: their cheapest published member.
 * When every member of those is suppressed already (the cell is then determined through a chain of
 * relations among suppressed cells), the published members of the relations further away through
 * the cell's group of suppressed cells, nearest first and cheapest first among equally near: the
 * first whose suppression leaves the cell undetermined (checked by the audit on the cell's group),
 * else the nearest cheapest.
 *
 * There is always one: the audit's certificate is a combination of relations whose restriction to
 * the suppressed cells is the cell's unit vector, and its relations all lie in the cell's group. Were
 * every member of those relations suppressed, the combination itself would be the unit vector; but
 * every relation is an identity between sets of fine cells (a cell is the union of the cells that
 * refine it), so the combination covers no fine cell, while the cell covers at least one. Each round
 * therefore suppresses at least one more cell, and the loop ends (at worst with the group's whole
 * neighbourhood suppressed, where nothing is determined).
 */
function nearestComplement(cells: Cell[], relations: Relation[], disclosed: number): number | undefined {
  const seenCell = new Set<number>([disclosed]);
  const seenRelation = new Set<number>();
  const farther: number[] = [];
  let frontier = [disclosed];
  for (let level = 0; frontier.length; level++) {
    const found: number[] = [];
    const next: number[] = [];
    for (const id of frontier) {
      for (const r of cells[id].relations) {
        if (seenRelation.has(r)) continue;
        seenRelation.add(r);
        for (const m of relations[r]) {
          if (!cells[m].suppressed) found.push(m);
          else if (!seenCell.has(m)) { seenCell.add(m); next.push(m); }
        }
      }
    }
    const sorted = [...new Set(found)].sort((a, b) => (cheaper(cells, a, b) ? -1 : 1));
    if (level === 0 && sorted.length) return sorted[0];
    farther.push(...sorted);
    frontier = next;
  }
  if (farther.length <= 1) return farther[0];
  const hidden = cells.map((c) => c.suppressed !== null);
  for (const candidate of farther.slice(0, FARTHER_TRIES)) {
    hidden[candidate] = true;
    const hides = !determinedCells(hidden, groupRelations(cells, relations, hidden, disclosed)).includes(disclosed);
    hidden[candidate] = false;
    if (hides) return candidate;
  }
  return farther[0];
}

/** The relations of a hidden cell's group (the hidden cells linked to it through relations). */
function groupRelations(cells: Cell[], relations: Relation[], hidden: boolean[], start: number): Relation[] {
  const seenCell = new Set<number>([start]);
  const seenRelation = new Set<number>();
  const stack = [start];
  while (stack.length) {
    for (const r of cells[stack.pop()!].relations) {
      if (seenRelation.has(r)) continue;
      seenRelation.add(r);
      for (const m of relations[r]) if (hidden[m] && !seenCell.has(m)) { seenCell.add(m); stack.push(m); }
    }
  }
  return [...seenRelation].map((r) => relations[r]);
}

/**
 * The exact audit. `hidden[i]` says cell i is suppressed; each relation says cells[r[0]] = sum of
 * cells[r[1..]]. Returns the hidden cells whose values the published cells and the relations
 * determine (the unit vector of the cell lies in the row space of the relations restricted to the
 * hidden cells). Exact: integer Gauss–Jordan elimination, per connected group of hidden cells.
 */
export function determinedCells(hidden: boolean[], relations: number[][]): number[] {
  const column = new Int32Array(hidden.length).fill(-1);
  const cellOf: number[] = [];
  hidden.forEach((h, id) => { if (h) { column[id] = cellOf.length; cellOf.push(id); } });
  // Rows over the hidden cells (published members are constants: they do not matter here).
  const rows: Row[] = [];
  for (const members of relations) {
    const coef = new Map<number, number>();
    members.forEach((id, i) => {
      const col = column[id];
      if (col >= 0) coef.set(col, (coef.get(col) ?? 0) + (i === 0 ? 1 : -1));
    });
    const cols = [...coef.keys()].filter((c) => coef.get(c) !== 0).sort((a, b) => a - b);
    if (cols.length) rows.push({ cols, vals: cols.map((c) => coef.get(c)!) });
  }
  // Connected groups of hidden cells: independent systems.
  const parent = Int32Array.from(cellOf, (_, i) => i);
  const find = (x: number): number => { while (parent[x] !== x) x = parent[x] = parent[parent[x]]; return x; };
  for (const r of rows) for (let i = 1; i < r.cols.length; i++) { const a = find(r.cols[0]); const b = find(r.cols[i]); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
  const groups = new Map<number, Row[]>();
  for (const r of rows) {
    const g = find(r.cols[0]);
    const list = groups.get(g);
    if (list) list.push(r);
    else groups.set(g, [r]);
  }
  const out: number[] = [];
  for (const group of groups.values()) {
    let units: number[];
    try {
      units = unitColumns(group, numberArithmetic);
    } catch (e) {
      if (e !== OVERFLOW) throw e;
      units = unitColumns(group.map((r) => ({ cols: r.cols, vals: r.vals.map(BigInt) })), bigintArithmetic);
    }
    for (const col of units) out.push(cellOf[col]);
  }
  return out.sort((a, b) => a - b);
}

interface Row<T = number> { cols: number[]; vals: T[] }
interface Arithmetic<T> { zero: T; one: T; mul(a: T, b: T): T; sub(a: T, b: T): T; div(a: T, b: T): T; gcd(a: T, b: T): T; negative(a: T): boolean; isZero(a: T): boolean; isOne(a: T): boolean }

const OVERFLOW = new Error('integer overflow');
const LIMIT = 2 ** 52;
const numberArithmetic: Arithmetic<number> = {
  zero: 0,
  one: 1,
  mul: (a, b) => { const p = a * b; if (p > LIMIT || p < -LIMIT) throw OVERFLOW; return p; },
  sub: (a, b) => { const d = a - b; if (d > LIMIT || d < -LIMIT) throw OVERFLOW; return d; },
  div: (a, b) => a / b,
  gcd: (a, b) => { a = Math.abs(a); b = Math.abs(b); while (b) [a, b] = [b, a % b]; return a; },
  negative: (a) => a < 0,
  isZero: (a) => a === 0,
  isOne: (a) => a === 1,
};
const bigintArithmetic: Arithmetic<bigint> = {
  zero: 0n,
  one: 1n,
  mul: (a, b) => a * b,
  sub: (a, b) => a - b,
  div: (a, b) => a / b,
  gcd: (a, b) => { if (a < 0n) a = -a; if (b < 0n) b = -b; while (b) [a, b] = [b, a % b]; return a; },
  negative: (a) => a < 0n,
  isZero: (a) => a === 0n,
  isOne: (a) => a === 1n,
};

/**
 * Gauss–Jordan elimination over the integers (rows kept primitive: gcd 1, pivot positive), pivots
 * chosen to touch the fewest rows. Returns the columns whose unit vector is in the row space: the
 * pivots whose reduced row has no other entry.
 */
function unitColumns<T>(input: Row<T>[], A: Arithmetic<T>): number[] {
  const rows = new Map<number, Row<T>>(); // pivot column -> reduced row
  const holders = new Map<number, Set<number>>(); // non-pivot column -> pivots of rows holding it
  const hold = (pivot: number, row: Row<T>, on: boolean): void => {
    for (const c of row.cols) {
      if (c === pivot) continue;
      let s = holders.get(c);
      if (!s) holders.set(c, (s = new Set()));
      if (on) s.add(pivot);
      else s.delete(pivot);
    }
  };
  for (const first of [...input].sort((a, b) => a.cols.length - b.cols.length)) {
    let row: Row<T> = first;
    for (let i = 0; i < row.cols.length && row.cols.length; ) {
      const p = rows.get(row.cols[i]);
      if (p) { row = combine(row, p, row.cols[i], A); i = 0; } else i++;
    }
    if (!row.cols.length) continue;
    let pivot = row.cols[0];
    for (const c of row.cols) if ((holders.get(c)?.size ?? 0) < (holders.get(pivot)?.size ?? 0)) pivot = c;
    row = primitive(row, pivot, A);
    for (const other of [...(holders.get(pivot) ?? [])]) {
      const old = rows.get(other)!;
      hold(other, old, false);
      const next = primitive(combine(old, row, pivot, A), other, A);
      rows.set(other, next);
      hold(other, next, true);
    }
    holders.delete(pivot);
    rows.set(pivot, row);
    hold(pivot, row, true);
  }
  const out: number[] = [];
  for (const [pivot, row] of rows) if (row.cols.length === 1) out.push(pivot);
  return out;
}

/** a*row - b*other, with a and b chosen so that column `col` vanishes (both rows have it). */
function combine<T>(row: Row<T>, other: Row<T>, col: number, A: Arithmetic<T>): Row<T> {
  const p = other.vals[other.cols.indexOf(col)];
  const v = row.vals[row.cols.indexOf(col)];
  const g = A.gcd(p, v);
  const a = A.div(p, g);
  const b = A.div(v, g);
  const cols: number[] = [];
  const vals: T[] = [];
  let i = 0;
  let j = 0;
  while (i < row.cols.length || j < other.cols.length) {
    const ci = i < row.cols.length ? row.cols[i] : Infinity;
    const cj = j < other.cols.length ? other.cols[j] : Infinity;
    let value: T;
    let c: number;
    if (ci < cj) { c = ci; value = A.mul(a, row.vals[i++]); }
    else if (cj < ci) { c = cj; value = A.sub(A.zero, A.mul(b, other.vals[j++])); }
    else { c = ci; value = A.sub(A.mul(a, row.vals[i++]), A.mul(b, other.vals[j++])); }
    if (c !== col && !A.isZero(value)) { cols.push(c); vals.push(value); }
  }
  return { cols, vals };
}

/** The row divided by the gcd of its entries, its pivot entry positive. */
function primitive<T>(row: Row<T>, pivot: number, A: Arithmetic<T>): Row<T> {
  let g = A.zero;
  for (const v of row.vals) g = A.gcd(g, v);
  if (A.negative(row.vals[row.cols.indexOf(pivot)])) g = A.sub(A.zero, g);
  if (A.isOne(g)) return row;
  return { cols: row.cols, vals: row.vals.map((v) => A.div(v, g)) };
}
