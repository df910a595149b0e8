import type { Lang } from './i18n.js';

/** The heading and the sentence of an error page. */
export interface PageText {
  readonly title: string;
  readonly text: string;
}

/** Everything the member directory can say, in one language: the pages, the client script and the errors. */
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
  /** The language switch: the link to the other language, written in that language. */
  readonly switchTo: { readonly lang: Lang; readonly label: string };
  /** What each API error code means to a reader; the API's own messages are for developers. */
  readonly errors: Readonly<Record<string, string>>;
  /** Shown for a code the table does not know. */
  readonly unknownError: string;
  /** Shown by the client script when the server cannot be reached at all. */
  readonly offline: string;
  readonly backHome: string;
  /** Error pages for browsers, by status. */
  readonly notFound: PageText;
  readonly methodNotAllowed: PageText;
  readonly clientError: Omit<PageText, 'text'>;
  readonly unavailable: PageText;
  readonly serverError: PageText;
  /** Label of the request id on a 5xx page, the one thing a reader can quote to find the logged error. */
  readonly requestId: string;
}

/**
 * The one table of the member directory's words, Korean and English side by side. The Korean is written for a
 * Korean reader in the polite 합니다체 the pages use, not translated sentence by sentence.
 */
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
    switchTo: { lang: 'en', label: 'English' },
    errors: {
      LOGIN_FAILED: '이름 또는 비밀번호가 맞지 않습니다.',
      NAME_TAKEN: '이미 쓰이는 이름입니다. 다른 이름을 골라 주세요.',
      NAME_REQUIRED: '이름을 반드시 입력하셔야 합니다.',
      INVALID_NAME: '이름은 32자까지 쓸 수 있고, 줄바꿈 같은 제어 문자나 보이지 않는 서식 문자는 넣을 수 없습니다.',
      NAME_INVISIBLE_CHARACTER: '이름에 보이지 않는 문자는 넣을 수 없습니다.',
      NAME_MIXED_SCRIPTS: '이름에 라틴 문자와 키릴·그리스 문자처럼 닮은 글자를 섞어 쓸 수 없습니다.',
      INVALID_PASSWORD: '비밀번호는 8자 이상 128자 이하로 정해 주세요.',
      WRONG_PASSWORD: '지금 쓰는 비밀번호가 맞지 않습니다.',
      NOTHING_TO_CHANGE: '바꿀 내용이 없습니다.',
      NOT_LOGGED_IN: '먼저 로그인해 주세요.',
      NOT_YOUR_ACCOUNT: '다른 회원의 계정은 바꿀 수 없습니다.',
      USER_NOT_FOUND: '회원을 찾을 수 없습니다. 이미 탈퇴했을 수 있습니다.',
      NOT_FOUND: '찾으시는 페이지가 없습니다.',
      METHOD_NOT_ALLOWED: '이 주소에서는 할 수 없는 요청입니다.',
      FORBIDDEN: '볼 수 있는 권한이 없는 페이지입니다.',
      CROSS_SITE_REQUEST: '다른 사이트에서 보낸 요청은 받지 않습니다.',
      BODY_TOO_LARGE: '보내신 내용이 너무 깁니다.',
      SESSION_STORE_UNAVAILABLE: '지금은 로그인 정보를 확인할 수 없습니다. 잠시 뒤에 다시 시도해 주세요.',
    },
    unknownError: '요청을 처리하지 못했습니다. 다시 시도해 주세요.',
    offline: '서버에 연결하지 못했습니다. 인터넷 연결을 확인하고 다시 시도해 주세요.',
    backHome: '홈으로 가기',
    notFound: { title: '페이지를 찾을 수 없습니다', text: '주소가 바뀌었거나 없는 페이지입니다. 주소를 다시 확인해 주세요.' },
    methodNotAllowed: { title: '이렇게는 열 수 없는 주소입니다', text: '페이지의 링크와 버튼을 눌러 다시 시도해 주세요.' },
    clientError: { title: '요청을 처리할 수 없습니다' },
    unavailable: { title: '잠시 이용할 수 없습니다', text: '잠시 뒤에 다시 시도해 주세요.' },
    serverError: { title: '서버에 문제가 생겼습니다', text: '잠시 뒤에 다시 시도해 주세요. 문제가 계속되면 아래 요청 번호를 함께 알려 주세요.' },
    requestId: '요청 번호',
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
    switchTo: { lang: 'ko', label: '한국어' },
    errors: {
      LOGIN_FAILED: 'Wrong name or password.',
      NAME_TAKEN: 'That name is taken. Please choose another one.',
      NAME_REQUIRED: 'Please enter a name.',
      INVALID_NAME: 'A name can be up to 32 characters, without line breaks, control or invisible formatting characters.',
      NAME_INVISIBLE_CHARACTER: 'A name cannot contain invisible characters.',
      NAME_MIXED_SCRIPTS: 'A name cannot mix look-alike alphabets, such as Latin with Cyrillic or Greek letters.',
      INVALID_PASSWORD: 'Please choose a password of 8 to 128 characters.',
      WRONG_PASSWORD: 'Your current password is not right.',
      NOTHING_TO_CHANGE: 'There is nothing to change.',
      NOT_LOGGED_IN: 'Please log in first.',
      NOT_YOUR_ACCOUNT: 'You can only change your own account.',
      USER_NOT_FOUND: 'That member does not exist; the account may have been deleted.',
      NOT_FOUND: 'There is no page at this address.',
      METHOD_NOT_ALLOWED: 'This address does not take that kind of request.',
      FORBIDDEN: 'You do not have access to this page.',
      CROSS_SITE_REQUEST: 'Requests sent from other sites are not accepted.',
      BODY_TOO_LARGE: 'What you sent is too long.',
      SESSION_STORE_UNAVAILABLE: 'Logins cannot be checked right now. Please try again in a moment.',
    },
    unknownError: 'Your request could not be completed. Please try again.',
    offline: 'Could not reach the server. Check your connection and try again.',
    backHome: 'Go to the home page',
    notFound: { title: 'Page not found', text: 'The address may have changed, or the page never existed. Please check the address.' },
    methodNotAllowed: { title: 'This address cannot be opened this way', text: 'Please use the links and buttons on the page instead.' },
    clientError: { title: 'The request could not be completed' },
    unavailable: { title: 'Temporarily unavailable', text: 'Please try again in a moment.' },
    serverError: { title: 'Something went wrong on our side', text: 'Please try again in a moment. If it keeps happening, tell us the request number below.' },
    requestId: 'Request number',
  },
};

/** A reader's sentence for an API error code, or the generic one for a code the table does not know. */
export function errorMessage(t: Messages, code: string): string {
  return Object.hasOwn(t.errors, code) ? t.errors[code]! : t.unknownError;
}
