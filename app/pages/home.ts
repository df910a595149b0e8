import type { Lang } from '../i18n.js';
import { errorMessage, type Messages } from '../messages.js';
import type { User } from '../users/repo.js';
import { escapeHtml } from './escape.js';
import { layout } from './layout.js';

export interface HomeView {
  readonly lang: Lang;
  readonly t: Messages;
  /** The logged-in member, if any. */
  readonly me: { readonly id: string; readonly name: string } | undefined;
  readonly members: readonly User[];
  /** Link to the next page of members. */
  readonly nextCursor: string | undefined;
  /** A line to show above everything: a notice, or an error code with its localised text. */
  readonly notice?: string;
  readonly error?: string;
  /** This page's path and query, for the language switch. */
  readonly here: string;
}

/**
 * The home page, rendered on the server so that it works without JavaScript: the greeting and logout for a member,
 * the login and register forms for a visitor, and the member list. Every name is escaped.
 */
export function renderHome(view: HomeView): string {
  const { t, me } = view;
  const banner = view.error
    ? `<p class="message error" role="alert">${escapeHtml(errorMessage(t, view.error))}</p>`
    : view.notice
      ? `<p class="message" role="status">${escapeHtml(view.notice)}</p>`
      : '';
  const top = me
    ? `<h1 id="greeting">${escapeHtml(t.greeting(me.name))}</h1>`
    : `<h1>${escapeHtml(t.title)}</h1>
<div class="forms">
${accountForm('login', '/login', t.login, t, 'current-password')}
${accountForm('register', '/users', t.register, t, 'new-password')}
</div>`;
  return layout({
    lang: view.lang,
    t,
    title: me ? t.greeting(me.name) : t.title,
    loggedIn: me !== undefined,
    here: view.here,
    body: `${banner}
${clientMessages(t)}
${top}
<section class="members">
  <h2>${escapeHtml(t.members)}</h2>
  ${memberList(view)}
</section>`,
  });
}

/**
 * The empty line where the client script shows an error, carrying what it may say there: the error table of this
 * page's language as JSON in a data attribute (no inline script), the sentence for an unknown code, and the one for
 * a server it cannot reach.
 */
function clientMessages(t: Messages): string {
  return `<p id="message" class="message error" role="alert" hidden data-errors="${escapeHtml(JSON.stringify(t.errors))}" data-unknown="${escapeHtml(t.unknownError)}" data-offline="${escapeHtml(t.offline)}"></p>`;
}

function accountForm(id: string, action: string, label: string, t: Messages, autocomplete: string): string {
  return `<form id="${id}" class="card" method="post" action="${action}">
  <h2>${escapeHtml(label)}</h2>
  <label>${escapeHtml(t.name)} <input name="name" required maxlength="32" autocomplete="username"></label>
  <label>${escapeHtml(t.password)} <input name="password" type="password" required minlength="8" maxlength="128" autocomplete="${autocomplete}"></label>
  <button type="submit">${escapeHtml(label)}</button>
</form>`;
}

function memberList({ t, me, members, nextCursor }: HomeView): string {
  if (members.length === 0) return `<p>${escapeHtml(t.noMembers)}</p>`;
  const rows = members.map((user) => {
    const own = me !== undefined && user.id === me.id;
    const actions = own
      ? ` <span class="you">(${escapeHtml(t.you)})</span>
      <span class="actions">
        <button type="button" class="edit" data-save="${escapeHtml(t.save)}" data-cancel="${escapeHtml(t.cancel)}">${escapeHtml(t.edit)}</button>
        <button type="button" class="remove" data-confirm="${escapeHtml(t.confirmRemove)}">${escapeHtml(t.remove)}</button>
      </span>`
      : '';
    return `    <li data-id="${escapeHtml(user.id)}"${own ? ' class="own"' : ''}><span class="name">${escapeHtml(user.name)}</span>${actions}</li>`;
  });
  const more = nextCursor ? `\n  <a class="more" href="/?cursor=${encodeURIComponent(nextCursor)}">${escapeHtml(t.more)}</a>` : '';
  return `<ul id="members">\n${rows.join('\n')}\n  </ul>${more}`;
}
