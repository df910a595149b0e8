// TEACHING CODE WITH ITS HOLES KEPT: the shape of the textbook's cookie2.js, for the guide's demonstrations.
// Never deploy it. The holes: the cookie's name *is* who you are, so anyone can send `Cookie: name=admin`; the
// hand-written cookie parser calls decodeURIComponent, which throws on `%`, inside the request listener, so one
// malformed cookie kills the process.
import http from 'node:http';

const { PORT = '8090' } = process.env;

const parseCookies = (cookie = '') =>
  cookie
    .split(';')
    .map((pair) => pair.split('='))
    .reduce((acc, [key, value]) => {
      if (key.trim()) acc[key.trim()] = decodeURIComponent(value ?? ''); // hole: throws on a malformed escape
      return acc;
    }, {});

const server = http.createServer((req, res) => {
  const cookies = parseCookies(req.headers.cookie);
  if (req.url.startsWith('/login')) {
    const name = new URL(req.url, 'http://localhost').searchParams.get('name') ?? '';
    const expires = new Date(Date.now() + 5 * 60_000);
    res.writeHead(302, { Location: '/', 'Set-Cookie': `name=${encodeURIComponent(name)}; Expires=${expires.toUTCString()}; HttpOnly; Path=/` });
    return res.end();
  }
  if (cookies.name) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end(`${cookies.name}님 안녕하세요`); // hole: whoever the cookie says
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<form action="/login"><input name="name" placeholder="이름을 입력하세요"><button>로그인</button></form>');
});
server.listen(Number(PORT), '127.0.0.1', () => {
  console.log(`book/cookie2 (teaching code, holes kept): http://127.0.0.1:${server.address().port}`);
});
