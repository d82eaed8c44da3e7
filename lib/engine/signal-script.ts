/**
 * The signal renderer: a POSIX shell script that sends a signal to the app's main process.
 *
 * Shared by the helpers that reload an app by signal (withConfigSync, withSecretsAgent). It runs
 * inside the helper's container (git-sync, k8s-sidecar, Vault Agent), as the app's UID, in a pod with `shareProcessNamespace:
 * true` (so the app's processes are in /proc): git-sync runs it as `--exechook-command` (the
 * git-sync image has bash as /bin/sh, see kubernetes/git-sync Dockerfile.in), k8s-sidecar as
 * `SCRIPT` (run with `sh`, busybox ash in its alpine image, see kiwigrid/k8s-sidecar
 * helpers.py `execute`), Vault Agent as a template's `exec` command (`/bin/sh`, busybox ash in the
 * alpine-based hashicorp/vault image). The git-sync image has no `pkill` or `kill` binary (it stages bash,
 * coreutils, git, openssh-client, socat, grep and sed), so the script walks /proc itself with the
 * shell's built-ins `read` and `kill`, which both shells have.
 *
 * It signals the processes whose name (`/proc/<pid>/comm`, at most 15 characters) is the given
 * one and whose parent has another name, i.e. nginx's master and not its workers; zombies are
 * skipped (`/proc/<pid>/stat` gives the state and the parent after the parenthesized name). When
 * none runs (the first sync happens before the app starts), it does nothing and succeeds: git-sync
 * retries a failing hook forever.
 */
import { quote } from './validation/syntax';

/** What the script does. */
export interface SignalScriptSettings {
  /** The signal name without `SIG`, as `kill -s` takes it: `HUP`, `USR1`, `USR2`. */
  readonly signal: string;
  /** The process name as /proc/<pid>/comm shows it. */
  readonly process: string;
  /**
   * The helper that wrote the script, in its comment and its log line.
   * @default 'withConfigSync'
   */
  readonly writer?: string;
}

/** Characters allowed in a process name: the script quotes it, and refuses anything else. */
export const PROCESS_NAME = /^[A-Za-z0-9._+-]{1,15}$/;

const SIGNAL_NAME = /^[A-Z0-9]{1,8}$/;

/** The script text. Throws on a name outside `PROCESS_NAME` (callers check first). */
export function signalScript(settings: SignalScriptSettings): string {
  if (!PROCESS_NAME.test(settings.process) || !SIGNAL_NAME.test(settings.signal)) {
    throw new Error(`signal script: refusing process ${quote(settings.process)} / signal ${quote(settings.signal)}`);
  }
  const writer = settings.writer ?? 'withConfigSync';
  if (!/^[A-Za-z]+$/.test(writer)) throw new Error(`signal script: refusing writer ${quote(writer)}`);
  const tag = writer === 'withConfigSync' ? 'config-sync' : writer;
  return [
    '#!/bin/sh',
    `# Written by cdk8s-sidecars ${writer}: reload the app after ${writer === 'withConfigSync' ? 'the configuration' : 'its files'} changed.`,
    `# Sends SIG${settings.signal} to each process named "${settings.process}" whose parent has another name.`,
    `name='${settings.process}'`,
    '# First find them all, then signal: a process that exits on the signal must not turn its',
    '# children (reparented) into targets.',
    'targets=',
    'for dir in /proc/[0-9]*; do',
    '  comm=',
    '  read -r comm < "$dir/comm" 2>/dev/null || continue',
    '  [ "$comm" = "$name" ] || continue',
    '  stat=',
    '  read -r stat < "$dir/stat" 2>/dev/null || continue',
    '  set -- ${stat##*) }',
    '  [ "$1" = Z ] && continue',
    '  parent=',
    '  read -r parent < "/proc/$2/comm" 2>/dev/null',
    '  [ "$parent" = "$name" ] && continue',
    '  targets="$targets ${dir#/proc/}"',
    'done',
    'sent=0',
    'for pid in $targets; do',
    `  if kill -s ${settings.signal} "$pid" 2>/dev/null; then sent=$((sent + 1)); fi`,
    'done',
    `echo "${tag}: sent SIG${settings.signal} to $sent process(es) named $name"`,
    'exit 0',
    '',
  ].join('\n');
}
