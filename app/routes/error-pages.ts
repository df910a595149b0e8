import { errorReply, HttpError, type Context, type Middleware, type Reply } from '../../src/index.js';
import { languageOf, markLanguage } from '../i18n.js';
import { MESSAGES } from '../messages.js';
import { renderErrorPage } from '../pages/error-page.js';
import { currentPage } from './language.js';
import { prefersHtml } from './prefers-html.js';

/**
 * Runs `inner` (and, through its `next`, everything after it) and answers any error it throws like the toolkit
 * does, except that a browser gets a small page in its reader's language instead of JSON. Wrapping the first
 * middleware rather than running before it keeps that middleware's synchronous answers (a static cache hit)
 * synchronous: no promise is made unless `inner` makes one.
 *
 * @example
 * app.use(withErrorPages(staticRoutes(publicDir)));
 */
export function withErrorPages(inner: Middleware): Middleware {
  return (ctx, next) => {
    let result: Reply | Promise<Reply>;
    try {
      result = inner(ctx, next);
    } catch (err) {
      return answerError(ctx, err);
    }
    return result instanceof Promise ? result.catch((err: unknown) => answerError(ctx, err)) : result;
  };
}

/**
 * The reply for an error: the toolkit's own (logged when it is a 5xx or not an HttpError; a generic 500 that leaks
 * nothing), turned into an HTML page of the same status and headers (Allow, Retry-After) when the client prefers
 * HTML. The page's words come from the status and the error code alone, never from the error's message.
 */
export function answerError(ctx: Context, err: unknown): Reply {
  const reply = errorReply(ctx, err);
  // The same URL answers JSON or HTML by Accept (RFC 9110 §12.5.5).
  ctx.appendHeader('vary', 'Accept');
  if (!prefersHtml(ctx.headers.accept)) return reply;
  const lang = languageOf(ctx);
  markLanguage(ctx, lang);
  ctx.header('cache-control', 'no-store');
  const page = ctx.html(
    renderErrorPage({
      lang,
      t: MESSAGES[lang],
      status: reply.status,
      code: err instanceof HttpError ? err.code : 'INTERNAL',
      requestId: ctx.id,
      here: ctx.method === 'GET' || ctx.method === 'HEAD' ? currentPage(ctx) : '/',
    }),
    reply.status,
  );
  const { 'content-type': _type, 'content-length': _length, ...kept } = reply.headers;
  return { ...page, headers: { ...kept, ...page.headers } };
}
