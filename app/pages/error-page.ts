import type { Lang } from '../i18n.js';
import { errorMessage, type Messages, type PageText } from '../messages.js';
import { escapeHtml } from './escape.js';
import { layout } from './layout.js';

export interface ErrorPageView {
  readonly lang: Lang;
  readonly t: Messages;
  readonly status: number;
  /** The API's error code (`NOT_FOUND`, `NAME_TAKEN`, …), for the sentence of a 4xx other than 404 and 405. */
  readonly code: string;
  /** Shown on a 5xx page so that a reader can quote it and the logged error be found. */
  readonly requestId: string;
  readonly here: string;
}

/**
 * The small page a browser gets instead of the API's JSON error: a heading and a sentence in the reader's language,
 * chosen by status, and a way home. It never shows an error's own message: a 5xx says only that something went
 * wrong, with the request id.
 *
 * @example
 * renderErrorPage({ lang: 'ko', t: MESSAGES.ko, status: 404, code: 'NOT_FOUND', requestId: 'r1', here: '/nope' })
 */
export function renderErrorPage(view: ErrorPageView): string {
  const { t, status } = view;
  const { title, text } = wording(t, status, view.code);
  const requestId = status >= 500
    ? `\n<p class="request-id">${escapeHtml(t.requestId)}: <code>${escapeHtml(view.requestId)}</code></p>`
    : '';
  return layout({
    lang: view.lang,
    t,
    title,
    loggedIn: false,
    here: view.here,
    body: `<section class="error-page">
<p class="status">${status}</p>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>${requestId}
<p><a href="/">${escapeHtml(t.backHome)}</a></p>
</section>`,
  });
}

function wording(t: Messages, status: number, code: string): PageText {
  if (status === 404) return t.notFound;
  if (status === 405) return t.methodNotAllowed;
  if (status === 503) return t.unavailable;
  if (status >= 500) return t.serverError;
  return { title: t.clientError.title, text: errorMessage(t, code) };
}
