import type { Lang, Messages } from '../i18n.js';
import { escapeHtml } from './escape.js';

/** The frame every server-rendered page shares: head, navigation, stylesheet, the small client script. */
export function layout({ lang, t, title, body, loggedIn }: { lang: Lang; t: Messages; title: string; body: string; loggedIn: boolean }): string {
  const logout = loggedIn
    ? `<form id="logout" method="post" action="/logout"><button type="submit">${escapeHtml(t.logout)}</button></form>`
    : '';
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
  ${logout}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}
