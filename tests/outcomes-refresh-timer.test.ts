/** The refresh timer: on its interval, never two refreshes at once, a failure logged and the next tick still runs. */
import { refreshEvery } from '../subgraphs/outcomes/refresh';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('skips a tick while a refresh is still running, and goes on after a failure', async () => {
  let running = 0;
  let most = 0;
  let calls = 0;
  const errors: unknown[] = [];
  const stop = refreshEvery(async () => {
    calls++;
    running++;
    most = Math.max(most, running);
    await sleep(70); // longer than the interval
    running--;
    if (calls === 1) throw new Error('gateway down');
  }, 20, (e) => errors.push(e), 0);
  await sleep(400);
  stop();
  const after = calls;
  await sleep(100);
  expect(most).toBe(1);
  expect(calls).toBeGreaterThanOrEqual(2);
  expect(calls).toBeLessThanOrEqual(7); // 400 ms of 70 ms refreshes, one at a time
  expect(errors).toEqual([new Error('gateway down')]);
  expect(calls).toBe(after); // stopped
});
