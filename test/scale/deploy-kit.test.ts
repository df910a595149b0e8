import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../app/config.js';
import { DEPLOY_DIR, renderLocalNginx } from '../../scripts/scale/nginx-config.js';
import { nginxBinary } from '../../scripts/scale/nginx.js';
import { throwawayCerts } from '../tls/certs.js';

const deployConf = await readFile(join(DEPLOY_DIR, 'nginx.conf'), 'utf8');
const nginx = nginxBinary();
const haveSystemd = spawnSync('systemd-analyze', ['--version']).error === undefined;
const local = { deployConf, dir: '/tmp/x', listen: { host: '127.0.0.1', port: 8443 }, instances: ['127.0.0.1:8081', '127.0.0.1:8082'] };

test('the local config keeps deploy/nginx.conf upstream settings and puts the instances in place of its servers', () => {
  const conf = renderLocalNginx(local);
  assert.match(conf, /server 127\.0\.0\.1:8081 max_fails=3 fail_timeout=5s;\n\s+server 127\.0\.0\.1:8082 max_fails=3 fail_timeout=5s;/);
  assert.doesNotMatch(conf, /10\.0\.0\.1[12]/);
  for (const line of ['keepalive 128;', 'keepalive_timeout 4s;', 'map "$scheme:$server_port" $maru_port_suffix', `include ${DEPLOY_DIR}maru-proxy.conf;`]) {
    assert.ok(conf.includes(line), line);
  }
  assert.match(conf, /listen 127\.0\.0\.1:8443;/);
  assert.doesNotMatch(conf, /proxy_bind|X-Upstream|location \/static\/|^user /m);
  const full = renderLocalNginx({ ...local, tls: { certFile: '/c.pem', keyFile: '/k.pem' }, bindAddress: '127.0.0.2', exposeUpstream: true, staticDir: '/srv/public', user: 'root' });
  for (const line of ['listen 127.0.0.1:8443 ssl http2;', 'ssl_certificate /c.pem;', 'proxy_bind 127.0.0.2;', 'add_header X-Upstream $upstream_addr always;', 'alias /srv/public/;', 'user root;']) {
    assert.ok(full.includes(line), line);
  }
});

test('the local config refuses a deploy file without its upstream or map, and instances that are not host:port', () => {
  assert.throws(() => renderLocalNginx({ ...local, deployConf: deployConf.replace('upstream maru {', 'upstream other {') }), /no `upstream maru/);
  assert.throws(() => renderLocalNginx({ ...local, deployConf: deployConf.replace('$maru_port_suffix {', '$other {') }), /no `map/);
  assert.throws(() => renderLocalNginx({ ...local, instances: [] }), /at least one instance/);
  assert.throws(() => renderLocalNginx({ ...local, instances: ['127.0.0.1'] }), /is not host:port/);
});

const unprivileged = process.getuid?.() !== 0;
/** A port above 1024 for 80 or 443, different for each test process. */
const highPort = (port: number) => 20_000 + (process.pid % 4_000) * 2 + (port === 443 ? 1 : 0);

test("deploy/nginx.conf passes nginx -t, with its certificate and snippet paths pointed at this machine's", { skip: nginx === undefined ? 'nginx is not installed' : false }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'maru-deploy-conf-'));
  const certs = await throwawayCerts();
  try {
    const site = deployConf
      .replaceAll('snippets/maru-', `${DEPLOY_DIR}maru-`)
      .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${certs.certFile};`)
      .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${certs.keyFile};`)
      // nginx -t binds the ports it names, and below 1024 only root may: an ordinary user checks the same file on
      // two high ports instead.
      .replace(/\blisten (\[::\]:)?(80|443)\b/g, (_, v6: string | undefined, port: string) => `listen ${v6 ?? ''}${unprivileged ? highPort(Number(port)) : port}`);
    assert.notEqual(site, deployConf);
    await writeFile(join(dir, 'maru.conf'), site);
    // What Debian's /etc/nginx/nginx.conf gives a conf.d file: the http context, with mime types.
    await writeFile(
      join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid;\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  access_log off;\n  include ${dir}/maru.conf;\n}\n`,
    );
    const check = spawnSync(nginx!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stderr, /test is successful/);
  } finally {
    await certs.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});

test('deploy/maru.service passes systemd-analyze verify', { skip: haveSystemd ? false : 'systemd-analyze is not installed' }, () => {
  const check = spawnSync('systemd-analyze', ['verify', join(DEPLOY_DIR, 'maru.service')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.equal(check.stderr.trim(), '', 'no warnings');
});

test('deploy/maru.service gives the drain more time than maru takes to stop, and restarts only on failure', async () => {
  const unit = await readFile(join(DEPLOY_DIR, 'maru.service'), 'utf8');
  const setting = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1];
  assert.equal(setting('KillSignal'), 'SIGTERM');
  assert.equal(setting('Restart'), 'on-failure');
  assert.equal(setting('RestartPreventExitStatus'), '2', 'a usage error (exit 2) is not restarted');
  // The longest stop: a --cluster primary's stop timeout (30 s), above a single process's (15 s, src/lifecycle),
  // which bounds the drain (10 s).
  assert.ok(Number(/^(\d+)s$/.exec(setting('TimeoutStopSec') ?? '')?.[1]) > 30, `TimeoutStopSec=${setting('TimeoutStopSec')}`);
  assert.equal(setting('ReadWritePaths'), '/var/lib/maru');
  assert.match(setting('ExecStart') ?? '', /--data \/var\/lib\/maru\b/);
  assert.equal(setting('NoNewPrivileges'), 'yes');
  assert.equal(setting('ProtectSystem'), 'strict');
});

test("deploy/maru.env is a configuration maru accepts, trusting a proxy and naming the instance", async () => {
  const env: Record<string, string> = {};
  for (const line of (await readFile(join(DEPLOY_DIR, 'maru.env'), 'utf8')).split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    if (match !== null) env[match[1]!] = match[2]!;
  }
  const config = loadConfig(['serve', '--data', '/var/lib/maru'], env);
  assert.notEqual(config.trustProxy, false);
  assert.equal(config.instance, 'web-1');
  assert.ok(config.databaseUrl !== undefined && config.redisUrl !== undefined);
});
