/**
 * Loader batches go level by level: loads that hang from different parents of one level share a
 * statement, whichever parent's query returns first.
 */
import { RequestBatches } from '../../lib/loaders';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

function setUp() {
  const batches = new RequestBatches();
  const calls: string[][] = [];
  // Two parent lists answered at different times (as two queries on two connections are), the
  // one naming fewer people first ...
  const parties = batches.loader(async (keys: readonly string[]) => later(25, keys.map((k) => [`${k}-victim`, `${k}-respondent`])));
  const orders = batches.loader(async (keys: readonly string[]) => later(5, keys.map((k) => [`${k}-respondent`])));
  // ... whose rows both name people.
  const people = batches.loader(async (keys: readonly string[]) => {
    calls.push([...keys]);
    return keys.map((k) => ({ id: k }));
  });
  return { parties, orders, people, calls };
}

describe('RequestBatches', () => {
  it('sends the loads of one level in one batch, whichever parent answered first', async () => {
    const { parties, orders, people, calls } = setUp();
    const cases = ['c1', 'c2'];
    const viaParties = Promise.all(cases.map((c) => parties.load(c).then((ids) => Promise.all(ids.map((id) => people.load(id))))));
    const viaOrders = Promise.all(cases.map((c) => orders.load(c).then((ids) => Promise.all(ids.map((id) => people.load(id))))));
    const [fromParties, fromOrders] = await Promise.all([viaParties, viaOrders]);
    expect(fromParties.flat().map((p) => p.id)).toEqual(['c1-victim', 'c1-respondent', 'c2-victim', 'c2-respondent']);
    expect(fromOrders.flat().map((p) => p.id)).toEqual(['c1-respondent', 'c2-respondent']);
    expect(calls).toHaveLength(1);
    expect([...calls[0]].sort()).toEqual(['c1-respondent', 'c1-victim', 'c2-respondent', 'c2-victim']);
  });

  it('runs the batches of one level side by side', async () => {
    const batches = new RequestBatches();
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = (name: string) =>
      batches.loader(async (keys: readonly string[]) => {
        started.push(name);
        await gate;
        return keys.map((k) => `${name}:${k}`);
      });
    const [hearings, orders, parties] = [slow('hearings'), slow('orders'), slow('parties')];
    const all = Promise.all([hearings.load('c1'), orders.load('c1'), parties.load('c1')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toEqual(['hearings', 'orders', 'parties']);
    release();
    await expect(all).resolves.toEqual(['hearings:c1', 'orders:c1', 'parties:c1']);
  });

  it('answers a key already loaded at once, without waiting for the next wave', async () => {
    const batches = new RequestBatches();
    const people = batches.loader(async (keys: readonly string[]) => keys.map((k) => ({ id: k })));
    const slow = batches.loader(async (keys: readonly string[]) => later(200, [...keys]));
    await people.load('p1');
    const pending = slow.load('x');
    await later(10, null); // the slow batch is running
    const started = Date.now();
    await expect(people.load('p1')).resolves.toEqual({ id: 'p1' });
    expect(Date.now() - started).toBeLessThan(100);
    await pending;
  });

  it('is not held up by a batch function that throws or answers without a promise', async () => {
    const batches = new RequestBatches();
    const throws = batches.loader((_keys: readonly string[]): Promise<string[]> => {
      throw new Error('bad SQL');
    });
    const plain = batches.loader(((keys: readonly string[]) => keys.map((k) => k)) as never as (keys: readonly string[]) => Promise<string[]>);
    const fine = batches.loader(async (keys: readonly string[]) => keys.map((k) => k.toUpperCase()));
    await expect(throws.load('a')).rejects.toThrow('bad SQL');
    await expect(plain.load('b')).resolves.toBe('b');
    await expect(fine.load('c')).resolves.toBe('C');
  });

  it('still sends a lone batch at once, and a failed batch does not hold back the others', async () => {
    const batches = new RequestBatches();
    const failing = batches.loader(async (_keys: readonly string[]): Promise<string[]> => {
      throw new Error('database down');
    });
    const fine = batches.loader(async (keys: readonly string[]) => keys.map((k) => k.toUpperCase()));
    await expect(failing.load('a')).rejects.toThrow('database down');
    await expect(fine.load('b')).resolves.toBe('B');
    const [x, y] = await Promise.allSettled([failing.load('c'), fine.load('d')]);
    expect(x.status).toBe('rejected');
    expect(y).toEqual({ status: 'fulfilled', value: 'D' });
  });
});
