import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly setCookie: readonly string[];
}

/** One request, answered within 10 s or failed with a code (ECONNRESET, ECONNREFUSED, TIMEOUT…). */
function send(url: string, { method = 'GET', headers = {}, body, agent }: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: agent ?? false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text, setCookie: res.headers['set-cookie'] ?? [] }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'TIMEOUT' })));
    req.once('error', reject);
    req.end(body);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** Registers a member and logs in; resolves to its id and session cookie. */
export async function signUp(base: string, name: string): Promise<{ id: string; cookie: string }> {
  const account = JSON.stringify({ name, password: 'fault-bench-password' });
  const created = await send(`${base}/users`, { method: 'POST', headers: JSON_HEADERS, body: account });
  if (created.status !== 201) throw new Error(`sign-up answered ${created.status}: ${created.body}`);
  const login = await send(`${base}/login`, { method: 'POST', headers: JSON_HEADERS, body: account });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${login.body}`);
  return { id: (JSON.parse(created.body) as { id: string }).id, cookie: login.setCookie[0]!.split(';')[0]! };
}

export interface SessionWatch {
  /** Every answer: milliseconds since the watch began, and the status. */
  readonly answers: { readonly at: number; readonly status: number }[];
  /** Requests that got no answer at all. */
  readonly failures: { readonly at: number; readonly code: string }[];
  stop(): Promise<void>;
}

/**
 * A logged-in browser that never stops: `GET /me` with its cookie every `intervalMs` over a keep-alive connection.
 * A 401 means its session was lost; no answer at all is a failed request.
 */
export function watchSession(base: string, cookie: string, intervalMs = 20): SessionWatch {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  const answers: SessionWatch['answers'] = [];
  const failures: SessionWatch['failures'] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = performance.now() - started;
      try {
        answers.push({ at, status: (await send(`${base}/me`, { headers: { cookie }, agent })).status });
      } catch (err) {
        failures.push({ at, code: codeOf(err) });
      }
      await sleep(intervalMs);
    }
  })();
  return {
    answers,
    failures,
    async stop() {
      running = false;
      await loop;
      agent.destroy();
    },
  };
}

export interface Writer {
  /** Ids of the members whose POST /users was answered 201. */
  readonly acknowledged: string[];
  /** Writes that got another answer, or none. */
  readonly failures: string[];
  stop(): Promise<void>;
}

/** Registers members back to back (scrypt bounds it to a few per second), keeping what was acknowledged. */
export function writeMembers(base: string, prefix: string): Writer {
  const acknowledged: string[] = [];
  const failures: string[] = [];
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      const body = JSON.stringify({ name: `${prefix}${n++}`, password: 'fault-bench-password' });
      try {
        const answer = await send(`${base}/users`, { method: 'POST', headers: JSON_HEADERS, body });
        if (answer.status === 201) acknowledged.push((JSON.parse(answer.body) as { id: string }).id);
        else failures.push(`status ${answer.status}`);
      } catch (err) {
        failures.push(codeOf(err));
      }
    }
  })();
  return {
    acknowledged,
    failures,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** The acknowledged members that can no longer be read back. */
export async function lostWrites(base: string, ids: readonly string[]): Promise<string[]> {
  const lost: string[] = [];
  for (const id of ids) {
    const answer = await send(`${base}/users/${id}`).catch(() => undefined);
    if (answer?.status !== 200) lost.push(id);
  }
  return lost;
}

/** `GET /me` once with this cookie: 200 while the session lives. */
export async function sessionStatus(base: string, cookie: string): Promise<number> {
  return (await send(`${base}/me`, { headers: { cookie } })).status;
}
