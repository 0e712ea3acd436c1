/**
 * Batched reads behind every entity reference and list field. One statement per loader per
 * level of the response, whatever the number of parents: `WHERE column = ANY($1)`.
 *
 * The SQL is built once per (entity, column) from the TypeORM metadata and run through the data
 * source's pool, skipping the find-options machinery (measured ~2.5x the client CPU of this).
 */
import DataLoader from 'dataloader';
import { DataSource, EntitySchema } from 'typeorm';
import { isUuid } from './validation';
import { selectColumns } from './entity';
import { ABANDONED, RequestDeadline } from './request-deadline';
import { queryWithin } from './query-cancellation';

/**
 * Dispatches a request's loader batches level by level. DataLoader alone sends a batch at the end
 * of the tick its first key arrived in, so loads that hang from different parents of one level
 * (a case's parties and its protective orders both name people) go in one statement or two
 * depending on which query returned first. Here a batch waits, still taking keys, while any read
 * of the request is running (loader batches, and reads that bypass the loaders when wrapped in
 * `track`); batches that close together go together. The statements a request issues no longer
 * depend on timing (a test counts them), at the cost of each wave of batches waiting for the
 * slowest read of the one before.
 *
 * A key already in a loader's cache answers at once, not with the next batch. A batch function
 * must only read: one that loaded from another loader of the request would wait for itself.
 */
export class RequestBatches {
  /** A stopped request's batches are refused, not sent. */
  constructor(readonly deadline?: RequestDeadline) {
    // Fields held for a turn of the event loop make their loads after it: batches wait for it,
    // so that the statements a request issues still do not depend on timing.
    deadline?.onTurn((turn) => void this.track(turn));
  }

  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private flushing = false;

  /** DataLoader's batchScheduleFn: a batch closes after the current promise jobs, as DataLoader's default. */
  readonly schedule = (dispatch: () => void): void => {
    void Promise.resolve().then(() =>
      process.nextTick(() => {
        this.waiting.push(dispatch);
        if (this.running === 0) this.flushSoon(process.nextTick);
      }),
    );
  };

  /** Counts a read as running until it settles. */
  track<T>(work: PromiseLike<T>): Promise<T> {
    this.running++;
    const settled = () => {
      // The next wave goes once this result's promise jobs have made all of their loads.
      if (--this.running === 0 && this.waiting.length) this.flushSoon(setImmediate);
    };
    return Promise.resolve(work).then(
      (value) => (settled(), value),
      (error: unknown) => {
        settled();
        throw error;
      },
    );
  }

  /** A key answered from a loader's cache: at once, unless the request is stopped. */
  cachedAnswer<V>(value: Promise<V>): Promise<V> {
    return this.deadline?.stopped ? (ABANDONED as Promise<V>) : value;
  }

  /** A DataLoader whose batches go in waves with the request's other reads. */
  loader<K, V>(batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    const cache = new Map<K, Promise<V>>();
    const run = (keys: readonly K[]) =>
      this.deadline?.stopped ? (ABANDONED as Promise<V[]>) : this.track(
        (() => {
          try {
            return Promise.resolve(batch(keys));
          } catch (error) {
            return Promise.reject(error);
          }
        })(),
      );
    return new CachedFirstLoader<K, V>(run, { batchScheduleFn: this.schedule, cacheMap: cache }, cache, this);
  }

  private flushSoon(later: (callback: () => void) => unknown): void {
    if (this.flushing) return;
    this.flushing = true;
    later(() => {
      this.flushing = false;
      if (this.running !== 0) return;
      for (const dispatch of this.waiting.splice(0)) dispatch();
    });
  }
}

/** A DataLoader that answers a key already in its cache at once, not with its next batch. */
class CachedFirstLoader<K, V> extends DataLoader<K, V> {
  constructor(
    batch: DataLoader.BatchLoadFn<K, V>,
    options: DataLoader.Options<K, V, K>,
    private readonly cached: Map<K, Promise<V>>,
    private readonly batches: RequestBatches,
  ) {
    super(batch, options);
  }

  override load(key: K): Promise<V> {
    const cached = this.cached.get(key);
    return cached ? this.batches.cachedAnswer(cached) : super.load(key);
  }
}

export interface BatchOptions {
  /** `ORDER BY` over property names, e.g. ['admittedDate DESC', 'id']. */
  orderBy?: string[];
}

const sqlCache = new WeakMap<DataSource, Map<string, string>>();

function selectSql(dataSource: DataSource, entity: EntitySchema<any>, property: string, options: BatchOptions): string {
  let cache = sqlCache.get(dataSource);
  if (!cache) sqlCache.set(dataSource, (cache = new Map()));
  const cacheKey = `${entity.options.name}:${property}:${(options.orderBy ?? []).join(',')}`;
  let sql = cache.get(cacheKey);
  if (!sql) cache.set(cacheKey, (sql = buildSelectSql(dataSource, entity, property, options)));
  return sql;
}

function buildSelectSql(dataSource: DataSource, entity: EntitySchema<any>, property: string, options: BatchOptions): string {
  const metadata = dataSource.getMetadata(entity);
  const columnOf = (name: string) => {
    const column = metadata.findColumnWithPropertyName(name);
    if (!column) throw new Error(`${metadata.name} has no property ${name}`);
    return column;
  };
  const list = selectColumns(dataSource, entity);
  const key = columnOf(property);
  const order = (options.orderBy ?? ['id'])
    .map((term) => {
      const [name, direction = 'ASC'] = term.split(/\s+/);
      if (!/^(ASC|DESC)$/i.test(direction)) throw new Error(`bad order direction in "${term}"`);
      return `"${columnOf(name).databaseName}" ${direction.toUpperCase()}`;
    })
    .join(', ');
  const keyType = key.type === 'uuid' ? 'uuid[]' : 'text[]';
  return `SELECT ${list} FROM "${metadata.tableName}" WHERE "${key.databaseName}" = ANY($1::${keyType}) ORDER BY ${order}`;
}

async function fetchGrouped<T>(
  dataSource: DataSource,
  sql: string,
  property: string,
  keys: readonly string[],
  deadline: RequestDeadline | undefined,
): Promise<Map<string, T[]>> {
  const wanted = [...new Set(keys.filter(isUuid))];
  const groups = new Map<string, T[]>();
  if (wanted.length === 0) return groups;
  const rows: T[] = await queryWithin(dataSource, sql, [wanted], deadline);
  for (const row of rows) {
    const key = String((row as Record<string, unknown>)[property]);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** Rows whose `property` equals the key: for list fields (a case's hearings, ...). */
export function listLoader<T>(
  batches: RequestBatches,
  dataSource: DataSource,
  entity: EntitySchema<T>,
  property: keyof T & string,
  options: BatchOptions = {},
): DataLoader<string, T[]> {
  const sql = selectSql(dataSource, entity, property, options);
  return batches.loader(async (keys: readonly string[]) => {
    const groups = await fetchGrouped<T>(dataSource, sql, property, keys, batches.deadline);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** The row with this primary key, or null: for references (a party's person, ...). */
export function rowLoader<T>(batches: RequestBatches, dataSource: DataSource, entity: EntitySchema<T>): DataLoader<string, T | null> {
  const sql = selectSql(dataSource, entity, 'id', {});
  return batches.loader(async (keys: readonly string[]) => {
    const groups = await fetchGrouped<T>(dataSource, sql, 'id', keys, batches.deadline);
    return keys.map((key) => groups.get(key)?.[0] ?? null);
  });
}
