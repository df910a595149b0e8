import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PUBLIC_DIR } from '../app/harness.js';
import type { Target } from './target.js';
import { http } from './wire.js';

/** A member who lives on the target through every attack: the state to protect. */
export interface Member {
  readonly id: string;
  readonly name: string;
  readonly password: string;
  /** `sid=…`, as a Cookie header. */
  readonly cookie: string;
}

/** Registers a member and logs in (HTTP/1.1); rejects unless both succeed. */
export async function signUp(target: Target, name: string, password = 'correct horse 1'): Promise<Member> {
  const json = { 'content-type': 'application/json' };
  const created = await http(target, '/users', { method: 'POST', headers: json, body: JSON.stringify({ name, password }) });
  assert.equal(created.status, 201, `registering ${name}: ${created.body}`);
  const login = await http(target, '/login', { method: 'POST', headers: json, body: JSON.stringify({ name, password }) });
  assert.equal(login.status, 200, `logging in ${name}: ${login.body}`);
  const cookie = [login.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0];
  assert.match(String(cookie), /^sid=[A-Za-z0-9_-]{32}$/);
  return { id: (JSON.parse(created.body) as { id: string }).id, name, password, cookie: cookie! };
}

/** What an attack must not change: the member list, a member's session, the data directory, the public files. */
export interface State {
  readonly members: string;
  readonly me: string;
  readonly dataFiles: readonly string[];
  readonly publicFiles: readonly string[];
}

export async function snapshot(target: Target, member: Member): Promise<State> {
  const [members, me, dataFiles, publicFiles] = await Promise.all([
    http(target, '/users?limit=100'),
    http(target, '/me', { headers: { cookie: member.cookie } }),
    readdir(target.dataDir),
    fingerprint(PUBLIC_DIR),
  ]);
  assert.equal(members.status, 200);
  return { members: members.body, me: `${me.status} ${me.body}`, dataFiles: dataFiles.sort(), publicFiles };
}

/** Every file under `dir` with its size and modification time. */
async function fingerprint(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) => {
      const path = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
      const stats = await stat(path);
      return `${relative(dir, path)} ${stats.size} ${stats.mtimeMs}`;
    }),
  );
  return files.sort();
}

/** How long the next ordinary request may take after an attack: far above the milliseconds it takes. */
export const PROMPT_MS = 5_000;

/**
 * After an attack: the state is what it was, and an ordinary request is served at once (well within PROMPT_MS,
 * on a fresh connection).
 */
export async function assertIntact(target: Target, member: Member, before: State): Promise<void> {
  const started = Date.now();
  const hello = await http(target, '/hello');
  const ms = Date.now() - started;
  assert.equal(hello.status, 200);
  assert.equal(hello.body, 'Hello Node!');
  assert.ok(ms < PROMPT_MS, `the next request took ${ms} ms`);
  const after = await snapshot(target, member);
  assert.equal(after.members, before.members, 'the member list is unchanged');
  assert.equal(after.me, before.me, "the resident member's session is unchanged");
  assert.deepEqual(after.dataFiles, before.dataFiles, 'no file appeared or went in the data directory');
  assert.deepEqual(after.publicFiles, before.publicFiles, 'the public files are unchanged');
}

const LEAKS: readonly [RegExp, string][] = [
  [/\bat [^\n]*:\d+:\d+/, 'a stack frame'],
  [/node:internal|node_modules/, 'a module path'],
  [/\/(?:work|home|tmp|srv|etc)\/[A-Za-z0-9_.-]+\//, 'a file system path'],
  [/scrypt\$|password_?hash/i, 'a password hash'],
  [/SQLITE_|better-sqlite3|sqlite_/i, 'a database error'],
  [/root:x?:0:0/, 'the contents of /etc/passwd'],
  [/"(?:devDependencies|allowScripts)"/, 'the contents of package.json'],
  [/\bimport (?:type )?\{|export function/, 'source code'],
];

/** The reply leaks nothing: no stack, no path, no hash, no other member's session id (`secrets`). */
export function assertNoLeak(text: string, secrets: readonly string[] = []): void {
  for (const [pattern, what] of LEAKS) assert.doesNotMatch(text, pattern, `the reply carries ${what}`);
  for (const secret of secrets) assert.ok(!text.includes(secret), 'the reply carries another member\'s session id');
}

/** The secret part of a member's cookie, for assertNoLeak. */
export function sessionIdOf(member: Member): string {
  return member.cookie.slice('sid='.length);
}

/**
 * What a target logged while under attack: no line at error or worse, no request answered 5xx (except the
 * deliberate 503s of `allowed`), and no line that carries a password.
 */
export function assertCleanLogs(lines: readonly Record<string, unknown>[], { passwords = [], allowed = [] }: { passwords?: readonly string[]; allowed?: readonly number[] } = {}): void {
  const errors = lines.filter((line) => typeof line.level === 'number' && line.level >= 50);
  assert.deepEqual(errors.map((line) => line.msg), [], 'no error was logged');
  const failed = lines.filter((line) => line.msg === 'request' && typeof line.status === 'number' && line.status >= 500 && !allowed.includes(line.status));
  assert.deepEqual(failed.map((line) => `${line.method} ${line.path} ${line.status}`), [], 'no request was answered 5xx');
  const text = JSON.stringify(lines);
  for (const password of passwords) assert.ok(!text.includes(password), 'a password reached the log');
}
