/**
 * withSecretsAgent's plan: the options and the facts of the pod in, the Vault Agent program out
 * (the long-running agent and/or the one-time init container, the projected token, the CA, the
 * in-memory folder and the reload), with no construct made. Pure: the construct (index.ts) hands
 * the program to the engine's attach.
 */
import { Duration, Size } from 'cdk8s';
import {
  checkAddress, checkCa, checkFilePath, checkPerms, checkSeconds, checkTemplate, checkVaultPath, Fail, fileReload, refuseToken,
} from './checks';
import { DEFAULT_SECRETS_FOLDER, SecretsAgentOptions } from './options';
import { renderVaultAgent, VaultAgentModel, VaultAgentTemplate } from './vault-agent';
import { renderConfigFile } from '../engine/config-file';
import { imageReference, VAULT_IMAGE } from '../engine/images';
import { kplus } from '../engine/kplus';
import { ContainerFacts, PodFacts } from '../engine/pod-facts';
import { Program, ProgramContainer, ProgramVolume } from '../engine/program';
import { checkHttpReload, checkSignalReload, CheckedSignalReload, HttpPostSpec, reloadSpec } from '../engine/reload';
import { SidecarMode } from '../engine/sidecar-mode';
import { signalScript } from '../engine/signal-script';
import { dnsLabelProblem, mountPathProblem, normalizePath, portNumberProblem, quote } from '../engine/validation/syntax';

/** Where the agent's files live in its containers. */
export const AGENT_PATHS = {
  /** The ConfigMap: agent.json, agent-init.json, reload.sh. */
  config: '/vault/config',
  /** The projected service-account token, `token`. */
  token: '/var/run/secrets/vault',
  /** The CA certificate, `ca.crt`. */
  tls: '/vault/tls',
  /** The in-memory folder the agent renders into (the app mounts it at `folder`). */
  secrets: '/vault/secrets',
} as const;

const SIDECAR_CONFIG = 'agent.json';
const INIT_CONFIG = 'agent-init.json';
const RELOAD_SCRIPT = 'reload.sh';
/** The cache listener's port when none is asked for (Vault's own port, as the injector uses). */
export const DEFAULT_CACHE_PORT = 8200;

/**
 * Resources: the injector's memory defaults (hashicorp/vault-k8s agent-inject/agent
 * container_sidecar.go: requests 64Mi, limits 128Mi); CPU as every sidecar here (50m/500m): the
 * injector's 250m request is sized for many templates, and an agent idles between renders.
 */
export const SECRETS_AGENT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
};

/** The agent's program, and what the construct shows of it. */
export interface SecretsAgentPlan {
  readonly program: Program;
  /** Where the app reads the files. */
  readonly folder: string;
  /** File path (relative) to its path in the app. */
  readonly files: Record<string, string>;
  readonly cachePort?: number;
}

/** Options the agent never takes, said before an unknown option would be (engine/input.ts). */
export const REFUSED_OPTIONS: Record<string, string> = {
  token: 'the agent never takes a Vault token in its options (it would sit in the pod spec or a ConfigMap); '
    + 'it logs in with the pod\'s service-account token through the Kubernetes auth method: give role',
};

/** Checks the options against the pod and works out the agent. Throws on input that is wrong. */
export function planSecretsAgent(pod: PodFacts, props: SecretsAgentOptions, fail: Fail): SecretsAgentPlan {
  if (typeof props !== 'object' || props === null) fail('options are missing: give { address, role, secrets }');

  const name = props.name ?? 'vault-agent';
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) fail(`name ${quote(name)} ${nameProblem}`);

  const { address, tls } = checkAddress(fail, props.address);
  if (typeof props.role !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(props.role)) {
    fail(`role ${quote(props.role)} is not a Vault role name (letters, digits, "_", ".", "@", "-"); give the role of the Kubernetes auth method`);
  }
  refuseToken(fail, 'role', props.role);
  const authPath = checkVaultPath(fail, 'authPath', props.authPath ?? 'auth/kubernetes', 'auth/kubernetes');
  if (!authPath.startsWith('auth/')) {
    fail(`authPath ${quote(props.authPath)} must start with "auth/", as Vault mounts auth methods: ${quote(`auth/${authPath}`)}`);
  }
  const audience = props.audience ?? 'vault';
  if (typeof audience !== 'string' || !/^\S+$/.test(audience)) {
    fail(`audience ${quote(props.audience)} must be a non-empty word without spaces, the audience the Vault role expects (default "vault")`);
  }
  const tokenSeconds = checkSeconds(fail, 'tokenExpiration', props.tokenExpiration ?? Duration.hours(1), 600, 'Duration.hours(1)');
  if (props.namespace !== undefined) checkVaultPath(fail, 'namespace', props.namespace, 'team-a');

  const ca = props.caCertificate === undefined ? undefined : checkCa(fail, props.caCertificate);
  const skipVerify = props.insecureSkipTlsVerify;
  if (skipVerify !== undefined && typeof skipVerify !== 'boolean') fail(`insecureSkipTlsVerify ${quote(skipVerify)} must be true or false`);
  if (skipVerify && ca) fail('insecureSkipTlsVerify: true with caCertificate: the CA would never be checked; remove insecureSkipTlsVerify');
  if (!tls && (ca || skipVerify || props.tlsServerName !== undefined)) {
    const option = ca ? 'caCertificate' : skipVerify ? 'insecureSkipTlsVerify' : 'tlsServerName';
    fail(`${option} with address ${quote(address)}, which is http://: there is no TLS to configure; use an https:// address, or remove ${option}`);
  }
  if (props.tlsServerName !== undefined && (typeof props.tlsServerName !== 'string' || !/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/.test(props.tlsServerName))) {
    fail(`tlsServerName ${quote(props.tlsServerName)} is not a host name, for example "vault.vault.svc"`);
  }

  if (props.folder !== undefined && typeof props.folder !== 'string') fail('folder must be an absolute path, for example "/vault/secrets"');
  const folderProblem = mountPathProblem(props.folder ?? DEFAULT_SECRETS_FOLDER);
  if (folderProblem) fail(`folder ${quote(props.folder)} ${folderProblem}, for example "/vault/secrets"`);
  const folder = normalizePath(props.folder ?? DEFAULT_SECRETS_FOLDER);
  if (folder === '/') fail('folder "/" would hide the app\'s whole filesystem; give a folder, for example "/vault/secrets"');

  const oneTimeOnly = pod.runsToCompletion || props.prePopulateOnly === true;
  const why = pod.runsToCompletion ? `a ${pod.kind} only gets the one-time render, before the app starts` : 'prePopulateOnly renders once, before the app starts';
  const mode = oneTimeOnly ? undefined : props.mode ?? pod.defaultMode;
  const needsInit = oneTimeOnly || mode === SidecarMode.CLASSIC;
  const targets = resolveTargets(fail, pod, props.containers);

  // The reloads: the agent's and each file's.
  if (!Array.isArray(props.secrets) || props.secrets.length === 0) {
    fail('secrets is empty; give at least one file, for example { path: "db.json", template: SecretTemplate.database({ role: "web" }) }');
  }
  const reloads = props.secrets.map((file) => fileReload(fail, file, props.reload));
  if (props.reload !== undefined) reloadSpec(fail, props.reload);
  if (oneTimeOnly && (props.reload !== undefined || reloads.some((r) => r !== undefined))) {
    fail(`${why}, so nothing is ever re-rendered to reload; remove reload`);
  }
  const httpReloads = new Map<HttpPostSpec['options'], ReturnType<typeof checkHttpReload>>();
  let signal: CheckedSignalReload | undefined;
  for (const spec of reloads) {
    if (spec?.kind === 'http' && !httpReloads.has(spec.options)) httpReloads.set(spec.options, checkHttpReload(fail, pod, spec.options));
    if (spec?.kind === 'signal') {
      const checked = checkSignalReload(fail, pod, targets, spec.signal, spec.options, { who: 'agent', imageGroup: VAULT_IMAGE.group });
      if (signal && (signal.process !== checked.process || signal.signal !== checked.signal)) {
        fail(`reload: two signal reloads (${signal.signal} to ${quote(signal.process)}, ${checked.signal} to ${quote(checked.process)}); `
          + 'one agent sends one signal to one process: give the same ConfigReload.signal to every file');
      }
      signal = checked;
    }
  }
  if (signal && props.user !== undefined && props.user !== signal.user) {
    fail(`user ${props.user} with ConfigReload.signal: the agent must run as the app's UID ${signal.user} to signal it; remove user`);
  }
  if (props.user !== undefined && (!Number.isInteger(props.user) || props.user <= 0)) {
    fail(`user ${props.user} must be a non-root UID (a whole number from 1); the restricted profile refuses root`);
  }

  // The files.
  const seen = new Map<string, string>();
  const templates = props.secrets.map((file, i): VaultAgentTemplate => {
    if (typeof file !== 'object' || file === null) fail('secrets: each entry is { path, template, perms?, reload? }');
    const path = checkFilePath(fail, folder, file.path);
    const earlier = seen.get(path);
    if (earlier !== undefined) {
      fail(`secrets: ${quote(file.path)} and ${quote(earlier)} are both the file ${quote(`${folder}/${path}`)}; give each file its own path`);
    }
    for (const other of seen.keys()) {
      const [outer, inner] = other.length < path.length ? [other, path] : [path, other];
      if (inner.startsWith(`${outer}/`)) {
        fail(`secrets: ${quote(outer)} is a file, and ${quote(inner)} needs it to be a folder; give the files paths that do not nest`);
      }
    }
    seen.set(path, file.path);
    const built = checkTemplate(fail, file.path, file.template);
    const perms = checkPerms(fail, file.path, file.perms);
    const reload = reloads[i];
    return {
      destination: `${AGENT_PATHS.secrets}/${path}`,
      contents: built.contents,
      perms: `0${perms.toString(8).padStart(3, '0')}`,
      errorOnMissingKey: built.generated,
      command: reload?.kind === 'http' ? httpReloadCommand(name, httpReloads.get(reload.options)!)
        : reload?.kind === 'signal' ? ['/bin/sh', `${AGENT_PATHS.config}/${RELOAD_SCRIPT}`] : undefined,
    };
  });

  // The cache listener.
  if (props.cache !== undefined && typeof props.cache !== 'boolean') fail(`cache ${quote(props.cache)} must be true or false`);
  if (props.cache && oneTimeOnly) fail(`cache: ${why}, and the cache lives as long as the agent; remove cache, or run the agent beside the app`);
  if (props.cachePort !== undefined && !props.cache) fail('cachePort without cache: true; set cache: true, or remove cachePort');
  if (props.cachePort !== undefined) {
    const problem = portNumberProblem(props.cachePort);
    if (problem) fail(`cachePort ${quote(props.cachePort)} ${problem}`);
  }
  const cachePort = props.cache ? props.cachePort ?? pod.freePort(DEFAULT_CACHE_PORT) : undefined;

  const renderInterval = props.renderInterval === undefined ? undefined
    : checkSeconds(fail, 'renderInterval', props.renderInterval, 1, 'Duration.minutes(5)');
  if (props.sizeLimit !== undefined && !(props.sizeLimit.toMebibytes() > 0)) fail('sizeLimit must be positive, for example Size.mebibytes(1)');
  if (props.initFirst !== undefined && typeof props.initFirst !== 'boolean') fail(`initFirst ${quote(props.initFirst)} must be true or false`);

  // The configuration files.
  const model = (exitAfterAuth: boolean): VaultAgentModel => ({
    address,
    namespace: props.namespace,
    caCert: ca ? `${AGENT_PATHS.tls}/ca.crt` : undefined,
    tlsServerName: props.tlsServerName,
    tlsSkipVerify: skipVerify === true ? true : undefined,
    authPath,
    role: props.role,
    tokenPath: `${AGENT_PATHS.token}/token`,
    exitAfterAuth,
    renderInterval,
    cacheAddress: !exitAfterAuth && cachePort !== undefined ? `127.0.0.1:${cachePort}` : undefined,
    // The one-time render tells no one: the app has not started.
    templates: exitAfterAuth ? templates.map(({ command, ...t }) => t) : templates,
  });
  const files: Record<string, string> = {};
  if (needsInit) files[INIT_CONFIG] = renderConfigFile(renderVaultAgent, model(true)).text;
  if (!oneTimeOnly) files[SIDECAR_CONFIG] = renderConfigFile(renderVaultAgent, model(false)).text;
  if (signal) files[RELOAD_SCRIPT] = signalScript({ signal: signal.signal.replace(/^SIG/, ''), process: signal.process, writer: 'withSecretsAgent' });

  const volumes: ProgramVolume[] = [{
    suffix: 'token',
    path: AGENT_PATHS.token,
    source: {
      kind: 'raw',
      source: {
        projected: {
          // Read through the pod's fsGroup (set below), by the agent only: the app does not mount it.
          defaultMode: 0o440,
          sources: [{ serviceAccountToken: { path: 'token', audience, expirationSeconds: tokenSeconds } }],
        },
      },
    },
  }];
  if (ca) {
    const items = { [ca.key]: { path: 'ca.crt' } };
    volumes.push({
      suffix: 'tls',
      path: AGENT_PATHS.tls,
      source: ca.kind === 'configMap'
        ? { kind: 'configMap', configMap: ca.configMap, items }
        : { kind: 'secret', secret: ca.secret, items, defaultMode: 0o440 },
    });
  }

  const image = VAULT_IMAGE;
  const agentCommand = (file: string) => ['/bin/vault', 'agent', `-config=${AGENT_PATHS.config}/${file}`];
  const common: Pick<ProgramContainer, 'image' | 'resources' | 'securityContext' | 'first'> = {
    image: imageReference(image),
    resources: {
      cpu: props.resources?.cpu ?? SECRETS_AGENT_RESOURCES.cpu,
      memory: props.resources?.memory ?? SECRETS_AGENT_RESOURCES.memory,
      ephemeralStorage: props.resources?.ephemeralStorage,
    },
    securityContext: { user: signal?.user ?? props.user ?? image.user, group: signal?.group ?? image.group },
    first: props.initFirst,
  };
  const init: ProgramContainer | undefined = needsInit ? { ...common, command: agentCommand(INIT_CONFIG) } : undefined;
  // The startup probe holds the app (native mode) until every file has been rendered once.
  // consul-template writes each file to a temporary file in the folder and renames it
  // (renderer.go AtomicWrite), so a file that exists is complete. The image has busybox sh.
  const rendered = templates.map((t) => `test -e ${shellQuote(t.destination)}`).join(' && ');
  const sidecar = oneTimeOnly ? undefined : {
    ...common,
    command: agentCommand(SIDECAR_CONFIG),
    mode,
    startup: mode === SidecarMode.NATIVE
      ? kplus.Probe.fromCommand(['/bin/sh', '-c', rendered], { periodSeconds: Duration.seconds(2), failureThreshold: 150 })
      : undefined,
    boundPorts: cachePort !== undefined ? [{ number: cachePort, address: '127.0.0.1', purpose: 'Vault Agent cache listener' }] : [],
  };

  const program: Program = {
    where: 'withSecretsAgent',
    purpose: 'withSecretsAgent (Vault Agent)',
    name,
    init,
    sidecar,
    config: { dir: AGENT_PATHS.config, files },
    volumes,
    sharedVolumes: [{
      name: `${name}-secrets`,
      path: AGENT_PATHS.secrets,
      appPath: folder,
      appReadOnly: true,
      appContainers: targets.map((t) => t.name),
      medium: kplus.EmptyDirMedium.MEMORY,
      sizeLimit: props.sizeLimit ?? Size.mebibytes(1),
      managed: true,
      appPathOption: 'folder',
    }],
    portHints: cachePort !== undefined ? [{ number: cachePort, hint: 'pass cachePort to withSecretsAgent' }] : [],
    // The group of the folder and of the token: the kubelet gives the emptyDir and the projected
    // token this group and adds it to every container, so the app reads files of mode 0640.
    fsGroup: image.group,
    shareProcessNamespace: signal ? true : undefined,
    internalPaths: [...httpReloads.values()].map((r) => ({ port: r.port, path: r.path, purpose: 'reload POST' })),
  };
  const appFiles = Object.fromEntries([...seen.keys()].map((p) => [p, `${folder}/${p}`]));
  return { program, folder, files: appFiles, cachePort };
}

function resolveTargets(fail: Fail, pod: PodFacts, names: string[] | undefined): ContainerFacts[] {
  const apps = pod.appContainers();
  if (names === undefined) {
    if (apps.length === 0) fail('the pod has no app container yet; add the app containers before attaching the agent');
    return apps;
  }
  if (!Array.isArray(names) || names.length === 0) fail('containers is empty; name at least one app container that reads the secrets');
  return names.map((n) => apps.find((c) => c.name === n) ?? fail(pod.containerNamed(n)
    ? `containers: ${quote(n)} is not an app container (it is an init container or a sidecar); name app containers only`
    : `containers: no app container named ${quote(n)} (the pod has ${apps.map((c) => `${quote(c.name)}`).join(', ') || 'none'}); add it before attaching the agent`));
}

/**
 * The reload POST, run by the agent after a render that changed the file. busybox wget (the
 * image is alpine) sends a POST with `--post-data`; busybox `timeout` bounds it to 10 seconds,
 * well within the template command's 30 (wget's own `-T` crashed busybox 1.35 here). The command
 * always succeeds: a failing or timed-out template command stops the agent when
 * `exit_on_retry_failure` is on (hashicorp/vault command/agent/template/template.go), and the
 * first render comes before the app runs.
 */
function httpReloadCommand(name: string, reload: { port: number; path: string }): string[] {
  const url = `http://127.0.0.1:${reload.port}${reload.path}`;
  return ['/bin/sh', '-c', `timeout 10 wget -q -O /dev/null --post-data '' ${shellQuote(url)} `
    + `|| echo ${shellQuote(`${name}: reload POST to ${url} failed (the app may not be up yet)`)} >&2`];
}

/** A POSIX shell word holding `value` literally. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}
