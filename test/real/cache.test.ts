/**
 * withCache against the real programs: the synthesized container's command, arguments and
 * environment (the kubelet's `$(VAR)` expansion applied), its valkey.conf, and its probe commands,
 * run on this machine with the image's paths remapped to Debian's packages: redis-server and
 * redis-cli 7.0 for Valkey (every directive of the generated file is one both read alike), and
 * memcached 1.6. The server runs as the image's UID, the app side as UID 1000, as in the pod;
 * loopback and temporary folders only; every process is stopped in afterAll.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CacheEngine, CacheListener, MEMCACHED_IMAGE, VALKEY_IMAGE, withCache } from '../../lib';
import { APP_UID, asApp, cachePod, freePort, info, Layout, layOut, memcachedCall, memcachedStats, removeTempDirs, requireBinaries, resolveEnv, RespClient, runProbe, Running, startContainer, tempDir, waitForStartup } from '../cache/real-cache';
import { newApp, synth } from '../util/synth';

requireBinaries();
jest.setTimeout(60_000);

const MEBIBYTE = 1024 * 1024;
/** A password no config line or shell word survives unescaped. */
const PASSWORD = 'p a"s\\s\nrequirepass x\t$(id)`id`\'';

/** Synthesizes a Deployment with the cache and lays the cache out under fresh folders. */
function synthesize(options: Parameters<typeof withCache>[1]) {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', {
    containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, securityContext: { user: APP_UID, group: APP_UID } }],
  });
  const cache = withCache(web, options);
  const pod = cachePod(synth(app).manifests);
  const layout: Layout = { configDir: tempDir('cache-config-'), dataDir: tempDir('cache-data-', 0o555) };
  layOut(pod, layout);
  return { cache, pod, layout };
}

const running: Running[] = [];
const clients: RespClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  for (const r of running) await r.stop();
  removeTempDirs();
});

describe('Valkey (run as redis-server 7.0) on 127.0.0.1', () => {
  let client: RespClient;
  let s: ReturnType<typeof synthesize>;
  let env: Record<string, string>;
  let server: Running;

  beforeAll(async () => {
    const port = await freePort();
    // 40Mi: maxmemory 24Mi (16Mi kept for the process).
    s = synthesize({ listen: CacheListener.loopback({ port }), resources: { memory: { limit: Size.mebibytes(40) } } });
    env = resolveEnv(s.pod.cache);
    server = startContainer(s.pod, env, s.layout, VALKEY_IMAGE.user);
    running.push(server);
    await waitForStartup(s.pod, env, s.layout, VALKEY_IMAGE.user, server);
    client = await RespClient.open(s.cache.url);
    clients.push(client);
  });

  test('the server takes the configuration as written, nothing left at its default', async () => {
    const get = async (key: string) => ((await client.call('CONFIG', 'GET', key)) as string[])[1];
    expect(await get('maxmemory')).toBe(String(24 * MEBIBYTE));
    expect(await get('maxmemory-policy')).toBe('allkeys-lru');
    expect(await get('save')).toBe('');
    expect(await get('appendonly')).toBe('no');
    expect(await get('protected-mode')).toBe('yes');
    expect(await get('bind')).toBe('127.0.0.1');
    expect(await get('port')).toBe(String(s.cache.port));
    expect(await get('dir')).toBe(fs.realpathSync(s.layout.dataDir));
    expect(server.output()).not.toMatch(/Bad directive|FATAL CONFIG/);
  });

  test('the app, as another UID, reaches it through CACHE_URL', () => {
    const appEnv = resolveEnv(s.pod.app);
    expect(appEnv.CACHE_URL).toBe(`redis://127.0.0.1:${s.cache.port}`);
    expect(asApp(appEnv, 'CACHE_URL', '*1\r\n$4\r\nPING\r\n')).toMatchObject({ status: 0, stdout: '+PONG\r\n' });
  });

  test('a key survives; CONFIG SET dir (a protected config) is refused', async () => {
    expect(await client.call('SET', 'greeting', 'hello')).toBe('OK');
    expect(await client.call('GET', 'greeting')).toBe('hello');
    expect(await client.call('CONFIG', 'SET', 'dir', '/tmp')).toBeInstanceOf(Error);
  });

  test('a load larger than maxmemory evicts keys, and every write still succeeds', async () => {
    const value = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 600; i++) { // ~38MiB into 24MiB
      expect(await client.call('SET', `load:${i}`, value)).toBe('OK');
    }
    const stats = await info(client, 'stats');
    const memory = await info(client, 'memory');
    expect(Number(stats.evicted_keys)).toBeGreaterThan(0);
    expect(Number(memory.used_memory)).toBeLessThanOrEqual(24 * MEBIBYTE + MEBIBYTE);
    expect(Number((await info(client, 'keyspace')).db0?.match(/keys=(\d+)/)?.[1])).toBeLessThan(600);
  });

  test('nothing is written to dir, which is not writable by the cache', () => {
    expect(fs.readdirSync(s.layout.dataDir)).toEqual([]);
  });

  test('the probe passes on the server, and fails where nothing answers', async () => {
    expect(runProbe(s.pod.cache.livenessProbe, env, s.layout, VALKEY_IMAGE.user)).toBe(0);
    const other = await freePort();
    const elsewhere = { exec: { command: s.pod.cache.livenessProbe.exec.command.map((c: string) => c.replace(`-p ${s.cache.port}`, `-p ${other}`)) }, timeoutSeconds: 3 };
    expect(runProbe(elsewhere, env, s.layout, VALKEY_IMAGE.user)).not.toBe(0);
  });
});

describe('Valkey (run as redis-server 7.0) on a Unix socket, with a password', () => {
  let s: ReturnType<typeof synthesize>;
  let env: Record<string, string>;
  let appEnv: Record<string, string>;
  let server: Running;

  beforeAll(async () => {
    // The socket's folder as the kubelet makes an emptyDir: mode 0777.
    const socketDir = path.join(tempDir('cache-run-'), 'run');
    fs.mkdirSync(socketDir, { mode: 0o777 });
    fs.chmodSync(socketDir, 0o777);
    const { chart } = newApp();
    s = synthesize({
      listen: CacheListener.unixSocket({ dir: socketDir }),
      password: { secret: kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth'), key: 'password' },
    });
    const secrets = { 'cache-auth/password': PASSWORD };
    env = resolveEnv(s.pod.cache, secrets);
    appEnv = resolveEnv(s.pod.app, secrets);
    server = startContainer(s.pod, env, s.layout, VALKEY_IMAGE.user);
    running.push(server);
    await waitForStartup(s.pod, env, s.layout, VALKEY_IMAGE.user, server);
  });

  test('the socket is there, owned by the cache, open to the app\'s UID', () => {
    const stat = fs.statSync(s.cache.socketPath!);
    expect(stat.isSocket()).toBe(true);
    expect(stat.uid).toBe(VALKEY_IMAGE.user);
    expect((stat.mode % 0o1000).toString(8)).toBe('777');
  });

  test('without the password the app is refused; with it, it is served, as UID 1000 through CACHE_URL', () => {
    expect(appEnv.CACHE_URL).toBe(`unix://${s.cache.socketPath}`);
    expect(asApp(appEnv, 'CACHE_URL', '*1\r\n$4\r\nPING\r\n').stdout).toMatch(/^-NOAUTH/);
    const auth = `*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(appEnv.CACHE_PASSWORD)}\r\n${appEnv.CACHE_PASSWORD}\r\n`;
    expect(asApp(appEnv, 'CACHE_URL', auth)).toMatchObject({ status: 0, stdout: '+OK\r\n' });
  });

  test('the password is exactly the Secret\'s bytes (quotes, spaces, a line break, shell syntax), and sets nothing else', async () => {
    const client = await RespClient.open(s.cache.url);
    clients.push(client);
    expect(await client.call('AUTH', PASSWORD)).toBe('OK');
    expect(await client.call('CONFIG', 'GET', 'requirepass')).toEqual(['requirepass', PASSWORD]);
    expect(await client.call('SET', 'k', 'v')).toBe('OK');
    expect(await client.call('GET', 'k')).toBe('v');
    // The server's own command line does not hold it.
    const cmdline = fs.readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8');
    expect(cmdline).not.toContain('requirepass');
    expect(cmdline).not.toContain(PASSWORD.slice(0, 4));
  });

  test('the probe authenticates from REDISCLI_AUTH, and fails with a wrong password', () => {
    expect(runProbe(s.pod.cache.livenessProbe, env, s.layout, VALKEY_IMAGE.user)).toBe(0);
    expect(runProbe(s.pod.cache.livenessProbe, { ...env, REDISCLI_AUTH: 'wrong' }, s.layout, VALKEY_IMAGE.user)).not.toBe(0);
  });

  test('the start script refuses an empty password', async () => {
    const empty = startContainer(s.pod, { ...env, REDISCLI_AUTH: '' }, s.layout, VALKEY_IMAGE.user);
    running.push(empty);
    // 'close', not 'exit': the output is read only once the process's pipes are drained.
    const code = await new Promise<number | null>((resolve) => empty.process.once('close', resolve));
    expect(code).toBe(1);
    expect(empty.output()).toContain('withCache: the password (REDISCLI_AUTH, from the Secret) is empty');
  });
});

describe('Valkey (run as redis-server 7.0) on a Unix socket, without a password', () => {
  test('protected mode serves the socket\'s clients: the app, as UID 1000, through CACHE_URL', async () => {
    const socketDir = path.join(tempDir('cache-run-'), 'run');
    fs.mkdirSync(socketDir);
    fs.chmodSync(socketDir, 0o777);
    const s = synthesize({ listen: CacheListener.unixSocket({ dir: socketDir }) });
    const env = resolveEnv(s.pod.cache);
    const server = startContainer(s.pod, env, s.layout, VALKEY_IMAGE.user);
    running.push(server);
    await waitForStartup(s.pod, env, s.layout, VALKEY_IMAGE.user, server);
    const appEnv = resolveEnv(s.pod.app);
    expect(asApp(appEnv, 'CACHE_URL', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n')).toMatchObject({ status: 0, stdout: '+OK\r\n' });
    const client = await RespClient.open(s.cache.url);
    clients.push(client);
    expect(await client.call('CONFIG', 'GET', 'port')).toEqual(['port', '0']);
    expect(await client.call('GET', 'k')).toBe('v');
  });
});

describe('memcached 1.6 on 127.0.0.1', () => {
  let s: ReturnType<typeof synthesize>;
  let env: Record<string, string>;

  beforeAll(async () => {
    const port = await freePort();
    s = synthesize({ engine: CacheEngine.MEMCACHED, listen: CacheListener.loopback({ port }), resources: { memory: { limit: Size.mebibytes(40) } } });
    env = resolveEnv(s.pod.cache);
    const server = startContainer(s.pod, env, s.layout, MEMCACHED_IMAGE.user);
    running.push(server);
    await waitForStartup(s.pod, env, s.layout, MEMCACHED_IMAGE.user, server);
  });

  test('stats settings show -m, the address, no UDP, LRU eviction', async () => {
    const settings = await memcachedStats(s.cache.url, 'settings');
    expect(settings.maxbytes).toBe(String(24 * MEBIBYTE));
    expect(settings.inter).toBe('127.0.0.1');
    expect(settings.tcpport).toBe(String(s.cache.port));
    expect(settings.udpport).toBe('0');
    expect(settings.evictions).toBe('on');
  });

  test('the app, as another UID, stores and reads a key through CACHE_URL', async () => {
    const appEnv = resolveEnv(s.pod.app);
    expect(appEnv.CACHE_URL).toBe(`memcached://127.0.0.1:${s.cache.port}`);
    expect(asApp(appEnv, 'CACHE_URL', 'set greeting 0 0 5\r\nhello\r\n')).toMatchObject({ status: 0, stdout: 'STORED\r\n' });
    expect(await memcachedCall(s.cache.url, 'get greeting\r\n')).toBe('VALUE greeting 0 5\r\nhello\r\nEND\r\n');
  });

  test('a load larger than -m evicts items', async () => {
    const value = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 600; i++) {
      expect(await memcachedCall(s.cache.url, `set load:${i} 0 0 ${value.length}\r\n${value}\r\n`)).toBe('STORED\r\n');
    }
    expect(Number((await memcachedStats(s.cache.url)).evictions)).toBeGreaterThan(0);
  });

  test('the probe (bash /dev/tcp, version) passes on the server and fails where nothing answers', async () => {
    expect(runProbe(s.pod.cache.livenessProbe, env, s.layout, MEMCACHED_IMAGE.user)).toBe(0);
    const other = await freePort();
    const elsewhere = { exec: { command: s.pod.cache.livenessProbe.exec.command.map((c: string) => c.replace(`/${s.cache.port} `, `/${other} `)) }, timeoutSeconds: 3 };
    expect(elsewhere.exec.command[2]).toContain(`/dev/tcp/127.0.0.1/${other} `);
    expect(runProbe(elsewhere, env, s.layout, MEMCACHED_IMAGE.user)).not.toBe(0);
  });
});

describe('memcached 1.6 on a Unix socket', () => {
  let s: ReturnType<typeof synthesize>;
  let env: Record<string, string>;

  beforeAll(async () => {
    const socketDir = path.join(tempDir('cache-run-'), 'run');
    fs.mkdirSync(socketDir);
    fs.chmodSync(socketDir, 0o777);
    s = synthesize({ engine: CacheEngine.MEMCACHED, listen: CacheListener.unixSocket({ dir: socketDir }) });
    env = resolveEnv(s.pod.cache);
    const server = startContainer(s.pod, env, s.layout, MEMCACHED_IMAGE.user);
    running.push(server);
    await waitForStartup(s.pod, env, s.layout, MEMCACHED_IMAGE.user, server);
  });

  test('no TCP; the app, as UID 1000, stores a key over the socket; -m is the derived 96MiB', async () => {
    const appEnv = resolveEnv(s.pod.app);
    expect(appEnv.CACHE_URL).toBe(`unix://${s.cache.socketPath}`);
    expect(asApp(appEnv, 'CACHE_URL', 'set k 0 0 1\r\nv\r\n')).toMatchObject({ status: 0, stdout: 'STORED\r\n' });
    const settings = await memcachedStats(s.cache.url, 'settings');
    expect(settings.maxbytes).toBe(String(96 * MEBIBYTE));
    expect(settings.domain_socket).toBe(s.cache.socketPath);
    expect(settings.umask).toBe('777');
    // The only listener is the socket (memcached still reports its default tcpport, unused).
    const conns = await memcachedCall(s.cache.url, 'stats conns\r\n');
    const listening = [...conns.matchAll(/STAT (\d+):state conn_listening/g)].map((m) => m[1]);
    const addresses = listening.map((fd) => conns.match(new RegExp(`STAT ${fd}:addr (\\S+)`))?.[1] ?? '');
    // `stats conns` cuts long addresses short: one listener, a prefix of the socket's path.
    expect(addresses).toHaveLength(1);
    expect(`unix:${s.cache.socketPath}`.startsWith(addresses[0])).toBe(true);
    expect(addresses[0]).toMatch(/^unix:\//);
  });

  test('the probe sees the socket, and fails where there is none', () => {
    expect(runProbe(s.pod.cache.livenessProbe, env, s.layout, MEMCACHED_IMAGE.user)).toBe(0);
    const missing = { exec: { command: ['/bin/sh', '-c', `[ -S ${s.cache.socketPath}.missing ]`] }, timeoutSeconds: 2 };
    expect(runProbe(missing, env, s.layout, MEMCACHED_IMAGE.user)).not.toBe(0);
  });
});
