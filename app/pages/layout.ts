import type { Lang } from '../i18n.js';
import type { Messages } from '../messages.js';
import { escapeHtml } from './escape.js';
import { switchLanguageHref } from './language-link.js';

export interface LayoutView {
  readonly lang: Lang;
  readonly t: Messages;
  readonly title: string;
  /** Trusted markup: every piece of user text in it was escaped by the page that built it. */
  readonly body: string;
  readonly loggedIn: boolean;
  /** Where the language switch brings the reader back to: this page's path and query. */
  readonly here: string;
}

/**
 * The frame every server-rendered page shares: head, navigation with the language switch, stylesheet, the small
 * client script. No inline script or style anywhere (the pages must run under `script-src 'self'` without
 * `unsafe-inline`): the script is a file, and what it needs to say comes in `data-*` attributes.
 *
 * @example
 * layout({ lang: 'ko', t: MESSAGES.ko, title: '소개', body: '<h1>소개</h1>', loggedIn: false, here: '/about' })
 */
export function layout({ lang, t, title, body, loggedIn, here }: LayoutView): string {
  const logout = loggedIn
    ? `<form id="logout" method="post" action="/logout"><button type="submit">${escapeHtml(t.logout)}</button></form>`
    : '';
  const other = t.switchTo;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · maru</title>
<link rel="stylesheet" href="/static/style.css">
<script type="module" src="/static/app.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">maru</a>
  <nav><a href="/">${escapeHtml(t.home)}</a><a href="/about">${escapeHtml(t.about)}</a></nav>
  <a id="language" class="language" href="${escapeHtml(switchLanguageHref(other.lang, here))}" hreflang="${other.lang}" lang="${other.lang}">${escapeHtml(other.label)}</a>
  ${logout}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}
