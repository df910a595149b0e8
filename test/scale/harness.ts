import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PUBLIC_DIR } from '../app/harness.js';
import { DATABASE_URL, REDIS_URL, serviceSkip } from '../services.js';
import { removeRedisKeys } from '../session/redis-keys.js';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';
import { startInstance, type Instance } from '../../scripts/scale/instance.js';
import { DEPLOY_DIR, renderLocalNginx } from '../../scripts/scale/nginx-config.js';
import { nginxBinary, startNginx, type NginxProcess } from '../../scripts/scale/nginx.js';

/**
 * nginx connects to the instances from this address, and they trust only it (`--trust-proxy`). A test client
 * reaching an instance directly comes from 127.0.0.1, so on one machine "from nginx" and "from anyone else"
 * are two different peers, as they are across machines. Linux answers on all of 127.0.0.0/8.
 */
export const NGINX_ADDRESS = '127.0.0.2';

/**
 * Whether the scale-out suites run: PostgreSQL and Redis as every service suite (CI fails when one is down), and
 * nginx, which a developer's machine may lack (skipped with the reason; in CI its absence fails too).
 */
export async function scaleSkip(): Promise<string | false> {
  const services = (await serviceSkip('postgres')) || (await serviceSkip('redis'));
  if (services !== false) return services;
  if (nginxBinary() !== undefined) return false;
  if (process.env.CI === 'true') throw new Error('nginx is not installed, and CI=true: the scale-out suites must run in CI');
  return 'nginx is not installed (apt-get install -y nginx to run the scale-out suites)';
}

export interface EdgeResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Which instance answered (`X-Upstream`, nginx's $upstream_addr): several, comma-separated, when nginx retried. */
  readonly upstream: string;
}

export interface EdgeRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Source address of the client's connection (127.0.0.x), to tell it apart from nginx's in an instance's log. */
  readonly localAddress?: string;
}

export interface Scale {
  /** nginx's own origin, `https://127.0.0.1:PORT`. */
  readonly url: string;
  readonly nginx: NginxProcess;
  /** The instances as they run now: `restart(i)` replaces entry i. */
  readonly instances: Instance[];
  readonly schema: string;
  /** The PEM of nginx's certificate, for a client of one's own to trust. */
  readonly ca: string;
  /** One request through nginx (TLS, keep-alive, trusting the run's certificate). */
  request(path: string, request?: EdgeRequest): Promise<EdgeResponse>;
  /** Starts instance i again on the port it had (after a stop or a kill), so nginx's upstream finds it. */
  restart(index: number): Promise<Instance>;
  /** The `host:port` nginx knows instance i by, as X-Upstream names it. */
  address(index: number): string;
  /** Stops everything and removes the run's schema, Redis keys and files. */
  close(): Promise<void>;
}

/**
 * The scale-out set-up of deploy/ on this machine, for one suite: `count` instances started at once on a fresh
 * PostgreSQL schema and Redis prefix of their own (their migrations race, as several machines' do), nginx in
 * front with TLS and HTTP/2, the deploy kit's proxy and static snippets, `proxy_bind` to NGINX_ADDRESS, and an
 * `X-Upstream` header naming the instance that answered.
 *
 * @example
 * const scale = await startScale();
 * const res = await scale.request('/hello'); // res.upstream === scale.address(0) or scale.address(1)
 */
export async function startScale({ count = 2 }: { count?: number } = {}): Promise<Scale> {
  const run = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const schema = `maru_scale_${run}`;
  const prefix = `maru-scale-${run}:`;
  const dir = await mkdtemp(join(tmpdir(), 'maru-scale-'));
  let certs: ThrowawayCerts | undefined;
  const instances: Instance[] = [];
  let nginx: NginxProcess | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const env = { DATABASE_URL, DATABASE_SCHEMA: schema, REDIS_URL, REDIS_PREFIX: prefix, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' };
  const names = Array.from({ length: count }, (_, i) => String.fromCharCode(97 + i));

  const close = async () => {
    agent.destroy();
    await nginx?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
    await removeRedisKeys(REDIS_URL, prefix);
    await certs?.cleanup();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    certs = await throwawayCerts();
    instances.push(...(await Promise.all(names.map((name) => startInstance({ name, env, trustProxy: NGINX_ADDRESS })))));
    const deployConf = await readFile(join(DEPLOY_DIR, 'nginx.conf'), 'utf8');
    const tls = { certFile: certs.certFile, keyFile: certs.keyFile };
    nginx = await startNginx({
      dir,
      port: 0,
      config: (port) =>
        renderLocalNginx({
          deployConf,
          dir,
          listen: { host: '127.0.0.1', port },
          tls,
          instances: instances.map((instance) => `127.0.0.1:${instance.port}`),
          bindAddress: NGINX_ADDRESS,
          exposeUpstream: true,
          staticDir: PUBLIC_DIR,
          ...(userInfo().uid === 0 ? { user: 'root' } : {}),
        }),
    });
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  const ca = certs.certPem;
  const url = `https://127.0.0.1:${nginx.port}`;
  const ports = instances.map((instance) => instance.port);

  return {
    url,
    nginx,
    instances,
    schema,
    ca,
    request: (path, req = {}) => edgeRequest(`${url}${path}`, ca, req.localAddress === undefined ? agent : undefined, req),
    async restart(index) {
      const port = ports[index];
      if (port === undefined) throw new RangeError(`no instance ${index}`);
      const instance = await startInstance({ name: names[index]!, env, port, trustProxy: NGINX_ADDRESS });
      instances[index] = instance;
      return instance;
    },
    address: (index) => `127.0.0.1:${ports[index]}`,
    close,
  };
}

/** One HTTPS/1.1 request to nginx; a connection of its own when it must come from a given address. */
function edgeRequest(url: string, ca: string, agent: Agent | undefined, { method = 'GET', headers = {}, body, localAddress }: EdgeRequest): Promise<EdgeResponse> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { method, headers, ca, agent: agent ?? false, ...(localAddress === undefined ? {} : { localAddress }) };
    const req = httpsRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const upstream = res.headers['x-upstream'];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), upstream: typeof upstream === 'string' ? upstream : '' });
      });
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer from nginx within 30 s: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The `name=value` of a Set-Cookie line, to send back as a Cookie header. */
export function cookiePair(setCookie: string | string[] | undefined): string {
  const line = [setCookie ?? []].flat()[0];
  if (line === undefined) throw new Error('no Set-Cookie in the reply');
  return line.split(';')[0]!;
}
