// TEACHING CODE WITH ITS HOLES KEPT: the shape of the textbook's restServer.js, for the guide's demonstrations.
// Never deploy it. The holes: files are read from path.join(__dirname, req.url), so `/../../x` leaves the folder;
// JSON.parse runs in a stream callback, outside any try, so one malformed body is an uncaught exception and the
// whole process dies; bodies have no size limit; users are keyed by Date.now().
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';

const { PORT = '8090' } = process.env;
const FRONT = path.join(import.meta.dirname, '..', 'public', 'restFront');
const users = {};

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === 'GET') {
      if (req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        return res.end(await fs.readFile(path.join(FRONT, 'restFront.html')));
      }
      if (req.url === '/users') {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        return res.end(JSON.stringify(users));
      }
      // Hole: any path, '..' included, is joined to the folder and read.
      const data = await fs.readFile(path.join(FRONT, req.url));
      return res.end(data);
    }
    if (req.method === 'POST' && req.url === '/user') {
      let body = '';
      req.on('data', (chunk) => { body += chunk; }); // hole: no limit
      return req.on('end', () => {
        const { name } = JSON.parse(body); // hole: throws outside the try above, and nothing catches it
        users[Date.now()] = name;
        res.writeHead(201, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('created');
      });
    }
    res.writeHead(404);
    return res.end('NOT FOUND');
  } catch (err) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(err.message); // and the error's text, paths included, goes to the client
  }
});
server.listen(Number(PORT), '127.0.0.1', () => {
  console.log(`book/restServer (teaching code, holes kept): http://127.0.0.1:${server.address().port}`);
});
