import { HttpError, type App, type Context } from '../../src/index.js';
import { isLang, LANG_COOKIE } from '../i18n.js';
import { LANG_PATH, returnPath } from '../pages/language-link.js';

const A_YEAR = 365 * 24 * 60 * 60;

/**
 * The language switch: `GET /lang/en?next=/about` remembers English in a cookie and goes back to `next` (a path on
 * this site, else home). A plain link, so it works without JavaScript; the cookie then wins over Accept-Language on
 * every page. It holds no secret, so it needs no HttpOnly; SameSite=Lax like the session, Secure over TLS.
 */
export function languageRoutes(app: App): void {
  app.get(`${LANG_PATH}:lang`, (ctx) => {
    const lang = ctx.params.lang;
    if (!isLang(lang)) throw new HttpError(404, 'NOT_FOUND', 'no such language');
    ctx.setCookie(LANG_COOKIE, lang, { path: '/', maxAge: A_YEAR, sameSite: 'lax', secure: ctx.secure });
    ctx.header('cache-control', 'no-store');
    return ctx.redirect(returnPath(ctx.query.get('next')), 303);
  });
}

/** This request's path and query: where the language switch on its page brings the reader back to. */
export function currentPage(ctx: Context): string {
  return ctx.query.size === 0 ? ctx.path : `${ctx.path}?${ctx.query}`;
}
