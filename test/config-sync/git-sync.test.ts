import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { ConfigReload, ConfigSource, GitAuth, SidecarMode, withConfigSync } from '../../lib';
import { refProblem } from '../../lib/config-sync/checks';
import { gitSyncArgs, goDuration } from '../../lib/config-sync/git-sync';
import { allContainers, podSpecOf } from '../util/restricted';
import { find, newApp, synth } from '../util/synth';
import { APP } from '../workloads';
import { flag, git, syncOnce, upstream } from './git-repo';

/**
 * Every flag of git-sync v4, as its manual lists it (`git-sync --man`: the `manual` text in
 * kubernetes/git-sync main.go, v4.x, with the environment variable each maps to). A flag
 * withConfigSync renders that is not here is a typo git-sync would die on.
 */
const DOCUMENTED_FLAGS: Record<string, string> = {
  'add-user': 'GITSYNC_ADD_USER',
  'askpass-url': 'GITSYNC_ASKPASS_URL',
  'cookie-file': 'GITSYNC_COOKIE_FILE',
  'credential': 'GITSYNC_CREDENTIAL',
  'depth': 'GITSYNC_DEPTH',
  'error-file': 'GITSYNC_ERROR_FILE',
  'exechook-backoff': 'GITSYNC_EXECHOOK_BACKOFF',
  'exechook-command': 'GITSYNC_EXECHOOK_COMMAND',
  'exechook-timeout': 'GITSYNC_EXECHOOK_TIMEOUT',
  'git': 'GITSYNC_GIT',
  'git-config': 'GITSYNC_GIT_CONFIG',
  'git-gc': 'GITSYNC_GIT_GC',
  'github-base-url': 'GITSYNC_GITHUB_BASE_URL',
  'github-app-private-key-file': 'GITSYNC_GITHUB_APP_PRIVATE_KEY_FILE',
  'github-app-installation-id': 'GITSYNC_GITHUB_APP_INSTALLATION_ID',
  'github-app-application-id': 'GITSYNC_GITHUB_APP_APPLICATION_ID',
  'github-app-client-id': 'GITSYNC_GITHUB_APP_CLIENT_ID',
  'group-write': 'GITSYNC_GROUP_WRITE',
  'http-bind': 'GITSYNC_HTTP_BIND',
  'http-metrics': 'GITSYNC_HTTP_METRICS',
  'http-pprof': 'GITSYNC_HTTP_PPROF',
  'link': 'GITSYNC_LINK',
  'max-failures': 'GITSYNC_MAX_FAILURES',
  'one-time': 'GITSYNC_ONE_TIME',
  'password-file': 'GITSYNC_PASSWORD_FILE',
  'period': 'GITSYNC_PERIOD',
  'ref': 'GITSYNC_REF',
  'repo': 'GITSYNC_REPO',
  'root': 'GITSYNC_ROOT',
  'sparse-checkout-file': 'GITSYNC_SPARSE_CHECKOUT_FILE',
  'ssh-key-file': 'GITSYNC_SSH_KEY_FILE',
  'ssh-known-hosts': 'GITSYNC_SSH_KNOWN_HOSTS',
  'ssh-known-hosts-file': 'GITSYNC_SSH_KNOWN_HOSTS_FILE',
  'stale-worktree-timeout': 'GITSYNC_STALE_WORKTREE_TIMEOUT',
  'submodules': 'GITSYNC_SUBMODULES',
  'sync-on-signal': 'GITSYNC_SYNC_ON_SIGNAL',
  'sync-timeout': 'GITSYNC_SYNC_TIMEOUT',
  'touch-file': 'GITSYNC_TOUCH_FILE',
  'username': 'GITSYNC_USERNAME',
  'verbose': 'GITSYNC_VERBOSE',
  'webhook-backoff': 'GITSYNC_WEBHOOK_BACKOFF',
  'webhook-method': 'GITSYNC_WEBHOOK_METHOD',
  'webhook-success-status': 'GITSYNC_WEBHOOK_SUCCESS_STATUS',
  'webhook-timeout': 'GITSYNC_WEBHOOK_TIMEOUT',
  'webhook-url': 'GITSYNC_WEBHOOK_URL',
};

/** Boolean flags of the manual: given bare (`--one-time`) or as `--flag=true|false`. */
const BOOLEAN_FLAGS = ['add-user', 'cookie-file', 'group-write', 'http-metrics', 'http-pprof', 'one-time', 'ssh-known-hosts'];

/**
 * Documented, but never from withConfigSync: `--git` runs another program (Checkov
 * CKV_K8S_159); `--password` is deprecated and puts the secret in the pod spec; `--ssh` is
 * deprecated in v4; `--add-user` writes /etc/passwd, impossible on a read-only root filesystem.
 */
const NEVER = ['git', 'password', 'ssh', 'add-user'];

function checkFlags(args: string[]): void {
  for (const arg of args) {
    const match = /^--([a-z-]+)(=(.*))?$/s.exec(arg);
    expect(match).not.toBeNull();
    const [, name, hasValue] = match!;
    expect(NEVER).not.toContain(name);
    expect(Object.keys(DOCUMENTED_FLAGS)).toContain(name);
    if (!hasValue) expect(BOOLEAN_FLAGS).toContain(name);
  }
}

/** Every git-sync container of a synthesized pod: args, env, mounts. */
function gitSyncContainers(manifests: any[], kind = 'Deployment'): any[] {
  return allContainers(podSpecOf(find(manifests, kind))).filter((c) => c.image.startsWith('registry.k8s.io/git-sync/git-sync:'));
}

describe('git-sync arguments', () => {
  test('every flag rendered is in git-sync v4\'s manual; no env, no --git, no --password', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ ...APP, command: ['/usr/bin/web'] }] });
    const token = kplus.Secret.fromSecretName(chart, 'token', 'git-token');
    withConfigSync(web, {
      source: ConfigSource.git({
        repo: 'https://github.com/acme/app-config.git',
        ref: 'main',
        period: Duration.seconds(30),
        depth: 5,
        auth: GitAuth.https({ username: 'git', password: { secret: token, key: 'token' } }),
      }),
      mountPath: '/etc/app/config',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
      mode: SidecarMode.CLASSIC,
    });
    const deploy = kplus.Secret.fromSecretName(chart, 'deploy', 'deploy-key');
    withConfigSync(web, {
      name: 'rules',
      source: ConfigSource.git({
        repo: 'git@github.com:acme/rules.git',
        auth: GitAuth.ssh({ privateKey: { secret: deploy, key: 'ssh' }, knownHosts: { secret: deploy, key: 'known_hosts' } }),
      }),
      mountPath: '/etc/app/rules',
    });
    withConfigSync(web, {
      name: 'scripts',
      source: ConfigSource.git({ repo: 'https://github.com/acme/scripts.git', ref: 'v2' }),
      mountPath: '/etc/app/scripts',
      reload: ConfigReload.signal('SIGHUP', { shareProcessNamespace: true }),
    });
    const containers = gitSyncContainers(synth(app).manifests);
    expect(containers.map((c) => c.name).sort()).toEqual(['git-sync', 'git-sync-init', 'rules', 'scripts']);
    expect(containers.find((c) => c.name === 'scripts').args).toContain('--exechook-command=/etc/config-sync/reload.sh');
    for (const container of containers) {
      checkFlags(container.args);
      expect(container.env).toBeUndefined();
      expect(container.command).toBeUndefined(); // the image's entrypoint, /git-sync
    }
  });

  test('the long-running sync, its one-time twin, and a reload', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, {
      source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', ref: 'v1.2.0', period: Duration.seconds(30) }),
      mountPath: '/etc/app/config',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
      mode: SidecarMode.CLASSIC,
    });
    const [init, sidecar] = ['git-sync-init', 'git-sync'].map((n) => gitSyncContainers(synth(app).manifests).find((c) => c.name === n));
    expect(sidecar.args).toEqual([
      '--repo=https://github.com/acme/app-config.git',
      '--ref=v1.2.0',
      '--root=/git',
      '--link=current',
      '--period=30s',
      '--http-bind=:9487',
      '--webhook-url=http://127.0.0.1:8080/-/reload',
      '--webhook-method=POST',
      '--webhook-success-status=200',
    ]);
    expect(init.args).toEqual([
      '--repo=https://github.com/acme/app-config.git',
      '--ref=v1.2.0',
      '--root=/git',
      '--link=current',
      '--one-time',
    ]);
  });

  test('credentials are files from Secret volumes: --password-file, --ssh-key-file, --ssh-known-hosts-file', () => {
    expect(gitSyncArgs({
      repo: 'https://example.com/r.git',
      root: '/git',
      link: 'current',
      oneTime: false,
      username: 'git',
      passwordFile: '/etc/git-secret/s/password',
    })).toEqual(['--repo=https://example.com/r.git', '--root=/git', '--link=current', '--username=git', '--password-file=/etc/git-secret/s/password']);
    expect(gitSyncArgs({
      repo: 'git@example.com:r.git',
      root: '/git',
      link: 'current',
      oneTime: true,
      sshKeyFile: '/etc/git-secret/k/ssh',
      sshKnownHostsFile: '/etc/git-secret/k/known_hosts',
    })).toEqual(['--repo=git@example.com:r.git', '--root=/git', '--link=current', '--one-time',
      '--ssh-key-file=/etc/git-secret/k/ssh', '--ssh-known-hosts=true', '--ssh-known-hosts-file=/etc/git-secret/k/known_hosts']);
  });

  test.each([
    ['30 seconds', Duration.seconds(30), '30s'],
    ['5 minutes', Duration.minutes(5), '300s'],
    ['1.5 seconds', Duration.millis(1500), '1500ms'],
    ['10 ms', Duration.millis(10), '10ms'],
  ])('durations as Go\'s time.ParseDuration reads them: %s', (_label, duration, text) => {
    expect(goDuration(duration)).toBe(text);
  });
});

describe('the git-sync arguments against a real repository (git on this machine)', () => {
  /** The args of the named container, with the repo and root pointed at local folders. */
  function renderedArgs(options: Parameters<typeof ConfigSource.git>[0], container = 'git-sync-init'): string[] {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, { source: ConfigSource.git(options), mountPath: '/etc/app/config', mode: SidecarMode.CLASSIC });
    return gitSyncContainers(synth(app).manifests).find((c) => c.name === container).args;
  }

  function local(args: string[], repo: string, root: string): string[] {
    return args.map((a) => (a.startsWith('--repo=') ? `--repo=${repo}` : a.startsWith('--root=') ? `--root=${root}` : a));
  }

  test('a branch, an annotated tag and a commit hash resolve (git ls-remote, git fetch)', () => {
    const up = upstream();
    const first = up.commit({ 'app.yaml': 'version: 1\n' });
    up.tag('v1.0.0');
    const second = up.commit({ 'app.yaml': 'version: 2\n' });

    expect(git(up.dir, 'ls-remote', up.url, 'main').split('\t')[0]).toBe(second);
    expect(git(up.dir, 'ls-remote', up.url, 'v1.0.0^{}').split('\t')[0]).toBe(first);

    for (const [ref, hash] of [['main', second], ['v1.0.0', first], [first, first]] as const) {
      const root = path.join(up.dir, `root-${ref}`);
      const args = local(renderedArgs({ repo: 'https://example.com/acme/app-config.git', ref }), up.url, root);
      expect(flag(args, 'ref')).toBe(ref);
      expect(syncOnce(args).hash).toBe(hash);
      expect(fs.readFileSync(path.join(root, 'current', 'app.yaml'), 'utf8')).toBe(hash === first ? 'version: 1\n' : 'version: 2\n');
    }
  });

  test('--depth=1 makes a one-commit shallow clone; --depth=0 the whole history', () => {
    const up = upstream();
    up.commit({ 'a.yaml': '1' });
    up.commit({ 'a.yaml': '2' });
    up.commit({ 'a.yaml': '3' });

    const shallow = path.join(up.dir, 'shallow');
    syncOnce(local(renderedArgs({ repo: 'https://example.com/c.git', ref: 'main', depth: 1 }), up.url, shallow));
    expect(git(shallow, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(git(path.join(shallow, 'current'), 'rev-list', '--count', 'HEAD')).toBe('1');

    const full = path.join(up.dir, 'full');
    syncOnce(local(renderedArgs({ repo: 'https://example.com/c.git', ref: 'main', depth: 0 }), up.url, full));
    expect(git(full, 'rev-parse', '--is-shallow-repository')).toBe('false');
    expect(git(path.join(full, 'current'), 'rev-list', '--count', 'HEAD')).toBe('3');
  });

  test('the app reads <mountPath>/<link> through a relative symlink, from another mount path too', () => {
    const up = upstream();
    const hash = up.commit({ 'conf/app.yaml': 'port: 8080\n' });
    const root = path.join(up.dir, 'volume-in-git-sync'); // git-sync mounts the volume at /git
    const args = local(renderedArgs({ repo: 'https://example.com/c.git', ref: 'main', link: 'live' }), up.url, root);
    syncOnce(args);

    // Layout: <root>/.git (the repo), <root>/.worktrees/<hash>, <root>/<link> -> .worktrees/<hash>
    expect(fs.readdirSync(root).sort()).toEqual(['.git', '.worktrees', 'live']);
    expect(fs.readlinkSync(path.join(root, 'live'))).toBe(`.worktrees/${hash}`);
    expect(git(root, 'worktree', 'list', '--porcelain')).toContain(`worktree ${path.join(root, '.worktrees', hash)}`);

    // The app mounts the same volume elsewhere (/etc/app/config): copy it there and drop the
    // original, so only relative links still resolve.
    const mountPath = path.join(up.dir, 'etc', 'app', 'config');
    fs.mkdirSync(path.dirname(mountPath), { recursive: true });
    fs.cpSync(root, mountPath, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(root, { recursive: true });
    expect(fs.readFileSync(path.join(mountPath, 'live', 'conf', 'app.yaml'), 'utf8')).toBe('port: 8080\n');
    expect(git(path.join(mountPath, 'live'), 'rev-parse', 'HEAD')).toBe(hash);
  });

  test('a new commit is published by swapping the link; the old worktree goes', () => {
    const up = upstream();
    const first = up.commit({ 'app.yaml': 'v: 1\n' });
    const root = path.join(up.dir, 'root');
    const args = local(renderedArgs({ repo: 'https://example.com/c.git', ref: 'main' }, 'git-sync'), up.url, root);
    expect(flag(args, 'period')).toBeUndefined(); // git-sync's default, 10s
    expect(syncOnce(args)).toEqual({ hash: first, changed: true });
    expect(syncOnce(args)).toEqual({ hash: first, changed: false });

    const second = up.commit({ 'app.yaml': 'v: 2\n' });
    expect(syncOnce(args)).toEqual({ hash: second, changed: true });
    expect(fs.readFileSync(path.join(root, 'current', 'app.yaml'), 'utf8')).toBe('v: 2\n');
    expect(fs.readdirSync(path.join(root, '.worktrees'))).toEqual([second]);
  });

  test('the one-time init container and the sidecar share the root: the sidecar reuses the checkout', () => {
    const up = upstream();
    const hash = up.commit({ 'app.yaml': 'v: 1\n' });
    const root = path.join(up.dir, 'root');
    const options = { repo: 'https://example.com/c.git', ref: 'main' };
    expect(syncOnce(local(renderedArgs(options, 'git-sync-init'), up.url, root))).toEqual({ hash, changed: true });
    expect(syncOnce(local(renderedArgs(options, 'git-sync'), up.url, root))).toEqual({ hash, changed: false });
  });
});

describe('the ref rule against git check-ref-format', () => {
  /** git's own verdict on a ref name (one-level names allowed: "main", "v1.2.0"). */
  function gitAccepts(ref: string): boolean {
    return spawnSync('git', ['check-ref-format', '--allow-onelevel', ref], { stdio: 'ignore' }).status === 0;
  }

  test('every ref withConfigSync accepts, git accepts too (fast-check, 300 runs)', () => {
    const chars = fc.constantFrom(...'ab0Z.-_/@{}~^:?*[\\ '.split(''));
    fc.assert(fc.property(fc.string({ unit: chars, minLength: 1, maxLength: 12 }), (ref) => {
      if (!refProblem(ref)) expect([ref, gitAccepts(ref)]).toEqual([ref, true]);
    }), { numRuns: 300 });
  });

  test.each(['main', 'v1.2.0', 'release/2026-11', 'HEAD', '0123456789abcdef0123456789abcdef01234567', 'feature/x_y'])('accepts %s, as git does', (ref) => {
    expect(refProblem(ref)).toBe(false);
    expect(gitAccepts(ref)).toBe(true);
  });
});
