// Preloaded (`node --import`) into a cluster's processes: a worker that gets SIGUSR2 throws from the signal
// handler — an error outside any request, which only the process safety net can catch.
import cluster from 'node:cluster';

if (cluster.isWorker) {
  process.on('SIGUSR2', () => {
    throw new Error('thrown outside any request');
  });
}
