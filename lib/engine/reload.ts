/**
 * How an app is told that the files a helper keeps for it changed: the public `ConfigReload`
 * (shared by withConfigSync and withSecretsAgent) and the call-time checks of its options.
 */
import { checkFactoryOptions } from './input';
import { kplus } from './kplus';
import { keyedByValue } from './options-key';
import { ContainerFacts, Fail, PodFacts } from './pod-facts';
import { PROCESS_NAME } from './signal-script';
import { portNumberProblem, quote } from './validation/syntax';


/** Options of `ConfigReload.httpPost`. */
export interface HttpPostReloadOptions {
  /**
   * The app's container port (declared by an app container), reached on 127.0.0.1 from inside
   * the pod. Never a Service port.
   */
  readonly port: number;

  /** The path, for example `/-/reload`. */
  readonly path: string;

  /**
   * The status git-sync waits for; it retries the request until it gets it
   * (`--webhook-success-status`). `0` accepts any answer. k8s-sidecar and Vault Agent
   * (withSecretsAgent) do not check it.
   * @default 200
   */
  readonly successStatus?: number;
}

/** Signals an app may reload on. */
export type ReloadSignal = 'SIGHUP' | 'SIGUSR1' | 'SIGUSR2';

/** Options of `ConfigReload.signal`. */
export interface SignalReloadOptions {
  /**
   * The app's process name as `/proc/<pid>/comm` shows it (at most 15 characters), for example
   * `nginx`. The script signals each process of that name whose parent has another name (the
   * master, not the workers).
   * @default - the file name of the first app container's `command[0]`
   */
  readonly process?: string;

  /**
   * The acknowledgement that the pod gets `shareProcessNamespace: true`: every container then
   * sees every other container's processes, their command lines, and (for processes of the
   * same UID) their environment and files through /proc/<pid>/root. The helper's container (the
   * sync, the Vault Agent) runs as the app's UID to be allowed to signal it, so the app can read
   * that container's credentials (git credentials, the Vault token).
   */
  readonly shareProcessNamespace: true;
}

/** @internal */
export interface HttpPostSpec {
  readonly kind: 'http';
  readonly options: HttpPostReloadOptions;
}

/** @internal */
export interface SignalSpec {
  readonly kind: 'signal';
  readonly signal: ReloadSignal;
  readonly options: SignalReloadOptions;
}

/**
 * How the app learns that the files a helper keeps for it changed (withConfigSync,
 * withSecretsAgent).
 *
 * @example
 * ConfigReload.httpPost({ port: 9090, path: '/-/reload' })
 * ConfigReload.signal('SIGHUP', { process: 'nginx', shareProcessNamespace: true })
 */
export class ConfigReload {
  /**
   * An HTTP POST to the app on `http://127.0.0.1:<port><path>` after each change: git-sync's
   * `--webhook-url`, k8s-sidecar's `REQ_URL` with `REQ_METHOD=POST`, Vault Agent's template
   * `exec` running busybox `wget --post-data`.
   */
  public static httpPost(options: HttpPostReloadOptions): ConfigReload {
    checkFactoryOptions('ConfigReload.httpPost', 'HttpPostReloadOptions', options);
    return new ConfigReload({ kind: 'http', options });
  }

  /**
   * A signal to the app's process after each change, sent by a small script from the helper's
   * container. Needs `shareProcessNamespace: true` on the pod (an explicit opt-in, see
   * `SignalReloadOptions.shareProcessNamespace`), and that container runs as the app's UID.
   */
  public static signal(signal: ReloadSignal, options: SignalReloadOptions): ConfigReload {
    checkFactoryOptions('ConfigReload.signal', 'SignalReloadOptions', options);
    return new ConfigReload({ kind: 'signal', signal, options });
  }

  private constructor(private readonly spec: HttpPostSpec | SignalSpec) {}

  /** @internal */
  public get _spec(): HttpPostSpec | SignalSpec {
    return this.spec;
  }
}


/**
 * Reads the spec of a `ConfigReload`, refusing anything else.
 * @internal
 */
export function reloadSpec(fail: Fail, reload: unknown): HttpPostSpec | SignalSpec {
  if (!(reload instanceof ConfigReload)) fail('reload must be a ConfigReload (ConfigReload.httpPost or ConfigReload.signal)');
  return (reload as ConfigReload)._spec;
}

/** Signals an app may reload on. */
export const SIGNALS: readonly ReloadSignal[] = ['SIGHUP', 'SIGUSR1', 'SIGUSR2'];

/** `ConfigReload.httpPost` checked: a TCP port an app container declares, a URL path, a status. */
export function checkHttpReload(fail: Fail, pod: PodFacts, options: HttpPostReloadOptions) {
  if (typeof options !== 'object' || options === null) fail('ConfigReload.httpPost needs { port, path }');
  const problem = portNumberProblem(options.port);
  if (problem) fail(`reload port ${quote(options.port)} ${problem}`);
  const apps = pod.appContainers();
  if (!apps.some((c) => c.ports.some((p) => p.number === options.port && (p.protocol ?? kplus.Protocol.TCP) === kplus.Protocol.TCP))) {
    const declared = apps.flatMap((c) => c.ports.map((p) => `${p.number} (${quote(c.name)})`));
    fail(`reload port ${options.port} is not a TCP port an app container declares (${declared.length ? `they declare ${declared.join(', ')}` : 'they declare none'}); `
      + 'pass the app\'s containerPort: the request goes to 127.0.0.1 inside the pod, never to a Service port');
  }
  // RFC 3986: a path of pchar and "/", and an optional query; no spaces, quotes or fragment.
  if (typeof options.path !== 'string' || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(options.path)) {
    fail(`reload path ${quote(options.path)} must start with "/" and hold only URL path characters (no spaces, quotes or "#"), for example "/-/reload"`);
  }
  const successStatus = options.successStatus ?? 200;
  if (!Number.isInteger(successStatus) || (successStatus !== 0 && (successStatus < 100 || successStatus > 599))) {
    fail(`reload successStatus ${successStatus} must be an HTTP status (100-599), or 0 to accept any answer`);
  }
  return { port: options.port, path: options.path, successStatus };
}


/** `ConfigReload.signal` checked against the app containers it signals. */
export interface CheckedSignalReload {
  readonly signal: ReloadSignal;
  /** The process name, as /proc/<pid>/comm shows it. */
  readonly process: string;
  /** The app's UID, which the helper's container must run as to signal it. */
  readonly user: number;
  /** The group the helper's container runs as: the app container's, the pod's, or the image's. */
  readonly group: number;
}

/**
 * `ConfigReload.signal` checked: a signal an app reloads on, the explicit opt-in to a shared
 * process namespace, a process name, and one non-root UID for the app containers (a process may
 * signal only processes of its own UID: there is no CAP_KILL in the restricted profile).
 * `who` names the helper's container in messages (`sync`, `agent`).
 */
export function checkSignalReload(
  fail: Fail,
  pod: PodFacts,
  targets: ContainerFacts[],
  signal: ReloadSignal,
  options: SignalReloadOptions,
  context: { readonly who: string; readonly imageGroup: number },
): CheckedSignalReload {
  const { who } = context;
  if (!SIGNALS.includes(signal)) {
    fail(`reload signal ${quote(signal)} is not one an app reloads on; use ${SIGNALS.join(', ')}`);
  }
  if (typeof options !== 'object' || options === null || options.shareProcessNamespace !== true) {
    fail('ConfigReload.signal needs shareProcessNamespace: true, an explicit opt-in: the pod then shares one process namespace, '
      + `so every container sees the others' processes and command lines, and the ${who} container runs as the app's UID; `
      + 'or use ConfigReload.httpPost if the app has a reload endpoint');
  }
  let processName = options.process;
  if (processName === undefined) {
    const command = targets[0].command?.[0];
    if (!command) {
      fail(`ConfigReload.signal: container ${quote(targets[0].name)} has no command to take the process name from; pass process, `
        + 'the name /proc/<pid>/comm shows for the app (for example "nginx")');
    }
    processName = command!.split('/').pop()!.slice(0, 15);
  }
  if (typeof processName !== 'string' || !PROCESS_NAME.test(processName)) {
    fail(`ConfigReload.signal: process ${quote(processName)} must be 1 to 15 letters, digits, ".", "_", "+" or "-" (the kernel keeps `
      + '15 characters of a process name in /proc/<pid>/comm)');
  }
  const users = new Set(targets.map((t) => t.securityContext.user ?? pod.securityContext.user));
  if (users.size > 1) {
    fail(`ConfigReload.signal: the app containers run as different UIDs (${[...users].join(', ')}); the ${who} must run as the UID `
      + 'of the process it signals: pass containers with the one app container to signal');
  }
  const user = [...users][0];
  if (user === undefined) {
    fail(`ConfigReload.signal: the UID of container ${quote(targets[0].name)} is not set; a process may only signal processes of its own UID, `
      + `so the ${who} runs as the app's UID: set securityContext.user on the app container (or the pod)`);
  }
  if (user === 0) fail(`ConfigReload.signal: the app runs as root (UID 0), and the ${who} container may not; run the app as a non-root UID`);
  const group = targets[0].securityContext.group ?? pod.securityContext.group ?? context.imageGroup;
  return { signal, process: processName!, user: user!, group };
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(ConfigReload);
