import { HttpError, type App, type Context, type Reply } from '../../src/index.js';
import { LANGS, languageOf, markLanguage, type Lang } from '../i18n.js';
import { MESSAGES } from '../messages.js';
import { renderAbout } from '../pages/about.js';
import { renderHome } from '../pages/home.js';
import type { UserRepository } from '../users/repo.js';
import { fixedPage } from './fixed-page.js';
import { currentPage } from './language.js';
import { currentMember } from './member.js';

const MEMBERS_PER_PAGE = 50;

export interface PageRenderer {
  /** The home page, shown again with the error of a failed form post and that error's status. */
  formError(ctx: Context, err: unknown): Promise<Reply>;
}

/**
 * The server-rendered pages: home (`/`), About, the health check and the book's hello. Both pages speak the reader's
 * language (the switch's cookie, else Accept-Language). The home page depends on who is logged in, so it is never
 * cached by shared caches; the About page is rendered once per language and answered with an ETag.
 */
export function pageRoutes(app: App, users: UserRepository): PageRenderer {
  const home = async (ctx: Context, here: string, status = 200, view: { error?: string; notice?: string } = {}): Promise<Reply> => {
    const lang = languageOf(ctx);
    const t = MESSAGES[lang];
    const cursor = ctx.query.get('cursor') ?? undefined;
    const page = await users
      .list(cursor === undefined ? { limit: MEMBERS_PER_PAGE } : { limit: MEMBERS_PER_PAGE, cursor })
      .catch((err: unknown) => {
        if (err instanceof RangeError) return users.list({ limit: MEMBERS_PER_PAGE });
        throw err;
      });
    const notice = view.notice ?? (ctx.query.get('registered') === '1' ? t.registered : undefined);
    ctx.header('cache-control', 'private, no-store');
    markLanguage(ctx, lang);
    return ctx.html(
      renderHome({
        lang,
        t,
        me: currentMember(ctx),
        members: page.users,
        nextCursor: page.nextCursor,
        here,
        ...(notice === undefined ? {} : { notice }),
        ...(view.error === undefined ? {} : { error: view.error }),
      }),
      status,
    );
  };

  const about = aboutPages();
  app.get('/', (ctx) => home(ctx, currentPage(ctx)));
  app.get('/about', (ctx) => about(languageOf(ctx), currentMember(ctx) !== undefined)(ctx));
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));

  return {
    formError(ctx, err) {
      // Only the client's own mistakes are shown on the page; anything else is the app's 500.
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      for (const [name, value] of Object.entries(err.headers ?? {})) ctx.header(name, value);
      // The form posted to /login or /users, which are no pages to come back to: the switch leads home.
      return home(ctx, '/', err.status, { error: err.code });
    },
  };
}

/** The About page of each language, logged in (with the logout button) or not: four fixed pages. */
function aboutPages(): (lang: Lang, loggedIn: boolean) => (ctx: Context) => Reply {
  const headers = (lang: Lang) => ({ 'cache-control': 'no-cache', 'content-language': lang, vary: 'Accept-Language, Cookie' });
  const pages = new Map<string, (ctx: Context) => Reply>();
  for (const lang of LANGS) {
    for (const loggedIn of [false, true]) {
      pages.set(`${lang} ${loggedIn}`, fixedPage(renderAbout({ lang, t: MESSAGES[lang], loggedIn }), headers(lang)));
    }
  }
  return (lang, loggedIn) => pages.get(`${lang} ${loggedIn}`)!;
}
