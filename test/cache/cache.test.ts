/**
 * withCache through the public API: what it adds to the pod, on every kind of workload, in both
 * modes, twice, beside another helper; the configuration it writes; the password's path.
 * Refusals are in errors.test.ts; the real programs run in test/real/cache.test.ts.
 */
import { Cron, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CacheEngine, CacheEviction, CacheListener, SidecarMode, VALKEY_IMAGE, MEMCACHED_IMAGE, withCache, withLogShipper, withSidecar,
} from '../../lib';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';

function web(chart: any, extra: Partial<kplus.ContainerProps> = {}) {
  return new kplus.Deployment(chart, 'web', {
    containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, securityContext: { user: 1000, group: 1000 }, ...extra }],
  });
}

/** Synthesizes and returns the pod of the first workload, the cache container and the app container. */
function synthCache(app: any, kind = 'Deployment', cacheName = 'cache', appName = 'app') {
  const { manifests } = synth(app);
  const spec = podSpecOf(find(manifests, kind));
  const cache = allContainers(spec).find((c: any) => c.name === cacheName);
  const appContainer = allContainers(spec).find((c: any) => c.name === appName);
  expect(restrictedProblems(spec, [cacheName])).toEqual([]);
  return { manifests, spec, cache, app: appContainer };
}

const envOf = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const confOf = (manifests: any[], name = 'cache') => find(manifests, 'ConfigMap', `${name}-config`).data['valkey.conf'] as string;
const directives = (conf: string) => conf.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('withCache, the defaults', () => {
  test('a Deployment gets Valkey as a native sidecar on 127.0.0.1:6379, and the app gets CACHE_URL', () => {
    const { app, chart } = newApp();
    const cache = withCache(web(chart));
    const s = synthCache(app);

    expect(s.spec.initContainers.map((c: any) => c.name)).toEqual(['cache']);
    expect(s.cache.restartPolicy).toBe('Always');
    expect(s.cache.image).toBe(`docker.io/valkey/valkey:${VALKEY_IMAGE.tag}`);
    expect(s.cache.command).toEqual(['/usr/local/bin/valkey-server']);
    expect(s.cache.args).toEqual(['/etc/cache/valkey.conf']);
    expect(s.cache.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, runAsNonRoot: true, readOnlyRootFilesystem: true });
    // Nothing outside the pod reaches it: no containerPort.
    expect(s.cache.ports).toBeUndefined();
    expect(s.cache.resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '50m', memory: '128Mi' } });
    expect(s.cache.volumeMounts).toEqual([{ mountPath: '/etc/cache', name: 'cache-config', readOnly: true }]);
    expect(envOf(s.app)).toEqual({ CACHE_URL: 'redis://127.0.0.1:6379' });
    expect(s.app.volumeMounts).toBeUndefined();

    expect(cache.url).toBe('redis://127.0.0.1:6379');
    expect(cache.port).toBe(6379);
    expect(cache.socketPath).toBeUndefined();
    expect(cache.maxMemoryBytes).toBe(96 * 1024 * 1024);
    expect(cache.mode).toBe(SidecarMode.NATIVE);
    expect(cache.engine).toBe(CacheEngine.VALKEY);
  });

  test('valkey.conf: loopback only, protected mode, 3/4 of the limit, LRU over all keys, nothing on disk', () => {
    const { app, chart } = newApp();
    const cache = withCache(web(chart));
    const { manifests, spec } = synthCache(app);
    const conf = confOf(manifests);
    expect(directives(conf)).toEqual([
      'bind 127.0.0.1',
      'port 6379',
      'protected-mode yes',
      `maxmemory ${96 * 1024 * 1024}`,
      'maxmemory-policy allkeys-lru',
      'save ""',
      'appendonly no',
      'dir /data',
      'enable-protected-configs no',
      'enable-debug-command no',
      'enable-module-command no',
      'logfile ""',
    ]);
    expect(cache.config).toBe(conf);
    // The checksum annotation rolls the pods when the file changes.
    const template = find(manifests, 'Deployment').spec.template;
    expect(template.metadata.annotations['cdk8s-sidecars/cache-config-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(spec.volumes).toContainEqual({ name: 'cache-config', configMap: { name: find(manifests, 'ConfigMap', 'cache-config').metadata.name } });
  });

  test('the probes ask the server itself: PING answered PONG, startup holding the app, liveness after', () => {
    const { app, chart } = newApp();
    withCache(web(chart));
    const { cache } = synthCache(app);
    const command = ['/bin/sh', '-c', '[ "$(/usr/local/bin/valkey-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]'];
    expect(cache.startupProbe).toEqual({ exec: { command }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 30 });
    expect(cache.livenessProbe).toEqual({ exec: { command }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
    expect(cache.readinessProbe).toBeUndefined();
  });

  test.each([
    ['Job', (c: any) => new kplus.Job(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] })],
    ['CronJob', (c: any) => new kplus.CronJob(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }], schedule: Cron.hourly() })],
    ['Pod', (c: any) => new kplus.Pod(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] })],
  ])('a %s gets the cache as a native sidecar, which lets a Job complete', (kind, make) => {
    const { app, chart } = newApp();
    withCache(make(chart));
    const s = synthCache(app, kind);
    expect(s.cache.restartPolicy).toBe('Always');
    expect(s.spec.initContainers.map((c: any) => c.name)).toEqual(['cache']);
    expect(envOf(s.app)).toEqual({ CACHE_URL: 'redis://127.0.0.1:6379' });
  });

  test('classic mode adds a regular container, kept out of the workload\'s Service', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    const cache = withCache(d, { mode: SidecarMode.CLASSIC });
    d.exposeViaService();
    const { manifests, spec, cache: c } = synthCache(app);
    expect(cache.mode).toBe(SidecarMode.CLASSIC);
    expect(spec.initContainers).toBeUndefined();
    expect(c.restartPolicy).toBeUndefined();
    expect(spec.containers.map((x: any) => x.name)).toEqual(['app', 'cache']);
    expect(find(manifests, 'Service').spec.ports.map((p: any) => p.port)).toEqual([8080]);
  });

  test('fails at synth when the cache is a classic container on a Job, which then never completes', () => {
    const { app, chart } = newApp();
    withCache(new kplus.Job(chart, 'batch', { containers: [{ name: 'app', image: 'acme/batch:1' }] }), { mode: SidecarMode.CLASSIC });
    expect(synthFails(app)).toContain('container "cache" (withCache (Valkey), classic sidecar) on a Job never exits');
  });

  test('every app container gets the URL; appContainers narrows it', () => {
    const two = (names?: string[]) => {
      const { app, chart } = newApp();
      const d = web(chart);
      d.addContainer({ name: 'worker', image: 'ghcr.io/acme/worker:1.0.0', securityContext: { user: 1000 } });
      withCache(d, { appContainers: names, listen: CacheListener.unixSocket() });
      const { spec } = synthCache(app);
      return (name: string) => spec.containers.find((c: any) => c.name === name);
    };
    const all = two();
    expect(envOf(all('app')).CACHE_URL).toBe('unix:///run/cache/valkey.sock');
    expect(envOf(all('worker')).CACHE_URL).toBe('unix:///run/cache/valkey.sock');
    expect(all('worker').volumeMounts).toEqual([{ mountPath: '/run/cache', name: 'cache-socket', readOnly: true }]);
    const one = two(['worker']);
    expect(one('app').env).toBeUndefined();
    expect(one('app').volumeMounts).toBeUndefined();
    expect(envOf(one('worker')).CACHE_URL).toBe('unix:///run/cache/valkey.sock');
  });
});

describe('withCache on a Unix socket', () => {
  test('no TCP; the socket in an in-memory emptyDir, writable in the cache, read-only in the app', () => {
    const { app, chart } = newApp();
    const cache = withCache(web(chart), { listen: CacheListener.unixSocket() });
    const { manifests, spec, cache: c, app: a } = synthCache(app);
    expect(directives(confOf(manifests)).slice(0, 3)).toEqual(['port 0', 'unixsocket /run/cache/valkey.sock', 'unixsocketperm 777']);
    expect(confOf(manifests)).not.toContain('bind ');
    expect(spec.volumes).toContainEqual({ name: 'cache-socket', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(c.volumeMounts).toContainEqual({ mountPath: '/run/cache', name: 'cache-socket', readOnly: false });
    expect(a.volumeMounts).toEqual([{ mountPath: '/run/cache', name: 'cache-socket', readOnly: true }]);
    expect(envOf(a)).toEqual({ CACHE_URL: 'unix:///run/cache/valkey.sock' });
    expect(c.startupProbe.exec.command).toEqual(['/bin/sh', '-c', '[ "$(/usr/local/bin/valkey-cli -s /run/cache/valkey.sock ping)" = PONG ]']);
    expect(cache.socketPath).toBe('/run/cache/valkey.sock');
    expect(cache.port).toBeUndefined();
    expect(cache.socketVolume?.name).toBe('cache-socket');
  });

  test('the folder follows the name and the given dir, normalized', () => {
    const { app, chart } = newApp();
    withCache(web(chart), { name: 'sessions', listen: CacheListener.unixSocket({ dir: '/var/run/sessions//' }), urlEnv: 'SESSIONS_URL' });
    const { app: a } = synthCache(app, 'Deployment', 'sessions');
    expect(envOf(a)).toEqual({ SESSIONS_URL: 'unix:///var/run/sessions/valkey.sock' });
    expect(a.volumeMounts).toEqual([{ mountPath: '/var/run/sessions', name: 'sessions-socket', readOnly: true }]);
  });

  test('its port joins no ledger: the app may use 6379 itself', () => {
    const { app, chart } = newApp();
    withCache(web(chart, { portNumber: 6379 }), { listen: CacheListener.unixSocket() });
    expect(() => synthCache(app)).not.toThrow();
  });
});

describe('withCache with memcached', () => {
  test('memcached on 127.0.0.1:11211 with -m from the limit, as the image\'s user 11211, probed with version', () => {
    const { app, chart } = newApp();
    const cache = withCache(web(chart), { engine: CacheEngine.MEMCACHED });
    const { manifests, cache: c, app: a } = synthCache(app);
    expect(c.image).toBe(`docker.io/library/memcached:${MEMCACHED_IMAGE.tag}`);
    expect(c.command).toEqual(['/usr/local/bin/memcached']);
    expect(c.args).toEqual(['-m', '96', '-l', '127.0.0.1', '-p', '11211', '-U', '0']);
    expect(c.securityContext).toMatchObject({ runAsUser: 11211, runAsGroup: 11211 });
    expect(c.volumeMounts).toBeUndefined();
    expect(manifests.filter((m) => m.kind === 'ConfigMap')).toEqual([]);
    expect(c.startupProbe.exec.command[0]).toBe('/bin/bash');
    expect(c.startupProbe.exec.command[2]).toContain('/dev/tcp/127.0.0.1/11211');
    expect(envOf(a)).toEqual({ CACHE_URL: 'memcached://127.0.0.1:11211' });
    expect(cache.configMap).toBeUndefined();
    expect(cache.config).toBeUndefined();
  });

  test('on a Unix socket with mode 0777, and -M for no eviction', () => {
    const { app, chart } = newApp();
    withCache(web(chart), {
      engine: CacheEngine.MEMCACHED, listen: CacheListener.unixSocket(), eviction: CacheEviction.NO_EVICTION, maxMemory: Size.mebibytes(64),
    });
    const { cache: c, app: a } = synthCache(app);
    expect(c.args).toEqual(['-m', '64', '-s', '/run/cache/memcached.sock', '-a', '0777', '-M']);
    expect(c.startupProbe.exec.command).toEqual(['/bin/sh', '-c', '[ -S /run/cache/memcached.sock ]']);
    expect(envOf(a)).toEqual({ CACHE_URL: 'unix:///run/cache/memcached.sock' });
  });
});

describe('withCache, memory', () => {
  test.each([
    // limit → maxmemory: a quarter of headroom, never under 16MiB
    ['32Mi', Size.mebibytes(32), 16],
    ['64Mi', Size.mebibytes(64), 48],
    ['128Mi', Size.mebibytes(128), 96],
    ['1Gi', Size.gibibytes(1), 768],
  ])('a memory limit of %s gives the cache its 3/4, leaving at least 16MiB', (_label, limit, mebibytes) => {
    const { app, chart } = newApp();
    const cache = withCache(web(chart), { resources: { memory: { request: limit, limit } } });
    const { manifests, cache: c } = synthCache(app);
    expect(cache.maxMemoryBytes).toBe(mebibytes * 1024 * 1024);
    expect(directives(confOf(manifests))).toContain(`maxmemory ${mebibytes * 1024 * 1024}`);
    expect(c.resources.limits.memory).toBe(`${limit.toMebibytes()}Mi`);
    // The CPU default stays.
    expect(c.resources.limits.cpu).toBe('500m');
  });

  test('memcached rounds the derived size down to whole mebibytes', () => {
    const { app, chart } = newApp();
    const cache = withCache(web(chart), { engine: CacheEngine.MEMCACHED, resources: { memory: { limit: Size.mebibytes(100) } } });
    expect(synthCache(app).cache.args.slice(0, 2)).toEqual(['-m', '75']);
    expect(cache.maxMemoryBytes).toBe(75 * 1024 * 1024);
  });

  test('an explicit maxMemory and eviction policy are written as given', () => {
    const { app, chart } = newApp();
    withCache(web(chart), { maxMemory: Size.kibibytes(102400 + 512), eviction: CacheEviction.ALLKEYS_LFU });
    const conf = directives(confOf(synthCache(app).manifests));
    expect(conf).toContain(`maxmemory ${(102400 + 512) * 1024}`);
    expect(conf).toContain('maxmemory-policy allkeys-lfu');
  });
});

describe('withCache with a password', () => {
  function withPassword(options: Parameters<typeof withCache>[1] = {}) {
    const { app, chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth');
    withCache(web(chart), { password: { secret, key: 'password' }, ...options });
    return synthCache(app);
  }

  test('the password is nowhere in the pod spec, the ConfigMap or an argument: only secretKeyRefs', () => {
    const { manifests, cache, app } = withPassword();
    const ref = { secretKeyRef: { name: 'cache-auth', key: 'password' } };
    expect(envOf(cache)).toEqual({ REDISCLI_AUTH: ref });
    expect(envOf(app)).toEqual({ CACHE_URL: 'redis://127.0.0.1:6379', CACHE_PASSWORD: ref });
    expect(confOf(manifests)).not.toMatch(/^requirepass/m);
    // The server reads requirepass from stdin, written by the start script from its environment.
    expect(cache.command).toEqual(['/bin/sh', '-c']);
    expect(cache.args).toHaveLength(1);
    expect(cache.args[0]).toContain('exec /usr/local/bin/valkey-server /etc/cache/valkey.conf - <<EOF\nrequirepass "$p"\nEOF');
    expect(cache.args[0]).toContain('printf %s "$REDISCLI_AUTH" | od -An -v -tx1');
    // No Kubernetes $(VAR) reference to a variable the container defines: nothing is expanded into the script.
    expect(cache.args[0]).not.toContain('$(REDISCLI_AUTH)');
    // The script's own $(…) reaches the shell as written: escaped against Kubernetes' expansion.
    expect(cache.args[0]).toContain('p=$$(printf %s "$REDISCLI_AUTH"');
    // The probes authenticate from REDISCLI_AUTH, never from an argument.
    expect(cache.livenessProbe.exec.command.join(' ')).not.toMatch(/ -a |--pass|--user/);
  });

  test('passwordEnv names the app\'s variable', () => {
    const { app } = withPassword({ passwordEnv: 'REDIS_PASSWORD', urlEnv: 'REDIS_URL' });
    expect(Object.keys(envOf(app))).toEqual(['REDIS_URL', 'REDIS_PASSWORD']);
  });
});

describe('withCache, degenerate and combined', () => {
  test('two caches in one pod, by name, port and variable', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withCache(d);
    const second = withCache(d, { name: 'sessions', engine: CacheEngine.MEMCACHED, urlEnv: 'SESSIONS_URL' });
    const { spec, app: a } = synthCache(app);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['cache', 'sessions']);
    expect(envOf(a)).toEqual({ CACHE_URL: 'redis://127.0.0.1:6379', SESSIONS_URL: 'memcached://127.0.0.1:11211' });
    expect(second.port).toBe(11211);
    expect(restrictedProblems(spec, ['sessions'])).toEqual([]);
  });

  test('the default port moves up when the pod already uses it', () => {
    const { app, chart } = newApp();
    const cache = withCache(web(chart, { ports: [{ number: 6379 }, { number: 6380 }] }));
    expect(cache.port).toBe(6381);
    expect(directives(confOf(synthCache(app).manifests))).toContain('port 6381');
  });

  test('beside a log shipper on the same pod', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withLogShipper(d, { logPath: '/var/log/app' });
    withCache(d, { listen: CacheListener.unixSocket() });
    const { spec, app: a } = synthCache(app);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['log-shipper', 'cache']);
    expect(a.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/var/log/app', '/run/cache']);
  });

  test('a sidecar attached before the cache is not an app container: it gets no URL', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withSidecar(d, { name: 'side', image: 'acme/side:1', mode: SidecarMode.CLASSIC });
    withCache(d);
    const { spec } = synthCache(app);
    expect(spec.containers.find((c: any) => c.name === 'side').env).toBeUndefined();
  });

  test('fails at synth when a container added later binds the cache\'s port', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withCache(d);
    d.addContainer({ name: 'redis', image: 'redis:7', portNumber: 6379 });
    const message = synthFails(app);
    expect(message).toContain('port 6379/TCP');
    expect(message).toContain('container "cache" (withCache (Valkey), native sidecar) [Valkey cache, bound on 127.0.0.1, not declared]');
    expect(message).toContain('container "redis"');
    expect(message).toContain('pass listen: CacheListener.loopback({ port }) to withCache with another port');
  });

  test('a refused call leaves the app as it was', () => {
    const { app, chart } = newApp();
    const d = web(chart, { envVariables: { CACHE_URL: kplus.EnvValue.fromValue('redis://elsewhere:6379') } });
    expect(() => withCache(d)).toThrow(/already sets the environment variable CACHE_URL/);
    const { manifests } = synth(app);
    const spec = podSpecOf(find(manifests, 'Deployment'));
    expect(spec.initContainers).toBeUndefined();
    expect(envOf(spec.containers[0])).toEqual({ CACHE_URL: 'redis://elsewhere:6379' });
    expect(manifests.filter((m) => m.kind === 'ConfigMap')).toEqual([]);
  });
});
