/**
 * Runs one service's main module (argv[2]) and answers the parent's `memory` message with
 * process.memoryUsage(): how bench/abuse.ts reads each service's RSS and heap.
 */
import path from 'node:path';

process.on('message', (message) => {
  if (message === 'memory' && process.send) {
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    process.send({ rss, heapUsed, heapTotal });
  }
});

require(path.resolve(process.argv[2]));
