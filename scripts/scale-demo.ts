// `npm run scale-demo`: two maru instances sharing PostgreSQL and Redis, behind nginx with TLS and HTTP/2 — the
// set-up of deploy/, on one machine. Ctrl-C stops all of it.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { devCertificate } from '../src/index.js';
import { startInstance, type Instance } from './scale/instance.js';
import { DEPLOY_DIR, renderLocalNginx } from './scale/nginx-config.js';
import { nginxBinary, startNginx, type NginxProcess } from './scale/nginx.js';
import { checkServices } from './scale/services.js';

const USAGE = `npm run scale-demo [-- --port PORT] [--data DIR]

Starts two maru instances (a and b) on 127.0.0.1 and nginx in front of them on https://localhost:PORT
(default 8443; 0 for any free one). Members go to PostgreSQL (DATABASE_URL, schema DATABASE_SCHEMA, default
maru_demo), sessions to Redis (REDIS_URL, keys under REDIS_PREFIX, default maru-demo:). Every reply through
nginx says which instance answered in its X-Upstream header. Ctrl-C stops everything. The self-signed
certificate is kept in DIR (default ./data/scale-demo), so a browser's exception for it lasts.
`;

// nginx connects to the instances from this address and the instances trust only it: a request sent straight
// to an instance (from 127.0.0.1) cannot claim to be forwarded. Linux answers on all of 127.0.0.0/8.
const NGINX_ADDRESS = '127.0.0.2';
const REPO = fileURLToPath(new URL('../', import.meta.url));

async function main(): Promise<number> {
  let port: number;
  let certDir: string;
  try {
    const { values } = parseArgs({ options: { port: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help === true) {
      process.stdout.write(USAGE);
      return 0;
    }
    port = Number(values.port ?? '8443');
    if (!/^\d{1,5}$/.test(values.port ?? '8443') || port > 65535 || (port !== 0 && port < 1024)) throw new Error(`--port must be 0 or 1024-65535, got ${values.port}`);
    certDir = values.data ?? join(REPO, 'data', 'scale-demo');
  } catch (err) {
    process.stderr.write(`scale-demo: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }

  if (nginxBinary() === undefined) {
    process.stderr.write('scale-demo: nginx is not installed (Debian/Ubuntu: apt-get install -y nginx)\n');
    return 1;
  }
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const schema = process.env.DATABASE_SCHEMA || 'maru_demo';
  const prefix = process.env.REDIS_PREFIX || 'maru-demo:';
  const problems = await checkServices(databaseUrl, redisUrl);
  if (problems.length > 0) {
    process.stderr.write(`scale-demo: ${problems.join('\nscale-demo: ')}\nStart them, or point DATABASE_URL / REDIS_URL at yours.\n`);
    return 1;
  }

  const dir = await mkdtemp(join(tmpdir(), 'maru-scale-demo-'));
  const instances: Instance[] = [];
  let nginx: NginxProcess | undefined;
  let stopping = false;
  // Whatever happens from here on, nothing is left running: children are killed outright if the demo itself
  // ends without the orderly stop below (an exception).
  // Each child leads its own process group, so killing the group takes nginx's workers along with its master.
  process.once('exit', () => {
    for (const child of [...instances.map((i) => i.child), nginx?.child]) {
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });

  const stopAll = async (): Promise<void> => {
    stopping = true;
    // nginx first, so no new request goes to an instance that is about to go; then the instances drain.
    await nginx?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const finished = new Promise<number>((resolve) => {
    let first: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      // npm passes the terminal's Ctrl-C on to the demo, which the terminal has signalled too: one Ctrl-C can
      // arrive twice, so only a signal a second or more after the first means "stop waiting".
      if (first !== undefined) {
        if (performance.now() - first < 1000) return;
        process.stderr.write(`\n${signal} again: killing everything now\n`);
        process.exit(1);
      }
      first = performance.now();
      process.stdout.write(`\n${signal}: stopping nginx, then the instances…\n`);
      void stopAll().then(() => resolve(0));
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  });

  try {
    await mkdir(certDir, { recursive: true });
    const cert = await devCertificate(certDir);
    const env = { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATA_DIR: join(dir, 'data') };
    // Both at once: their migrations race for the same schema, which the advisory lock makes safe.
    const started = await Promise.all(
      ['a', 'b'].map((name) =>
        startInstance({ name, env, trustProxy: NGINX_ADDRESS, detached: true, onLog: (line) => printRequest(name, line) }),
      ),
    );
    instances.push(...started);
    for (const instance of instances) {
      void instance.exited.then((code) => {
        if (!stopping) process.stdout.write(`instance ${instance.name} exited (${code ?? 'killed'}); nginx sends its requests to the other\n`);
      });
    }
    const deployConf = await readFile(join(DEPLOY_DIR, 'nginx.conf'), 'utf8');
    nginx = await startNginx({
      dir,
      port,
      detached: true,
      config: (chosen) =>
        renderLocalNginx({
          deployConf,
          dir,
          listen: { host: '127.0.0.1', port: chosen },
          tls: cert,
          instances: instances.map((instance) => `127.0.0.1:${instance.port}`),
          bindAddress: NGINX_ADDRESS,
          exposeUpstream: true,
          staticDir: join(REPO, 'app', 'public'),
          ...(userInfo().uid === 0 ? { user: 'root' } : {}),
        }),
    });
    void nginx.child.once('exit', () => {
      if (!stopping) {
        process.stderr.write(`nginx exited unexpectedly: ${nginx?.stderr().trim()}\n`);
        void stopAll().then(() => process.exit(1));
      }
    });
  } catch (err) {
    process.stderr.write(`scale-demo: ${(err as Error).message}\n`);
    await stopAll();
    return 1;
  }

  process.stdout.write(
    [
      '',
      `maru behind nginx: https://localhost:${nginx.port}/   (self-signed certificate: your browser will warn once)`,
      `  nginx     pid ${nginx.pid}, TLS + HTTP/2 on 127.0.0.1:${nginx.port}, /static/ from app/public`,
      ...instances.map((i) => `  instance ${i.name}  pid ${i.child.pid}, ${i.url}, trusts ${NGINX_ADDRESS}`),
      `  members   PostgreSQL ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} schema ${schema}`,
      `  sessions  Redis ${redisUrl} keys ${prefix}*`,
      '',
      `Try: curl -k -sI https://localhost:${nginx.port}/ | grep -i x-upstream   (run it twice)`,
      'Ctrl-C stops nginx and both instances.',
      '',
    ].join('\n') + '\n',
  );
  return finished;
}

/** One short line per request an instance answered, so the demo shows nginx spreading them. */
function printRequest(name: string, line: Record<string, unknown>): void {
  if (line.msg === 'request') process.stdout.write(`[${name}] ${line.method} ${line.path} ${line.status} ${line.ms} ms ip=${line.ip}\n`);
  else if (typeof line.level === 'number' && line.level >= 40) process.stdout.write(`[${name}] ${line.level >= 50 ? 'error' : 'warn'}: ${line.msg}\n`);
}

process.exit(await main());
