export type Lang = 'ko' | 'en';

/**
 * Korean unless the client prefers English: the highest-q language range of Accept-Language that we speak wins
 * (RFC 9110 §12.5.4); ties keep the client's order.
 *
 * @example
 * pickLanguage('en-US,en;q=0.9,ko;q=0.8') // 'en'
 */
export function pickLanguage(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'ko';
  let best: Lang = 'ko';
  let bestQ = -1;
  for (const part of acceptLanguage.split(',').slice(0, 20)) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.trim().slice(2));
    if (!Number.isFinite(q) || q <= bestQ) continue;
    const primary = range.split('-')[0];
    if (primary === 'ko' || primary === 'en') {
      best = primary;
      bestQ = q;
    }
  }
  return best;
}

export interface Messages {
  readonly title: string;
  readonly greeting: (name: string) => string;
  readonly members: string;
  readonly noMembers: string;
  readonly more: string;
  readonly you: string;
  readonly edit: string;
  readonly save: string;
  readonly cancel: string;
  readonly remove: string;
  readonly confirmRemove: string;
  readonly logout: string;
  readonly login: string;
  readonly register: string;
  readonly name: string;
  readonly password: string;
  readonly home: string;
  readonly about: string;
  readonly registered: string;
  readonly errors: Readonly<Record<string, string>>;
}

export const MESSAGES: Readonly<Record<Lang, Messages>> = {
  ko: {
    title: '회원 명부',
    greeting: (name) => `${name}님 안녕하세요`,
    members: '회원 목록',
    noMembers: '아직 회원이 없습니다.',
    more: '더 보기',
    you: '나',
    edit: '이름 바꾸기',
    save: '저장',
    cancel: '취소',
    remove: '탈퇴',
    confirmRemove: '정말 탈퇴하시겠습니까? 되돌릴 수 없습니다.',
    logout: '로그아웃',
    login: '로그인',
    register: '회원 가입',
    name: '이름',
    password: '비밀번호',
    home: '홈',
    about: '소개',
    registered: '가입되었습니다. 이제 로그인하세요.',
    errors: {
      LOGIN_FAILED: '이름 또는 비밀번호가 맞지 않습니다.',
      NAME_TAKEN: '이미 쓰이는 이름입니다.',
      INVALID_NAME: '이름은 1–32자이며 제어 문자를 쓸 수 없습니다.',
      INVALID_PASSWORD: '비밀번호는 8–128자여야 합니다.',
      CROSS_SITE_REQUEST: '다른 사이트에서 온 요청은 받을 수 없습니다.',
    },
  },
  en: {
    title: 'Member directory',
    greeting: (name) => `Hello, ${name}`,
    members: 'Members',
    noMembers: 'No members yet.',
    more: 'More',
    you: 'you',
    edit: 'Rename',
    save: 'Save',
    cancel: 'Cancel',
    remove: 'Delete account',
    confirmRemove: 'Delete your account for good? This cannot be undone.',
    logout: 'Log out',
    login: 'Log in',
    register: 'Register',
    name: 'Name',
    password: 'Password',
    home: 'Home',
    about: 'About',
    registered: 'You are registered. Log in now.',
    errors: {
      LOGIN_FAILED: 'Wrong name or password.',
      NAME_TAKEN: 'That name is taken.',
      INVALID_NAME: 'A name is 1–32 characters, without control characters.',
      INVALID_PASSWORD: 'A password is 8–128 characters.',
      CROSS_SITE_REQUEST: 'Requests from other sites are not accepted.',
    },
  },
};
