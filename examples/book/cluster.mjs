// TEACHING CODE WITH ITS HOLES KEPT: the shape of the textbook's cluster.js, for the guide's demonstrations.
// Never deploy it. The hole: a worker that exits is forked again at once, with no delay and no limit. When a worker
// dies at start-up (a bad deploy, a missing file, a port it cannot take) the primary forks, the worker dies, the
// primary forks… as fast as the machine allows, for as long as it runs: a fork storm.
// BOOK_CRASH_ON_START=1 plays the bad deploy: every worker throws before it listens. WORKERS sets how many (default 2).
import cluster from 'node:cluster';
import http from 'node:http';

const { PORT = '8090', WORKERS = '2', BOOK_CRASH_ON_START } = process.env;

if (cluster.isPrimary) {
  console.log(`book/cluster (teaching code, holes kept): primary ${process.pid}`);
  for (let i = 0; i < Number(WORKERS); i += 1) cluster.fork();
  cluster.on('exit', (worker, code) => {
    console.log(`worker ${worker.process.pid} exited (${code}); forking another`);
    cluster.fork(); // hole: at once, every time
  });
} else {
  if (BOOK_CRASH_ON_START) throw new Error('cannot start (a bad deploy)');
  http
    .createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<h1>Hello Node!</h1><p>Hello Cluster!</p>');
      setTimeout(() => process.exit(1), 1000); // as in the book: every request ends its worker a second later
    })
    .listen(Number(PORT), '127.0.0.1', function () {
      console.log(`worker ${process.pid}: http://127.0.0.1:${this.address().port}`);
    });
}
