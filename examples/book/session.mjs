// TEACHING CODE WITH ITS HOLES KEPT: the shape of the textbook's session.js, for the guide's demonstrations.
// Never deploy it. The holes: the session id is Date.now() — the millisecond of the login, which anyone can guess
// by trying the last few thousand; sessions are never removed, only ignored once expired.
import http from 'node:http';

const { PORT = '8090' } = process.env;
const session = {};

const server = http.createServer((req, res) => {
  const cookies = Object.fromEntries((req.headers.cookie ?? '').split(';').map((pair) => pair.trim().split('=')));
  if (req.url.startsWith('/login')) {
    const name = new URL(req.url, 'http://localhost').searchParams.get('name') ?? '';
    const expires = new Date(Date.now() + 5 * 60_000);
    const id = Date.now(); // hole: guessable
    session[id] = { name, expires };
    res.writeHead(302, { Location: '/', 'Set-Cookie': `session=${id}; Expires=${expires.toUTCString()}; HttpOnly; Path=/` });
    return res.end();
  }
  const mine = session[cookies.session];
  if (mine && mine.expires > new Date()) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end(`${mine.name}님 안녕하세요`);
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<form action="/login"><input name="name" placeholder="이름을 입력하세요"><button>로그인</button></form>');
});
server.listen(Number(PORT), '127.0.0.1', () => {
  console.log(`book/session (teaching code, holes kept): http://127.0.0.1:${server.address().port}`);
});
