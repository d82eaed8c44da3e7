/**
 * Call-time checks of withConfigSync: input that is wrong by itself is refused before the pod is
 * touched, with the value received, what was expected and the fix. Each check takes `fail`,
 * which throws with the workload's label in front.
 */
import { Duration } from 'cdk8s';
import { GitSyncSettings } from './git-sync';
import { K8sSidecarResource } from './k8s-sidecar';
import type { Fail, GitSourceOptions, HttpsGitAuthOptions, LabelledSourceOptions, SshGitAuthOptions } from './options';
import { UpstreamImage } from '../engine/images';
import { kplus } from '../engine/kplus';
import { ContainerFacts, PodFacts } from '../engine/pod-facts';
import { ForbiddenSetting } from '../engine/program';
import { CheckedSignalReload, checkSignalReload as checkSharedSignalReload, ReloadSignal, SignalReloadOptions } from '../engine/reload';
import { quote } from '../engine/validation/syntax';

const GIT_REASON = 'it names the program git-sync runs as git, a way to run any command in the pod (Checkov CKV_K8S_159); '
  + 'git-sync uses the image\'s own git';
const PASSWORD_REASON = 'it puts the password in the pod spec, readable by anyone who can read the workload; '
  + 'pass auth: GitAuth.https({ username, password: { secret, key } }), which git-sync reads from a file';

/** Where git-sync's Secret volumes are mounted: git-sync's own default directory. */
export const GIT_SECRET_DIR = '/etc/git-secret';

/**
 * What a git-sync container must never be given, by flag or environment variable (v4's
 * `GITSYNC_*` and the v3 `GIT_SYNC_*` names it still reads), checked at synth even after the
 * user edits the container through the returned handle (lib/engine/validation/forbidden.ts).
 */
export const GIT_SYNC_FORBIDDEN: readonly ForbiddenSetting[] = [
  ...['GITSYNC_GIT', 'GIT_SYNC_GIT'].map((env) => ({ env, reason: GIT_REASON })),
  { flag: '--git', reason: GIT_REASON },
  ...['GITSYNC_PASSWORD', 'GIT_SYNC_PASSWORD'].map((env) => ({ env, reason: PASSWORD_REASON })),
  { flag: '--password', reason: PASSWORD_REASON },
];

export function resolveTargets(fail: Fail, pod: PodFacts, names: string[] | undefined): ContainerFacts[] {
  const apps = pod.appContainers();
  if (names === undefined) {
    if (apps.length === 0) fail('the pod has no app container yet; add the app containers before attaching the sync');
    return apps;
  }
  if (names.length === 0) fail('containers is empty; name at least one app container that reads the folder');
  return names.map((n) => {
    const found = apps.find((c) => c.name === n);
    if (!found) {
      const sidecar = pod.containerNamed(n);
      fail(sidecar
        ? `containers: ${quote(n)} is not an app container (it is an init container or a sidecar); name app containers only`
        : `containers: no app container named ${quote(n)} (the pod has ${apps.map((c) => `${quote(c.name)}`).join(', ') || 'none'}); add it before attaching the sync`);
    }
    return found!;
  });
}

export interface CheckedAuth {
  readonly transport: 'https' | 'ssh';
  readonly files: Array<{ value: kplus.SecretValue; file: string; flag: 'passwordFile' | 'sshKeyFile' | 'sshKnownHostsFile' }>;
  readonly username?: string;
}

export interface CheckedGit {
  readonly repo: string;
  readonly ref?: string;
  readonly period?: Duration;
  readonly depth?: number;
  readonly link: string;
  readonly auth?: CheckedAuth;
  /** The git-sync flags that name files, and the username. */
  readonly files: Pick<GitSyncSettings, 'username' | 'passwordFile' | 'sshKeyFile' | 'sshKnownHostsFile'>;
}

/** https://, ssh:// or scp-like `user@host:path`. */
export function repoTransport(repo: string): 'https' | 'ssh' | string {
  // eslint-disable-next-line no-control-regex
  if (repo.trim() === '' || /[\s\x00-\x1f\x7f]/.test(repo)) return 'must not be empty or hold spaces or control characters';
  if (repo.startsWith('-')) return 'must not start with "-"';
  const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(repo);
  if (scp && !repo.includes('://')) {
    // git hands the host to ssh as an argument: a host or user starting with "-" is read as an
    // ssh option (CVE-2017-1000117, `-oProxyCommand=…`).
    if (scp[1].startsWith('-') || scp[2].startsWith('-')) return 'has a user or host starting with "-", which ssh would read as an option (CVE-2017-1000117)';
    return 'ssh';
  }
  // The authority as written: the URL parser turns "https:///x" into host "x", and would hide
  // a host starting with "-".
  const authority = /^(?:https|ssh):\/\/([^/?#]*)/i.exec(repo)?.[1];
  if (authority !== undefined) {
    const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
    if (host === '') return 'has no host; expected https://host/path or ssh://user@host/path';
    if (host.startsWith('-')) return `has the host ${quote(host)}, which starts with "-" and would be read as an option (CVE-2017-1000117)`;
  }
  let url: URL;
  try {
    url = new URL(repo);
  } catch {
    return 'is not a URL; expected https://host/path, ssh://user@host/path or user@host:path';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'ssh:') {
    return `uses ${url.protocol.replace(/:$/, '')}://; expected https:// or ssh (ssh://user@host/path or user@host:path): `
      + 'other transports are unauthenticated or unencrypted';
  }
  if (url.hostname === '') return 'has no host';
  if (url.password !== '' || (url.protocol === 'https:' && url.username !== '')) {
    return 'holds credentials; a credential in the URL lands in the pod spec: remove it and pass auth: GitAuth.https({ username, password: { secret, key } })';
  }
  return url.protocol === 'https:' ? 'https' : 'ssh';
}

export function checkGitSource(fail: Fail, options: GitSourceOptions): CheckedGit {
  if (typeof options !== 'object' || options === null) fail('ConfigSource.git needs options: { repo, ref?, period?, depth?, auth?, link? }');
  if (typeof options.repo !== 'string') fail('ConfigSource.git: repo is missing; give https://… or an SSH address');
  const transport = repoTransport(options.repo);
  if (transport !== 'https' && transport !== 'ssh') fail(`repo ${quote(options.repo)} ${transport}`);

  if (options.ref !== undefined && refProblem(options.ref)) {
    fail(`ref ${quote(options.ref)} is not a branch, tag or commit name git accepts (see git check-ref-format)`);
  }
  if (options.ref !== undefined && /^[0-9a-fA-F]{7,63}$/.test(options.ref) && options.ref.length !== 40) {
    // git-sync fetches a hash by its full name: v4.7.1 answers an abbreviated one with
    // "couldn't find remote ref" and exits.
    fail(`ref ${quote(options.ref)} looks like an abbreviated commit hash, which git-sync cannot fetch ("couldn't find remote ref"); `
      + `give the full 40-character hash (git rev-parse ${options.ref}), or for a branch or tag named like this, `
      + `"refs/heads/${options.ref}" or "refs/tags/${options.ref}"`);
  }
  if (options.depth !== undefined && (!Number.isInteger(options.depth) || options.depth < 0)) {
    fail(`depth ${options.depth} must be an integer of 0 or more (0 fetches the whole history)`);
  }
  if (options.period !== undefined) {
    if (!(options.period instanceof Duration)) fail('period must be a cdk8s Duration, for example Duration.seconds(30)');
    if (options.period.toMilliseconds() < 10) fail(`period ${options.period.toMilliseconds()}ms is below git-sync's minimum of 10ms`);
  }
  const link = options.link ?? 'current';
  if (typeof link !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/.test(link)) {
    fail(`link ${quote(link)} must be a plain file name (letters, digits, ".", "_", "-", not starting with "."), for example "current"`);
  }

  let auth: CheckedAuth | undefined;
  let files: CheckedGit['files'] = {};
  if (options.auth !== undefined) {
    const given = options.auth as { transport?: unknown; options?: unknown };
    if (typeof given !== 'object' || given === null || (given.transport !== 'https' && given.transport !== 'ssh')) {
      fail('auth must be GitAuth.https({ username, password }) or GitAuth.ssh({ privateKey, knownHosts })');
    }
    auth = checkAuth(fail, options.auth as GitAuthLike);
    if (auth.transport !== transport) {
      fail(`repo ${quote(options.repo)} is reached over ${transport.toUpperCase()}, but auth is GitAuth.${auth.transport}; `
        + (transport === 'ssh' ? 'use GitAuth.ssh({ privateKey, knownHosts })' : 'use GitAuth.https({ username, password })'));
    }
    const path = (flag: CheckedAuth['files'][number]['flag']) => {
      const f = auth!.files.find((x) => x.flag === flag);
      return f ? `${GIT_SECRET_DIR}/${f.value.secret.name}/${f.file}` : undefined;
    };
    files = {
      username: auth.username,
      passwordFile: path('passwordFile'),
      sshKeyFile: path('sshKeyFile'),
      sshKnownHostsFile: path('sshKnownHostsFile'),
    };
  } else if (transport === 'ssh') {
    fail(`repo ${quote(options.repo)} is an SSH address, which needs a key and known hosts; pass auth: GitAuth.ssh({ privateKey, knownHosts }) `
      + 'with both from a Secret, or use the https:// address of a public repository');
  }
  return { repo: options.repo, ref: options.ref, period: options.period, depth: options.depth, link, auth, files };
}

/** What `GitAuth` holds. */
export interface GitAuthLike {
  readonly transport: 'https' | 'ssh';
  readonly options: HttpsGitAuthOptions | SshGitAuthOptions;
}

/**
 * A branch, tag or commit name, by the rules of `git check-ref-format --allow-onelevel` (a
 * commit hash and `HEAD` follow them too), and not starting with "-". The ref reaches git-sync as
 * one argument (`--ref=<ref>`), and git as one argument of `git fetch`.
 * @see https://git-scm.com/docs/git-check-ref-format
 */
export function refProblem(ref: unknown): boolean {
  if (typeof ref !== 'string' || ref === '' || ref === '@' || ref.startsWith('-')) return true;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{') || ref.includes('//')) return true;
  if (ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.')) return true;
  return ref.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
}

/** Credentials: each a `kplus.SecretValue`, never a plain string. */
export function checkAuth(fail: Fail, auth: GitAuthLike): CheckedAuth {
  const options = auth.options as Partial<HttpsGitAuthOptions & SshGitAuthOptions>;
  const secretValue = (label: string, value: unknown): kplus.SecretValue => {
    const problem = secretValueProblem(value);
    if (problem) fail(`GitAuth.${auth.transport}: ${label} ${problem}`);
    return value as kplus.SecretValue;
  };
  if (auth.transport === 'https') {
    const username = options.username;
    // eslint-disable-next-line no-control-regex
    if (typeof username !== 'string' || username === '' || /[\s:\x00-\x1f\x7f]/.test(username)) {
      fail(`GitAuth.https: username ${quote(username)} must be a non-empty name without spaces or ":" (any name works with a token, for example "git")`);
    }
    const password = secretValue('password', options.password);
    return { transport: 'https', username, files: [{ value: password, file: 'password', flag: 'passwordFile' }] };
  }
  const key = secretValue('privateKey', options.privateKey);
  const knownHosts = secretValue('knownHosts', options.knownHosts);
  if (key.secret.name === knownHosts.secret.name && key.key === knownHosts.key) {
    fail(`GitAuth.ssh: privateKey and knownHosts are both key ${quote(key.key)} of Secret ${quote(key.secret.name)}; they are two different files`);
  }
  return {
    transport: 'ssh',
    files: [
      { value: key, file: 'ssh', flag: 'sshKeyFile' },
      { value: knownHosts, file: 'known_hosts', flag: 'sshKnownHostsFile' },
    ],
  };
}

/** A `kplus.SecretValue` ({ secret, key }), or why not. Plain strings are refused: they would land in the pod spec. */
export function secretValueProblem(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return 'is a plain string; a credential in the manifest is readable by anyone who can read the workload: '
      + 'put it in a Secret and pass { secret, key } (a kplus.SecretValue)';
  }
  const candidate = value as { secret?: { name?: unknown }; key?: unknown } | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.secret !== 'object' || candidate.secret === null
    || typeof candidate.secret.name !== 'string' || typeof candidate.key !== 'string') {
    return 'must be a kplus.SecretValue: { secret: kplus.Secret or kplus.Secret.fromSecretName(…), key: "…" }';
  }
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(candidate.key)) {
    return `key ${quote(candidate.key)} is not a Secret data key (letters, digits, "-", "_", ".")`;
  }
  return undefined;
}

export interface CheckedLabelled {
  readonly label: string;
  readonly labelValue?: string;
  readonly resource: K8sSidecarResource;
  readonly uniqueFilenames?: boolean;
  readonly fileMode?: number;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkLabelledSource(fail: Fail, resource: K8sSidecarResource, options: LabelledSourceOptions): CheckedLabelled {
  const factory = { configmap: 'configMaps', secret: 'secrets', both: 'configMapsAndSecrets' }[resource];
  if (typeof options !== 'object' || options === null) fail(`ConfigSource.${factory} needs options: { label, labelValue? }`);
  const label = options.label;
  const parts = typeof label === 'string' ? label.split('/') : [];
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (typeof label !== 'string' || parts.length > 2 || !name || !LABEL_NAME.test(name)
    || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
    fail(`ConfigSource.${factory}: label ${quote(label)} is not a label key ([prefix/]name, the name at most 63 letters, digits, "-", "_", ".")`);
  }
  if (options.labelValue !== undefined && (typeof options.labelValue !== 'string'
    || (options.labelValue !== '' && !LABEL_NAME.test(options.labelValue)))) {
    fail(`ConfigSource.${factory}: labelValue ${quote(options.labelValue)} is not a label value (at most 63 letters, digits, "-", "_", ".")`);
  }
  const fileMode = options.fileMode ?? (resource === 'configmap' ? undefined : 0o640);
  if (fileMode !== undefined) {
    if (!Number.isInteger(fileMode) || fileMode < 0 || fileMode > 0o777) {
      fail(`ConfigSource.${factory}: fileMode ${fileMode} must be a file mode from 0o000 to 0o777, for example 0o640`);
    }
    // The three octal digits: owner, group, other; read is 4, write 2.
    const [owner, groupDigit, other] = [Math.floor(fileMode / 0o100) % 8, Math.floor(fileMode / 0o10) % 8, fileMode % 8];
    if (owner < 6) {
      fail(`ConfigSource.${factory}: fileMode 0o${fileMode.toString(8)} must let the owner read and write (0o600): k8s-sidecar rewrites its own files`);
    }
    if (groupDigit < 4 && other < 4) {
      fail(`ConfigSource.${factory}: fileMode 0o${fileMode.toString(8)} lets only the sidecar read the files; add group read (0o040, the pod's fsGroup) so the app can read them`);
    }
  }
  return { label, labelValue: options.labelValue, resource, uniqueFilenames: options.uniqueFilenames, fileMode };
}

/**
 * `ConfigReload.signal` for a sync: the shared checks (engine/reload.ts), then what only a sync
 * must refuse.
 */
export function checkSignalReload(
  fail: Fail,
  pod: PodFacts,
  targets: ContainerFacts[],
  signal: ReloadSignal,
  options: SignalReloadOptions,
  context: { engine: string; sshAuth: boolean; image: UpstreamImage; labelled?: CheckedLabelled },
): CheckedSignalReload {
  const checked = checkSharedSignalReload(fail, pod, targets, signal, options, { who: 'sync', imageGroup: context.image.group });
  if (context.sshAuth && checked.user !== context.image.user) {
    fail(`ConfigReload.signal: git over SSH needs an /etc/passwd entry for git-sync's UID, and the image only has one for ${context.image.user}; `
      + `running as the app's UID ${checked.user} would need --add-user, which writes /etc/passwd on the read-only root filesystem: `
      + 'use ConfigReload.httpPost, or an https:// repository with GitAuth.https');
  }
  if (context.labelled && context.labelled.resource !== 'configmap') {
    fail('ConfigReload.signal with Secrets: the sync container would run as the app\'s UID in a shared process namespace, so the app '
      + 'could read its service-account token (/proc/<pid>/root) and with it every Secret of the namespace; use ConfigReload.httpPost');
  }
  return checked;
}
