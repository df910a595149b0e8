import type { Lang } from '../i18n.js';
import type { Messages } from '../messages.js';
import { escapeHtml } from './escape.js';
import { layout } from './layout.js';

// The About text in each language: trusted, constant markup. Each is written for its reader, not translated.
const TEXT: Readonly<Record<Lang, string>> = {
  ko: `<p>maru는 『Node.js 교과서』 4장에서 만든 회원 관리 서버를, 실제 인터넷에 내놓아도 되도록 다시 만든 것입니다.
라우터, 요청 본문, 쿠키와 세션, 정적 파일을 프레임워크 없이 Node의 <code>http</code> 모듈 위에서 직접 구현했습니다.</p>
<p>회원 정보는 기본으로 SQLite에, 규모가 커지면 PostgreSQL에 저장합니다. 세션은 SQLite나 Redis에 두기 때문에
서버를 다시 켜도 로그인이 풀리지 않고, 여러 프로세스와 여러 대의 서버가 같은 세션을 나눠 씁니다.</p>
<p>비밀번호는 scrypt로 해시하고, 다른 사이트에서 보낸 요청은 받지 않으며, 잘못된 입력에는 알맞은 오류로
답하고 아무것도 바꾸지 않습니다.</p>`,
  en: `<p>maru is the member directory of chapter 4 of the Node.js textbook, rebuilt to run on the internet for real:
a router, request bodies, cookies and sessions and static files written directly on Node's <code>http</code> module,
with no framework underneath.</p>
<p>Members live in SQLite by default, or in PostgreSQL when one machine is not enough. Sessions live in SQLite or
Redis, so a restart does not log anyone out, and several processes or machines share them.</p>
<p>Passwords are hashed with scrypt, requests sent from other sites are refused, and bad input gets a clear error
and changes nothing.</p>`,
};

/**
 * The About page in one language. It depends on nothing but the language and whether someone is logged in (for
 * the logout button), so each variant is rendered once, at start-up.
 *
 * @example
 * renderAbout({ lang: 'en', t: MESSAGES.en, loggedIn: false })
 */
export function renderAbout({ lang, t, loggedIn }: { lang: Lang; t: Messages; loggedIn: boolean }): string {
  return layout({
    lang,
    t,
    title: t.about,
    loggedIn,
    here: '/about',
    body: `<article class="about">
<h1>${escapeHtml(t.about)}</h1>
${TEXT[lang]}
<p><a href="/">${escapeHtml(t.backHome)}</a></p>
</article>`,
  });
}
