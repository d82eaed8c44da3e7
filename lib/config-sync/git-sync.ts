/**
 * The git-sync renderer: what withConfigSync hands to git-sync v4, as command-line flags.
 *
 * Flags rather than `GITSYNC_*` variables, as upstream recommends: "flags are preferred because a
 * misspelled flag is a fatal error while a misspelled environment variable is silently ignored"
 * (the manual, `git-sync --man`, in kubernetes/git-sync main.go). Every flag used here is in that
 * manual for v4.x; test/config-sync/git-sync.test.ts keeps the documented names in a table.
 *
 * Never rendered: `--git` / `$GITSYNC_GIT` (it names the program git-sync runs; Checkov
 * CKV_K8S_159), `--password` / `$GITSYNC_PASSWORD` (a secret in the pod spec), `--ssh`
 * (deprecated in v4: the transport follows the URL), `--add-user` (writes /etc/passwd, which the
 * read-only root filesystem forbids; the image already has an entry for its own UID 65533).
 *
 * @see https://github.com/kubernetes/git-sync/blob/master/main.go (the `manual` text)
 */
import { Duration } from 'cdk8s';

/** Everything git-sync is told, in git-sync's own terms. */
export interface GitSyncSettings {
  /** `--repo`: the remote repository (https:// or SSH). */
  readonly repo: string;
  /** `--ref`: branch, tag or commit hash. Omitted: git-sync's default, `HEAD` of the default branch. */
  readonly ref?: string;
  /** `--root`: the working directory, the shared volume as the sync container mounts it. */
  readonly root: string;
  /** `--link`: the symlink under `--root` that consumers read through. */
  readonly link: string;
  /** `--period`: time between syncs. Omitted: git-sync's default, 10s. */
  readonly period?: Duration;
  /** `--depth`: commits of history. Omitted: git-sync's default, 1. `0` means the whole history. */
  readonly depth?: number;
  /** `--one-time`: exit after the first successful sync (the init container). */
  readonly oneTime: boolean;
  /** `--http-bind`: the address of the `/` health endpoint, for example `:9487`. */
  readonly httpBind?: string;
  /** `--username`, with `--password-file`: HTTPS basic authentication. */
  readonly username?: string;
  /** `--password-file`: the file holding the password or token. */
  readonly passwordFile?: string;
  /** `--ssh-key-file`: the SSH private key file. */
  readonly sshKeyFile?: string;
  /** `--ssh-known-hosts-file`: the known_hosts file (verification is on: `--ssh-known-hosts=true`). */
  readonly sshKnownHostsFile?: string;
  /** `--webhook-url`, `--webhook-method=POST`, `--webhook-success-status`. */
  readonly webhook?: { readonly url: string; readonly successStatus: number };
  /** `--exechook-command`: a program (no arguments) run after each sync. */
  readonly exechookCommand?: string;
}

/** The flags for git-sync, in a fixed order so the output is deterministic. */
export function gitSyncArgs(settings: GitSyncSettings): string[] {
  const args = [`--repo=${settings.repo}`];
  if (settings.ref !== undefined) args.push(`--ref=${settings.ref}`);
  args.push(`--root=${settings.root}`, `--link=${settings.link}`);
  if (settings.depth !== undefined) args.push(`--depth=${settings.depth}`);
  if (settings.oneTime) {
    args.push('--one-time');
  } else if (settings.period !== undefined) {
    args.push(`--period=${goDuration(settings.period)}`);
  }
  if (settings.httpBind !== undefined) args.push(`--http-bind=${settings.httpBind}`);
  if (settings.username !== undefined) args.push(`--username=${settings.username}`);
  if (settings.passwordFile !== undefined) args.push(`--password-file=${settings.passwordFile}`);
  if (settings.sshKeyFile !== undefined) args.push(`--ssh-key-file=${settings.sshKeyFile}`);
  if (settings.sshKnownHostsFile !== undefined) {
    args.push('--ssh-known-hosts=true', `--ssh-known-hosts-file=${settings.sshKnownHostsFile}`);
  }
  if (settings.webhook) {
    args.push(`--webhook-url=${settings.webhook.url}`, '--webhook-method=POST',
      `--webhook-success-status=${settings.webhook.successStatus}`);
  }
  if (settings.exechookCommand !== undefined) args.push(`--exechook-command=${settings.exechookCommand}`);
  return args;
}

/**
 * A duration as Go's `time.ParseDuration` reads it: whole seconds as `30s`, otherwise
 * milliseconds (`1500ms`).
 */
export function goDuration(duration: Duration): string {
  const millis = duration.toMilliseconds();
  return millis % 1000 === 0 ? `${millis / 1000}s` : `${millis}ms`;
}
