// The book's cookie2.js on maru: log in with a name, be greeted "OO님 안녕하세요". The book trusts whatever name
// the cookie says (`curl -H 'Cookie: name=admin'` is admin); here the cookie is signed with a server key (HMAC),
// HttpOnly, SameSite=Lax, Secure over TLS, percent-encoded, and expires after 5 minutes. Login is a POST form, so
// the name never lands in a URL, and sameOrigin() stops another site from logging a visitor in.
// Run: npm run example -- cookie2      (COOKIE_KEY: 32+ characters; a random key per start by default)
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createApp, createCookieSigner, HttpError, listen, sameOrigin } from '../src/index.js';

const { PORT = '8080', HOST = '127.0.0.1', COOKIE_KEY = randomBytes(32).toString('base64url') } = process.env;
const signer = createCookieSigner([COOKIE_KEY]);
const loginPage = await readFile(new URL('./public/cookie2/cookie2.html', import.meta.url), 'utf8');

const app = createApp();
app.use(sameOrigin());
app.get('/', (ctx) => {
  const name = signer.unsign(ctx.cookies.name); // undefined when missing, forged or tampered with
  return name === undefined ? ctx.html(loginPage) : ctx.text(`${name}님 안녕하세요`);
});
app.post('/login', { bodyLimit: 1024 }, async (ctx) => {
  const name = (await ctx.body.form()).name?.trim() ?? '';
  if (name.length === 0 || name.length > 32 || /\p{Cc}/u.test(name)) {
    throw new HttpError(400, 'INVALID_NAME', 'name must be 1 to 32 characters, without control characters');
  }
  ctx.setCookie('name', signer.sign(name), { maxAge: 5 * 60, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/' });
  return ctx.redirect('/', 303);
});

const server = await listen(app, { port: Number(PORT), host: HOST });
console.log(`cookie2: ${server.urls[0]}`);
