/**
 * The real git-sync runs the containers withConfigSync synthesizes.
 *
 * Each test synthesizes a workload through the public API, reads the git-sync container back from
 * the manifest (args, env, mounts, probes), gives every mounted volume a temporary folder (the
 * root, /tmp which is git-sync's $HOME, the Secret volume with the password file), and starts
 * tools/git-sync (git-sync v4.7.1, the image's version) with exactly those arguments, paths
 * remapped. Three values are substituted, each said where it happens: the repository URL
 * (withConfigSync accepts only https:// and SSH, so the workload is synthesized with an https://
 * URL and git-sync is pointed at the local file:// or http:// one), the webhook's port (the app's
 * 8080 becomes the local receiver's port; method and path stay), and the health address
 * (`--http-bind=:9487`, every interface, becomes 127.0.0.1 and a free port, which stands for the
 * startup probe's port).
 *
 * Every wait is bounded; every process and server is stopped in afterAll.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ConfigReload, ConfigSource, GitAuth, GIT_SYNC_IMAGE, SidecarMode, withConfigSync } from '../../lib';
import { flag, upstream } from '../config-sync/git-repo';
import { allContainers, podSpecOf } from '../util/restricted';
import { newApp, synth } from '../util/synth';
import { APP } from '../workloads';
import { gitHttpServer, httpStatus, Listening, waitFor, webhookReceiver } from './git-http';
import { ROOT, tryBuildTool } from './tools';

const GIT_SYNC = tryBuildTool('git-sync');
const TOKEN = 'token-from-the-secret';
/** What the synthesized workload names as its repository; never contacted. */
const REPO = 'https://git.example.com/acme/app-config.git';

const children = new Set<ChildProcess>();
const servers: Listening[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

test('tools/git-sync pins the version of the image withConfigSync runs', () => {
  const buildScript = fs.readFileSync(path.join(ROOT, 'tools', 'git-sync', 'build.sh'), 'utf8');
  expect(/^version=(\S+)/m.exec(buildScript)?.[1]).toBe(GIT_SYNC_IMAGE.tag);
});

/** A git-sync container of a synthesized pod, made runnable on this machine. */
interface HostRun {
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
  /** The folder git-sync syncs into (--root), and the link consumers read (--link). */
  readonly root: string;
  readonly link: string;
  /** The startup probe, pointed at the remapped --http-bind. */
  readonly probe?: { readonly port: number; readonly path: string };
  /** The password file as git-sync reads it (the Secret volume's file). */
  readonly passwordFile?: string;
}

interface HostOptions {
  /** The repository URL git-sync is pointed at instead of the synthesized https:// one. */
  readonly repo: string;
  /** Files of Secret volumes: `<secretName>/<key>` → content. */
  readonly secrets?: Record<string, string>;
  /** The local webhook receiver standing for the app's port. */
  readonly webhookPort?: number;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The git-sync container `name` of the manifests, with every mounted volume in a folder under `dir`. */
async function hostRun(manifests: any[], name: string, dir: string, options: HostOptions): Promise<HostRun> {
  const workload = manifests.find((m) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(m.kind));
  const spec = podSpecOf(workload);
  const container = allContainers(spec).find((c) => c.name === name);
  if (!container) throw new Error(`no container "${name}" in ${workload.kind}/${workload.metadata.name}`);
  expect(container.image).toBe(`${GIT_SYNC_IMAGE.repository}:${GIT_SYNC_IMAGE.tag}`);
  expect(container.command).toBeUndefined(); // the image's entrypoint: git-sync itself

  // Each volume mount becomes a folder; a Secret volume's files are written as the kubelet would.
  const mounts: Array<[string, string]> = [];
  for (const mount of container.volumeMounts ?? []) {
    const host = path.join(dir, mount.name);
    fs.mkdirSync(host, { recursive: true });
    const secret = spec.volumes.find((v: any) => v.name === mount.name)?.secret;
    for (const item of secret?.items ?? []) {
      const content = options.secrets?.[`${secret.secretName}/${item.key}`];
      if (content === undefined) throw new Error(`the test gives no content for Secret ${secret.secretName} key ${item.key}`);
      fs.writeFileSync(path.join(host, item.path), content, { mode: 0o400 });
    }
    mounts.push([mount.mountPath, host]);
  }
  mounts.sort((a, b) => b[0].length - a[0].length);
  const toHost = (p: string): string => {
    const found = mounts.find(([mountPath]) => p === mountPath || p.startsWith(`${mountPath}/`));
    if (!found) throw new Error(`${p} is on the container's read-only root filesystem, under no volume`);
    return found[1] + p.slice(found[0].length);
  };

  const bindPort = await freePort();
  let bind: string | undefined;
  const args = (container.args as string[]).map((arg) => {
    const [, key, value] = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg) ?? [];
    if (value === undefined) return arg;
    switch (key) {
      case 'repo': return `--repo=${options.repo}`; // substituted: see the file's comment
      case 'http-bind':
        bind = value;
        return `--http-bind=127.0.0.1:${bindPort}`;
      case 'webhook-url': {
        const url = new URL(value);
        expect(url.hostname).toBe('127.0.0.1'); // the app in the same pod, not a Service
        url.port = String(options.webhookPort);
        return `--webhook-url=${url}`;
      }
      default: return value.startsWith('/') ? `--${key}=${toHost(value)}` : arg;
    }
  });
  expect(container.env).toBeUndefined();

  let probe: HostRun['probe'];
  const startup = container.startupProbe?.httpGet;
  if (startup) {
    // The probe must reach what git-sync serves: the port of --http-bind.
    expect(bind).toBe(`:${startup.port}`);
    probe = { port: bindPort, path: startup.path };
  }
  const root = flag(args, 'root')!;
  const link = flag(args, 'link')!;
  const passwordFile = flag(args, 'password-file');
  return {
    args,
    // The image's passwd entry for 65533 has home /tmp, and TMPDIR is unset (so /tmp): the pod
    // mounts an emptyDir there. Both point at that volume's folder, so nothing is written elsewhere.
    env: { PATH: process.env.PATH, HOME: toHost('/tmp'), TMPDIR: toHost('/tmp') },
    root,
    link: path.isAbsolute(link) ? link : path.join(root, link),
    probe,
    passwordFile,
  };
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  readonly log: () => string;
}

function start(bin: string, run: HostRun): Running {
  const child = spawn(bin, run.args, { env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve(code ?? signal ?? 'unknown');
  }));
  return { child, exited, log: () => log };
}

/** Resolves to the exit code, or rejects after `ms` (and kills the process). */
async function exitWithin(running: Running, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`git-sync still running after ${ms} ms:\n${running.log()}`));
    }, ms);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The commit the link points at, or undefined while there is no link. */
function linked(run: HostRun): string | undefined {
  try {
    return path.basename(fs.readlinkSync(run.link));
  } catch {
    return undefined;
  }
}

const describeReal = 'bin' in GIT_SYNC ? describe : describe.skip;
if ('unavailable' in GIT_SYNC) {
  if (process.env.CDK8S_SIDECARS_REQUIRE_GIT_SYNC === '1') {
    test('git-sync is required (CDK8S_SIDECARS_REQUIRE_GIT_SYNC=1) and available', () => {
      throw new Error(GIT_SYNC.unavailable);
    });
  } else {
    // Skipped, and said so: the reason is in the skipped test's name and on the console.
    console.warn(`test/real/git-sync.test.ts: the real git-sync is unavailable, its tests are skipped:\n${GIT_SYNC.unavailable}`);
    test.skip(`SKIPPED, the real git-sync is unavailable here: ${GIT_SYNC.unavailable.split('\n')[0]}`, () => undefined);
  }
}

describeReal('the real git-sync v4.7.1 runs what withConfigSync renders', () => {
  const bin = 'bin' in GIT_SYNC ? GIT_SYNC.bin : '';

  test.each([
    ['a Job (the init container only)', 'Job', 'git-sync-init'],
    ['a Deployment in classic mode (its one-time init container)', 'Deployment', 'git-sync-init'],
  ])('file://: %s: the one-time sync exits 0 and publishes the link', async (_label, kind, name) => {
    const up = upstream();
    const hash = up.commit({ 'app.yaml': 'version: 1\n' });
    const { app, chart } = newApp();
    const workload = kind === 'Job'
      ? new kplus.Job(chart, 'web', { containers: [APP] })
      : new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(workload, {
      source: ConfigSource.git({ repo: REPO, ref: 'main' }),
      mountPath: '/etc/app/config',
      ...(kind === 'Deployment' ? { mode: SidecarMode.CLASSIC } : {}),
    });
    const manifests = synth(app).manifests;
    if (kind === 'Job') expect(allContainers(podSpecOf(manifests.find((m) => m.kind === 'Job'))).map((c) => c.name)).toEqual([name, 'app']);
    // withConfigSync refuses file:// URLs: synthesized with https://, run against file://.
    const run = await hostRun(manifests, name, path.join(up.dir, 'pod'), { repo: up.url });
    expect(run.args).toContain('--one-time');

    const running = start(bin, run);
    expect(await exitWithin(running, 60_000)).toBe(0);
    expect(linked(run)).toBe(hash);
    expect(fs.readFileSync(path.join(run.link, 'app.yaml'), 'utf8')).toBe('version: 1\n');
  });

  test('HTTP with basic auth: first sync creates the link, a new commit is published within the period, each is POSTed to the reload URL', async () => {
    const up = upstream();
    const first = up.commit({ 'app.yaml': 'version: 1\n' });
    const server = await gitHttpServer(up.dir, 'git', TOKEN);
    servers.push(server);
    const hooks = await webhookReceiver();
    servers.push(hooks);

    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const secret = kplus.Secret.fromSecretName(chart, 'git-token', 'app-config-git');
    const period = Duration.seconds(1);
    withConfigSync(web, {
      source: ConfigSource.git({ repo: REPO, ref: 'main', period, auth: GitAuth.https({ username: 'git', password: { secret, key: 'token' } }) }),
      mountPath: '/etc/app/config',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
    });
    // withConfigSync refuses http:// URLs: synthesized with https://, run against the local server.
    const run = await hostRun(synth(app).manifests, 'git-sync', path.join(up.dir, 'pod'), {
      repo: server.url('app-config.git'),
      secrets: { 'app-config-git/token': TOKEN },
      webhookPort: hooks.port,
    });
    expect(flag(run.args, 'period')).toBe('1s');
    expect(fs.readFileSync(run.passwordFile!, 'utf8')).toBe(TOKEN);

    const running = start(bin, run);
    try {
      await waitFor('the first sync\'s link', 30_000, () => (linked(run) === first ? true : undefined));
      expect(await waitFor('the startup probe to pass', 10_000, async () => ((await httpStatus(run.probe!.port, run.probe!.path)) === 200 ? 200 : undefined))).toBe(200);
      await waitFor('the reload webhook for the first commit', 10_000, () => hooks.hooks.find((h) => h.hash === first));

      const second = up.commit({ 'app.yaml': 'version: 2\n' });
      const published = Date.now();
      await waitFor('the new commit\'s link', 15_000, () => (linked(run) === second ? true : undefined));
      // Within the period (1 s) plus the time of one fetch and checkout.
      expect(Date.now() - published).toBeLessThan(period.toMilliseconds() + 5_000);
      expect(fs.readFileSync(path.join(run.link, 'app.yaml'), 'utf8')).toBe('version: 2\n');
      await waitFor('the reload webhook for the new commit', 10_000, () => hooks.hooks.find((h) => h.hash === second));

      expect(hooks.hooks.map((h) => [h.method, h.path])).toEqual(hooks.hooks.map(() => ['POST', '/-/reload']));
      expect(server.counts.served).toBeGreaterThan(0);
      expect(running.child.exitCode).toBeNull();
    } catch (e) {
      throw new Error(`${(e as Error).message}\ngit-sync log:\n${running.log()}`);
    } finally {
      running.child.kill('SIGTERM');
      await exitWithin(running, 10_000).catch(() => undefined);
    }
  });

  test('bad credentials: the startup probe never passes and no link appears (no empty folder served)', async () => {
    const up = upstream();
    up.commit({ 'app.yaml': 'version: 1\n' });
    const server = await gitHttpServer(up.dir, 'git', TOKEN);
    servers.push(server);

    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const secret = kplus.Secret.fromSecretName(chart, 'git-token', 'app-config-git');
    withConfigSync(web, {
      source: ConfigSource.git({ repo: REPO, ref: 'main', period: Duration.seconds(1), auth: GitAuth.https({ username: 'git', password: { secret, key: 'token' } }) }),
      mountPath: '/etc/app/config',
    });
    const run = await hostRun(synth(app).manifests, 'git-sync', path.join(up.dir, 'pod'), {
      repo: server.url('app-config.git'),
      secrets: { 'app-config-git/token': 'a-revoked-token' },
    });

    const running = start(bin, run);
    const statuses: Array<number | string> = [];
    const until = Date.now() + 8_000;
    while (Date.now() < until && running.child.exitCode === null) {
      statuses.push(await httpStatus(run.probe!.port, run.probe!.path));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    running.child.kill('SIGTERM');
    const exit = await exitWithin(running, 10_000).catch((e) => String(e));
    expect({ statuses: statuses.filter((s) => s === 200), exit }).toEqual({ statuses: [], exit: expect.anything() });
    expect(linked(run)).toBeUndefined();
    expect(fs.existsSync(run.link)).toBe(false);
    expect(server.counts.refused).toBeGreaterThan(0);
    expect(server.counts.served).toBe(0);
  });
});

describe('the local smart-HTTP server the real git-sync is tested against', () => {
  test('serves git over HTTP to the username and password withConfigSync mounts, and refuses others', async () => {
    const up = upstream();
    const hash = up.commit({ 'app.yaml': 'version: 1\n' });
    const server = await gitHttpServer(up.dir, 'git', TOKEN);
    servers.push(server);
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const secret = kplus.Secret.fromSecretName(chart, 'git-token', 'app-config-git');
    withConfigSync(web, {
      source: ConfigSource.git({ repo: REPO, auth: GitAuth.https({ username: 'git', password: { secret, key: 'token' } }) }),
      mountPath: '/etc/app/config',
    });
    const run = await hostRun(synth(app).manifests, 'git-sync', path.join(up.dir, 'pod'), {
      repo: server.url('app-config.git'),
      secrets: { 'app-config-git/token': TOKEN },
    });
    const withAuth = (user: string, password: string) => {
      const url = new URL(flag(run.args, 'repo')!);
      url.username = user;
      url.password = password;
      return url.toString();
    };
    const lsRemote = (url: string) => new Promise<{ code: number | null; out: string }>((resolve) => {
      // Asynchronous: the server runs in this process. GIT_TERMINAL_PROMPT=0: fail, never ask.
      const child = spawn('git', ['ls-remote', url, 'main'], { env: { PATH: process.env.PATH, HOME: up.dir, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' } });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });

    const good = await lsRemote(withAuth(flag(run.args, 'username')!, fs.readFileSync(run.passwordFile!, 'utf8')));
    expect(good).toEqual({ code: 0, out: `${hash}\trefs/heads/main\n` });
    expect((await lsRemote(withAuth('git', 'wrong'))).code).not.toBe(0);
    expect((await lsRemote(server.url('app-config.git'))).code).not.toBe(0);
    expect(server.counts.refused).toBeGreaterThanOrEqual(2);
  });
});
