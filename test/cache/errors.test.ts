/**
 * withCache's refusals at the call, each with its whole message: the workload, the option, the
 * value, the fix. A refused call adds nothing (cache.test.ts, "a refused call leaves the app as
 * it was").
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CacheEngine, CacheEviction, CacheListener, withCache, withLogShipper } from '../../lib';
import { newApp } from '../util/synth';

const PREFIX = 'Deployment "test/web", withCache: ';

function attach(options: any, setup?: (d: kplus.Deployment, chart: any) => void, extra: Partial<kplus.ContainerProps> = {}): () => unknown {
  const { chart } = newApp();
  const d = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, ...extra }] });
  setup?.(d, chart);
  return () => withCache(d, options);
}

describe('withCache refuses at the call', () => {
  test('fails when maxMemory is larger than the container\'s memory limit', () => {
    expect(attach({ maxMemory: Size.mebibytes(256) })).toThrow(`${PREFIX}maxMemory 256Mi is more than the container's memory limit 128Mi less the 16MiB `
      + 'the process needs beside the data, so the kernel would kill the cache before it evicts anything; '
      + 'give maxMemory of at most 112Mi, or raise resources.memory.limit to at least 272Mi');
  });

  test('fails when maxMemory leaves the process less than 16MiB of the limit', () => {
    expect(attach({ maxMemory: Size.mebibytes(120) })).toThrow(`${PREFIX}maxMemory 120Mi is more than the container's memory limit 128Mi`);
  });

  test('fails when maxMemory is less than 1MiB', () => {
    expect(attach({ maxMemory: Size.kibibytes(512) })).toThrow(`${PREFIX}maxMemory 512Ki is less than 1MiB; give at least Size.mebibytes(1)`);
  });

  test('fails when memcached is given a maxMemory that is not whole mebibytes', () => {
    expect(attach({ engine: CacheEngine.MEMCACHED, maxMemory: Size.kibibytes(1536) }))
      .toThrow(`${PREFIX}maxMemory 1536Ki is not a whole number of mebibytes, which memcached's -m takes; give Size.mebibytes(1)`);
  });

  test('fails when the memory limit leaves no room for data', () => {
    expect(attach({ resources: { memory: { limit: Size.mebibytes(16) } } }))
      .toThrow(`${PREFIX}the memory limit 16Mi leaves no room for data beside the 16MiB the process needs; give resources.memory.limit of at least 24Mi`);
  });

  test('a memory request alone keeps the default limit, which bounds the cache', () => {
    expect((attach({ resources: { memory: { request: Size.mebibytes(64) } } })() as any).container.resources?.memory?.limit?.toMebibytes()).toBe(128);
  });

  test('fails when the port is below 1024', () => {
    expect(attach({ listen: CacheListener.loopback({ port: 637 }) })).toThrow(`${PREFIX}listen port 637 is below 1024, which the cache, `
      + 'running as a non-root user without capabilities, cannot bind; pass a port of 1024 or more (for example 6379)');
  });

  test('fails when the port is out of range', () => {
    expect(attach({ listen: CacheListener.loopback({ port: 70000 }) })).toThrow(`${PREFIX}listen port 70000 `);
  });

  test('fails when listen is not a CacheListener', () => {
    expect(attach({ listen: { kind: 'loopback', port: 6379 } }))
      .toThrow(`${PREFIX}option listen must be a CacheListener: CacheListener.loopback(…) or CacheListener.unixSocket(…) (got an object)`);
  });

  test('fails when the socket folder is relative', () => {
    expect(attach({ listen: CacheListener.unixSocket({ dir: 'run/cache' }) })).toThrow(`${PREFIX}socketDir "run/cache" must be an absolute path `
      + '(starting with "/"); give the absolute folder the socket goes in, for example "/run/cache"');
  });

  test('fails when the socket folder holds a character a URL would escape', () => {
    expect(attach({ listen: CacheListener.unixSocket({ dir: '/run/my cache' }) })).toThrow(`${PREFIX}socketDir "/run/my cache" holds a character `
      + 'other than letters, digits and "/._-", which a connection URL would have to escape; give a plain folder, for example "/run/cache"');
  });

  test('fails when the socket folder is the root', () => {
    expect(attach({ listen: CacheListener.unixSocket({ dir: '/' }) })).toThrow(`${PREFIX}socketDir "/" is the root of the container`);
  });

  test('fails when the socket folder overlaps the cache\'s configuration', () => {
    expect(attach({ listen: CacheListener.unixSocket({ dir: '/etc' }) })).toThrow(`${PREFIX}socketDir "/etc" overlaps "/etc/cache", `
      + 'where the cache reads its configuration; give another folder, for example "/run/cache"');
  });

  test('fails when the socket path is longer than a Unix socket path holds', () => {
    const dir = `/run/${'a'.repeat(100)}`;
    expect(attach({ listen: CacheListener.unixSocket({ dir }) })).toThrow(`${PREFIX}socketDir "${dir}" makes the socket path 117 characters long; `
      + 'a Unix socket path holds at most 107 (unix(7)): give a shorter folder');
  });

  test('fails when the app already mounts another volume at the socket folder', () => {
    expect(attach({ listen: CacheListener.unixSocket() }, (d, chart) => {
      d.containers[0].mount('/run/cache', kplus.Volume.fromEmptyDir(chart, 'run', 'run'));
    })).toThrow('Deployment "test/web", withCache: socketDir "/run/cache": container "app" already mounts volume "run" at "/run/cache"; '
      + 'give another socketDir, or move the app\'s volume');
  });

  test('fails when the socket folder is another helper\'s shared folder', () => {
    expect(attach({ listen: CacheListener.unixSocket({ dir: '/var/log/app' }) }, (d) => {
      withLogShipper(d, { logPath: '/var/log/app' });
    })).toThrow('Deployment "test/web", withCache: socketDir "/var/log/app": container "app" already mounts the folder of container "log-shipper" (withLogShipper (Fluent Bit)) at "/var/log/app"; give another socketDir, or move the app\'s volume');
  });

  test('fails when the app already sets the URL variable', () => {
    expect(attach({}, undefined, { envVariables: { CACHE_URL: kplus.EnvValue.fromValue('redis://x') } }))
      .toThrow(`${PREFIX}container "app" already sets the environment variable CACHE_URL, which the cache would overwrite; `
        + 'pass another urlEnv to withCache (for example urlEnv: "LOCAL_CACHE_URL"), or leave "app" out with appContainers');
  });

  test('fails when the app already sets the password variable', () => {
    const { chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'cache-auth');
    expect(attach({ name: 'sessions', password: { secret, key: 'password' } }, undefined, { envVariables: { CACHE_PASSWORD: kplus.EnvValue.fromValue('x') } }))
      .toThrow(`${PREFIX}container "app" already sets the environment variable CACHE_PASSWORD, which the cache would overwrite; `
        + 'pass another passwordEnv to withCache (for example passwordEnv: "SESSIONS_PASSWORD"), or leave "app" out with appContainers');
  });

  test('fails when the cache is attached twice with the same name', () => {
    expect(attach({}, (d) => withCache(d, { urlEnv: 'FIRST_URL' })))
      .toThrow(`${PREFIX}the workload already has a sidecar named "cache"; give the second one another name`);
  });

  test('fails when a second cache keeps the first one\'s variable', () => {
    expect(attach({ name: 'sessions' }, (d) => withCache(d)))
      .toThrow(`${PREFIX}container "app" already sets the environment variable CACHE_URL, which the cache would overwrite; `
        + 'pass another urlEnv to withCache (for example urlEnv: "SESSIONS_URL"), or leave "app" out with appContainers');
  });

  test('fails when urlEnv is not a variable name', () => {
    expect(attach({ urlEnv: 'cache-url' })).toThrow(`${PREFIX}urlEnv "cache-url" must be letters, digits and "_", not starting with a digit`);
  });

  test('fails when urlEnv is the cache container\'s own password variable', () => {
    expect(attach({ urlEnv: 'REDISCLI_AUTH' })).toThrow(`${PREFIX}urlEnv "REDISCLI_AUTH" is the cache container's own password variable; choose another name`);
  });

  test('fails when passwordEnv and urlEnv are the same', () => {
    const { chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'cache-auth');
    expect(attach({ password: { secret, key: 'p' }, passwordEnv: 'CACHE_URL' })).toThrow(`${PREFIX}passwordEnv and urlEnv are both "CACHE_URL"; give each its own name`);
  });

  test('fails when passwordEnv comes without password', () => {
    expect(attach({ passwordEnv: 'PW' })).toThrow(`${PREFIX}passwordEnv is given without password; pass password ({ secret, key }) too, or remove passwordEnv`);
  });

  test('fails when the password is a plain string', () => {
    expect(attach({ password: 'hunter2' })).toThrow(`${PREFIX}option password must be a SecretValue { secret, key } (got a plain string); `
      + 'a credential written in the manifest is readable by anyone who can read the workload: put it in a Secret and pass { secret, key }');
  });

  test('fails when the password\'s key is empty', () => {
    const { chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'cache-auth');
    expect(attach({ password: { secret, key: '' } })).toThrow(`${PREFIX}password.key is empty; name the key of the Secret that holds the password`);
  });

  test('fails when memcached is given a password', () => {
    const { chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'cache-auth');
    expect(attach({ engine: CacheEngine.MEMCACHED, password: { secret, key: 'password' } })).toThrow(`${PREFIX}password is for Valkey; memcached has no `
      + 'password that its common clients speak (only SASL on the binary protocol): remove password and keep memcached to the pod with '
      + 'listen: CacheListener.unixSocket(), or use engine: CacheEngine.VALKEY');
  });

  test('fails when memcached is given a Valkey-only eviction policy', () => {
    expect(attach({ engine: CacheEngine.MEMCACHED, eviction: CacheEviction.VOLATILE_TTL })).toThrow(`${PREFIX}eviction "volatile-ttl" is Valkey's; `
      + 'memcached evicts least recently used items, or nothing with -M: pass CacheEviction.ALLKEYS_LRU or CacheEviction.NO_EVICTION, or engine: CacheEngine.VALKEY');
  });

  test('fails when the eviction policy is not a CacheEviction', () => {
    expect(attach({ eviction: 'lru' })).toThrow(`${PREFIX}option eviction must be CacheEviction.ALLKEYS_LRU, CacheEviction.ALLKEYS_LFU`);
  });

  test('fails when the engine is not a CacheEngine', () => {
    expect(attach({ engine: 'redis' })).toThrow(`${PREFIX}option engine must be a CacheEngine: CacheEngine.VALKEY or CacheEngine.MEMCACHED (got the string "redis")`);
  });

  test('fails when the name is not a DNS label', () => {
    expect(attach({ name: 'Cache' })).toThrow(`${PREFIX}name "Cache" must be a DNS-1123 label`);
  });

  test('fails when the image is empty', () => {
    expect(attach({ image: ' ' })).toThrow(`${PREFIX}image is empty; leave it unset for the pinned upstream image`);
  });

  test('fails when appContainers names a container the pod lacks', () => {
    expect(attach({ appContainers: ['worker'] })).toThrow(`${PREFIX}appContainers names "worker", but the pod has no such container (it has "app"); `
      + 'add the container before attaching the cache');
  });

  test('fails when appContainers is empty', () => {
    expect(attach({ appContainers: [] })).toThrow(`${PREFIX}appContainers is empty; name the containers that use the cache`);
  });

  test('fails when the pod has no app container yet', () => {
    const { chart } = newApp();
    const d = new kplus.Deployment(chart, 'web');
    expect(() => withCache(d)).toThrow(`${PREFIX}the pod has no app container yet; add the app containers before attaching the cache`);
  });
});
