/**
 * Issue #16 for git sources: hosts ssh would read as options, empty hosts, abbreviated commit
 * hashes, and git-sync flags that must never reach the container, even through its handle.
 */
import * as kplus from 'cdk8s-plus-28';
import { ConfigSource, GitAuth, withConfigSync } from '../../lib';
import { find, newApp, synth, synthFails } from '../util/synth';
import { APP } from '../workloads';

const PREFIX = 'Deployment "test/web", withConfigSync: ';

function web() {
  const { app, chart } = newApp();
  return { app, chart, web: new kplus.Deployment(chart, 'web', { containers: [APP] }) };
}

function gitFails(repo: string, ref?: string, ssh = false): string {
  const { chart, web: d } = web();
  const key = kplus.Secret.fromSecretName(chart, 'key', 'deploy-key');
  const auth = ssh ? GitAuth.ssh({ privateKey: { secret: key, key: 'ssh' }, knownHosts: { secret: key, key: 'known_hosts' } }) : undefined;
  try {
    withConfigSync(d, { source: ConfigSource.git({ repo, ref, auth }), mountPath: '/etc/app' });
  } catch (e) {
    expect(d.initContainers).toHaveLength(0);
    return (e as Error).message;
  }
  throw new Error('expected the call to be refused');
}

describe('git sources refused at the call', () => {
  test.each([
    ['an https host starts with "-"', 'https://-oProxyCommand=evil/x.git', `${PREFIX}repo "https://-oProxyCommand=evil/x.git" has the host "-oProxyCommand=evil", which starts with "-" and would be read as an option (CVE-2017-1000117)`],
    ['an ssh host starts with "-"', 'ssh://git@-oProxyCommand=evil/x.git', 'has the host "-oProxyCommand=evil", which starts with "-"'],
    ['an scp-like host starts with "-"', 'git@-evil.example:x.git', `${PREFIX}repo "git@-evil.example:x.git" has a user or host starting with "-", which ssh would read as an option (CVE-2017-1000117)`],
    ['the https host is empty', 'https:///x.git', `${PREFIX}repo "https:///x.git" has no host; expected https://host/path or ssh://user@host/path`],
    ['the host is only a port', 'https://:443/x.git', 'has no host'],
  ])('fails when %s', (_what, repo, message) => {
    expect(gitFails(repo, undefined, repo.startsWith('ssh') || repo.startsWith('git@'))).toContain(message);
  });

  test.each(['fc287bd', 'FC287BDE12', 'a'.repeat(39), 'b'.repeat(41)])('fails when the ref %s is an abbreviated commit hash', (ref) => {
    expect(gitFails('https://git.example/config.git', ref)).toBe(`${PREFIX}ref "${ref}" looks like an abbreviated commit hash, which git-sync cannot fetch `
      + `("couldn't find remote ref"); give the full 40-character hash (git rev-parse ${ref}), or for a branch or tag named like this, `
      + `"refs/heads/${ref}" or "refs/tags/${ref}"`);
  });

  test('fails when the ref holds a control character, shown escaped', () => {
    expect(gitFails('https://git.example/config.git', 'main\n--git=/bin/sh')).toContain(`${PREFIX}ref "main\\n--git=/bin/sh" is not a branch`);
  });

  test.each(['a'.repeat(40), 'c'.repeat(64), 'main', 'v1.2.3', 'refs/heads/fc287bd', 'release-2024'])('accepts the ref %s', (ref) => {
    const { web: d } = web();
    expect(() => withConfigSync(d, { source: ConfigSource.git({ repo: 'https://git.example/config.git', ref }), mountPath: '/etc/app' })).not.toThrow();
  });
});

describe('git-sync containers never carry --git or --password, even edited through the handle', () => {
  const REASON_GIT = 'it names the program git-sync runs as git, a way to run any command in the pod (Checkov CKV_K8S_159); git-sync uses the image\'s own git; remove it';
  test.each([
    ['GITSYNC_GIT is added to the sidecar', (env: kplus.Env) => env.addVariable('GITSYNC_GIT', kplus.EnvValue.fromValue('/bin/sh')),
      `[test/web] container "git-sync" (withConfigSync (git-sync), native sidecar) has the environment variable "GITSYNC_GIT": ${REASON_GIT}`],
    ['the v3 name GIT_SYNC_GIT is added', (env: kplus.Env) => env.addVariable('GIT_SYNC_GIT', kplus.EnvValue.fromValue('/bin/sh')),
      'has the environment variable "GIT_SYNC_GIT"'],
    ['GITSYNC_PASSWORD is added', (env: kplus.Env) => env.addVariable('GITSYNC_PASSWORD', kplus.EnvValue.fromValue('hunter2')),
      'has the environment variable "GITSYNC_PASSWORD": it puts the password in the pod spec, readable by anyone who can read the workload; '
      + 'pass auth: GitAuth.https({ username, password: { secret, key } }), which git-sync reads from a file; remove it'],
  ] as Array<[string, (env: kplus.Env) => void, string]>)('fails when %s', (_what, edit, message) => {
    const { app, web: d } = web();
    const sync = withConfigSync(d, { source: ConfigSource.git({ repo: 'https://git.example/config.git' }), mountPath: '/etc/app' });
    edit(sync.container!.env);
    expect(synthFails(app)).toContain(message);
  });

  test('fails when an envFrom source is added to the git-sync container', () => {
    const { app, chart, web: d } = web();
    const sync = withConfigSync(d, { source: ConfigSource.git({ repo: 'https://git.example/config.git' }), mountPath: '/etc/app' });
    sync.container!.env.copyFrom(kplus.Env.fromConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'settings')));
    expect(synthFails(app)).toContain('container "git-sync" (withConfigSync (git-sync), native sidecar) reads environment variables from a ConfigMap or Secret (envFrom), '
      + 'which could set GITSYNC_GIT, GIT_SYNC_GIT, GITSYNC_PASSWORD, GIT_SYNC_PASSWORD unseen; remove the envFrom source');
  });

  test('fails when the one-time init container of a Job is edited', () => {
    const { app, chart } = newApp();
    const job = new kplus.Job(chart, 'web', { containers: [APP] });
    withConfigSync(job, { source: ConfigSource.git({ repo: 'https://git.example/config.git' }), mountPath: '/etc/app' });
    job.initContainers[0].env.addVariable('GITSYNC_GIT', kplus.EnvValue.fromValue('/bin/sh'));
    expect(synthFails(app)).toContain('init container "git-sync-init" (withConfigSync (git-sync), one-time) has the environment variable "GITSYNC_GIT"');
  });

  test('other variables on the git-sync container are fine', () => {
    const { app, web: d } = web();
    const sync = withConfigSync(d, { source: ConfigSource.git({ repo: 'https://git.example/config.git' }), mountPath: '/etc/app' });
    sync.container!.env.addVariable('GITSYNC_VERBOSE', kplus.EnvValue.fromValue('2'));
    expect(find(synth(app).manifests, 'Deployment').spec.template.spec.initContainers[0].env).toEqual([{ name: 'GITSYNC_VERBOSE', value: '2' }]);
  });
});
