import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  inject,
  MemoryAttemptCounter,
  MemoryStore,
  type App,
  type AttemptCounter,
  type InjectRequest,
  type InjectResponse,
  type SessionStore,
  type TrustProxy,
} from '../../src/index.js';
import type { AccountLimits } from '../../app/auth/throttle.js';
import { buildApp } from '../../app/server.js';
import { openUserRepository } from '../../app/users/open.js';
import type { UserRepository } from '../../app/users/repo.js';
import { memoryLogger } from '../logger.js';

export const PUBLIC_DIR = fileURLToPath(new URL('../../app/public/', import.meta.url));

export interface TestApp {
  readonly app: App;
  readonly users: UserRepository;
  readonly sessionStore: SessionStore;
  /** Where the app counts failed logins and registrations. */
  readonly attempts: AttemptCounter;
  /** What the app logged, as JSON lines. */
  logs(): Record<string, unknown>[];
  /** A client with its own cookie jar, like one browser. */
  client(): Client;
  close(): Promise<void>;
}

export interface Client {
  request(request: InjectRequest): Promise<InjectResponse>;
  /** Registers and logs in; resolves to the new member's id. */
  signUp(name: string, password?: string): Promise<string>;
  readonly cookies: Map<string, string>;
}

/**
 * The real member directory on a fresh SQLite file, a memory session store and memory attempt counts, for
 * in-process API tests; `limits` overrides the login and registration limits, `trustProxy` is what
 * `--trust-proxy` sets.
 */
export async function testApp({ limits, trustProxy = false }: { limits?: Partial<AccountLimits>; trustProxy?: TrustProxy } = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-app-'));
  const users = await openUserRepository({ dataDir });
  const sessionStore = new MemoryStore();
  const attempts = new MemoryAttemptCounter();
  const { log, lines } = memoryLogger();
  const app = buildApp({ log, users, sessionStore, attempts, publicDir: PUBLIC_DIR, trustProxy, ...(limits === undefined ? {} : { limits }) });
  return {
    app,
    users,
    sessionStore,
    attempts,
    logs: lines,
    client: () => client(app),
    async close() {
      await users.close();
      await sessionStore.close?.();
      await attempts.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function client(app: App): Client {
  const cookies = new Map<string, string>();
  const request = async (req: InjectRequest) => {
    const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = { ...(cookieHeader ? { cookie: cookieHeader } : {}), ...req.headers };
    const res = await inject(app, { ...req, headers });
    for (const line of [res.headers['set-cookie'] ?? []].flat()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) cookies.delete(name);
      else cookies.set(name, pair.slice(eq + 1));
    }
    return res;
  };
  return {
    cookies,
    request,
    async signUp(name, password = 'password-123') {
      const created = await request({ method: 'POST', url: '/users', body: { name, password } });
      if (created.status !== 201) throw new Error(`sign-up of ${name} answered ${created.status}: ${created.body}`);
      const login = await request({ method: 'POST', url: '/login', body: { name, password } });
      if (login.status !== 200) throw new Error(`login of ${name} answered ${login.status}: ${login.body}`);
      return created.json<{ id: string }>().id;
    },
  };
}
