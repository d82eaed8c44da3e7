/**
 * withConfigSync's plan: the options and the facts of the pod in, the sync program out (the
 * one-time init container and/or the long-running sync, their volumes, RBAC and reload), with
 * no construct made. Pure: the construct (index.ts) hands the program to the engine's attach.
 */
import { Duration, Size } from 'cdk8s';
import {
  CheckedAuth, checkGitSource, GIT_SYNC_FORBIDDEN, checkLabelledSource, checkSignalReload, GIT_SECRET_DIR, resolveTargets,
} from './checks';
import { gitSyncArgs, GitSyncSettings } from './git-sync';
import { k8sSidecarEnv, K8sSidecarSettings } from './k8s-sidecar';
import { ConfigSyncOptions, DEFAULT_CONFIG_SYNC_HEALTH_PORT, sourceSpec } from './options';
import { GIT_SYNC_IMAGE, imageReference, K8S_SIDECAR_IMAGE } from '../engine/images';
import { kplus } from '../engine/kplus';
import { Fail, PodFacts } from '../engine/pod-facts';
import { Program, ProgramContainer, ProgramSharedVolume, ProgramVolume } from '../engine/program';
import { checkHttpReload, reloadSpec } from '../engine/reload';
import { SidecarMode } from '../engine/sidecar-mode';
import { signalScript } from '../engine/signal-script';
import { dnsLabelProblem, mountPathProblem, normalizePath, portNumberProblem, quote } from '../engine/validation/syntax';

/** Where the folder is mounted in git-sync containers: the image's default `--root`. */
const GIT_ROOT = '/git';
/** Where the folder is mounted in k8s-sidecar containers (`FOLDER`). */
const K8S_SIDECAR_FOLDER = '/data';
/** Where the kubelet mounts a service-account token; the Kubernetes clients look there. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Where the signal script is mounted. */
const SCRIPT_DIR = '/etc/config-sync';
const SCRIPT_FILE = 'reload.sh';

/** The sync's program, and what the construct shows of it. */
export interface SyncPlan {
  readonly program: Program;
  readonly mountPath: string;
  /** `<mountPath>/<link>` with git, `mountPath` otherwise. */
  readonly configPath: string;
  readonly healthPort?: number;
}

/** Checks the options against the pod and works out the sync. Throws on input that is wrong. */
export function planConfigSync(pod: PodFacts, props: ConfigSyncOptions, fail: Fail): SyncPlan {
  if (typeof props !== 'object' || props === null) fail('options are missing: give { source, mountPath }');
  const spec = sourceSpec(fail, props.source);
  const engine = spec.kind === 'git' ? 'git-sync' : 'k8s-sidecar';
  const image = spec.kind === 'git' ? GIT_SYNC_IMAGE : K8S_SIDECAR_IMAGE;

  const name = props.name ?? engine;
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) fail(`name ${quote(name)} ${nameProblem}`);
  if (typeof props.mountPath !== 'string') fail('mountPath is missing; give the absolute path where the app reads the folder');
  const pathProblem = mountPathProblem(props.mountPath);
  if (pathProblem) fail(`mountPath ${quote(props.mountPath)} ${pathProblem}, for example "/etc/app/config"`);
  if (normalizePath(props.mountPath) === '/') fail('mountPath "/" would hide the app\'s whole filesystem; give a folder, for example "/etc/app/config"');
  const mountPath = normalizePath(props.mountPath);

  const oneTimeOnly = pod.runsToCompletion;
  const mode = oneTimeOnly ? undefined : props.mode ?? pod.defaultMode;
  const needsInit = oneTimeOnly || mode === SidecarMode.CLASSIC;
  const targets = resolveTargets(fail, pod, props.containers);

  const git = spec.kind === 'git' ? checkGitSource(fail, spec.options) : undefined;
  const labelled = spec.kind === 'labelled' ? checkLabelledSource(fail, spec.resource, spec.options) : undefined;
  const reload = props.reload === undefined ? undefined : reloadSpec(fail, props.reload);
  if (reload && oneTimeOnly) {
    fail(`a ${pod.kind} only gets the one-time sync, before the app starts, so there is nothing to reload; remove reload`);
  }
  const httpReload = reload?.kind === 'http' ? checkHttpReload(fail, pod, reload.options) : undefined;
  const signalReload = reload?.kind === 'signal'
    ? checkSignalReload(fail, pod, targets, reload.signal, reload.options, { engine, sshAuth: git?.auth?.transport === 'ssh', image, labelled })
    : undefined;
  if (labelled && labelled.resource !== 'configmap' && pod.automountServiceAccountToken) {
    fail('the pod sets automountServiceAccountToken: true, so every container, the app included, would get the token '
      + 'that may read the namespace\'s Secrets; remove automountServiceAccountToken, or sync ConfigMaps only');
  }
  if (props.healthPort !== undefined) {
    const problem = portNumberProblem(props.healthPort);
    if (problem) fail(`healthPort ${quote(props.healthPort)} ${problem}`);
  }
  if (props.sizeLimit !== undefined && !(props.sizeLimit.toMebibytes() > 0)) fail('sizeLimit must be positive, for example Size.mebibytes(200)');

  const servesHealth = !oneTimeOnly || engine === 'k8s-sidecar';
  const healthPort = servesHealth ? props.healthPort ?? pod.freePort(DEFAULT_CONFIG_SYNC_HEALTH_PORT) : undefined;
  const dataPath = git ? GIT_ROOT : K8S_SIDECAR_FOLDER;

  const volumes: ProgramVolume[] = git?.auth ? secretVolumes(git.auth) : [];
  if (labelled) {
    volumes.push({
      suffix: 'token',
      path: SERVICE_ACCOUNT_DIR,
      source: {
        kind: 'raw',
        source: {
          projected: {
            // The same three sources the kubelet projects for a pod's own token (kube-api-access-*).
            // Keys are cdk8s-plus's import names (downwardApi), rendered as the API's (downwardAPI).
            defaultMode: 0o444,
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      },
    });
  }
  const scriptPath = signalReload ? `${SCRIPT_DIR}/${SCRIPT_FILE}` : undefined;
  const reloadUrl = httpReload ? `http://127.0.0.1:${httpReload.port}${httpReload.path}` : undefined;

  // What the program is told, once (an init container) or for good.
  const gitSettings = (oneTime: boolean): GitSyncSettings => ({
    repo: git!.repo,
    ref: git!.ref,
    root: GIT_ROOT,
    link: git!.link,
    period: git!.period,
    depth: git!.depth,
    oneTime,
    httpBind: oneTime ? undefined : `:${healthPort}`,
    ...git!.files,
    webhook: !oneTime && reloadUrl ? { url: reloadUrl, successStatus: httpReload!.successStatus } : undefined,
    exechookCommand: oneTime ? undefined : scriptPath,
  });
  const sidecarSettings = (method: 'WATCH' | 'LIST'): K8sSidecarSettings => ({
    label: labelled!.label,
    labelValue: labelled!.labelValue,
    folder: K8S_SIDECAR_FOLDER,
    resource: labelled!.resource,
    method,
    healthPort: healthPort!,
    uniqueFilenames: labelled!.uniqueFilenames,
    fileMode: labelled!.fileMode,
    reloadUrl: method === 'WATCH' ? reloadUrl : undefined,
    script: method === 'WATCH' ? scriptPath : undefined,
  });
  const told = (oneTime: boolean): Pick<ProgramContainer, 'args' | 'envVariables'> => git
    ? { args: gitSyncArgs(gitSettings(oneTime)) }
    : { envVariables: Object.fromEntries(k8sSidecarEnv(sidecarSettings(oneTime ? 'LIST' : 'WATCH')).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])) };
  const common = {
    image: imageReference(image),
    forbidden: git ? GIT_SYNC_FORBIDDEN : undefined,
    resources: props.resources,
    securityContext: { user: signalReload?.user ?? image.user, group: signalReload?.group ?? image.group },
  };
  const purpose = `withConfigSync (${engine})`;

  // The one-time sync: k8s-sidecar serves its health endpoint in the one-time run too
  // (METHOD=LIST): in the ledger, the rules compare it with the native sidecars already running.
  const init: ProgramContainer | undefined = needsInit
    ? {
      ...common,
      ...told(true),
      boundPorts: engine === 'k8s-sidecar' && healthPort !== undefined ? [{ number: healthPort, purpose: `${engine} health endpoint` }] : [],
    }
    : undefined;
  // The endpoint answers 5xx until the first sync has succeeded, then 200: the startup probe
  // holds the app (native mode) until the folder is filled; the liveness probe restarts a
  // stuck sync (k8s-sidecar also fails it when it lost the API server for 60s).
  const probePath = git ? '/' : '/healthz';
  const sidecar = oneTimeOnly ? undefined : {
    ...common,
    ...told(false),
    mode,
    // Declared (the kubelet probes it on the pod IP) and in the ledger, named for messages.
    ports: [{ number: healthPort!, name: pod.freePortName('sync-health') }],
    boundPorts: [{ number: healthPort!, purpose: `${engine} health endpoint` }],
    startup: kplus.Probe.fromHttpGet(probePath, { port: healthPort, periodSeconds: Duration.seconds(2), failureThreshold: 150 }),
    liveness: kplus.Probe.fromHttpGet(probePath, { port: healthPort, periodSeconds: Duration.seconds(10), failureThreshold: 6 }),
  };

  const sharedVolumes: ProgramSharedVolume[] = [{
    name: `${name}-data`,
    path: dataPath,
    appPath: mountPath,
    appReadOnly: true,
    appContainers: targets.map((t) => t.name),
    sizeLimit: props.sizeLimit,
    managed: true,
    appPathOption: 'mountPath',
  }];
  // git-sync writes its gitconfig to $TMPDIR and keeps credentials in git's credential cache,
  // whose socket is under $HOME (/tmp in the image): the read-only root filesystem needs /tmp.
  if (git) sharedVolumes.push({ name: `${name}-tmp`, path: '/tmp', appContainers: [], sizeLimit: Size.mebibytes(64) });

  const program: Program = {
    where: 'withConfigSync',
    purpose,
    name,
    init,
    sidecar,
    config: signalReload
      ? { dir: SCRIPT_DIR, files: { [SCRIPT_FILE]: signalScript({ signal: signalReload.signal.replace(/^SIG/, ''), process: signalReload.process }) }, defaultMode: 0o555 }
      : undefined,
    volumes,
    sharedVolumes,
    portHints: healthPort !== undefined ? [{ number: healthPort, hint: 'pass healthPort to withConfigSync' }] : [],
    // The group of the folder and of the Secret files. A group the user chose is kept: the
    // kubelet adds the fsGroup to every container, so the sync program reads its Secret files
    // (mode 0440) and the app reads the folder whatever its number.
    fsGroup: image.group,
    shareProcessNamespace: signalReload ? true : undefined,
    internalPaths: httpReload ? [{ port: httpReload.port, path: httpReload.path, purpose: 'reload POST' }] : undefined,
    // k8s-sidecar lists and watches; upstream's example role also grants get
    // (kiwigrid/k8s-sidecar examples/example.yaml).
    rbac: labelled
      ? {
        verbs: ['get', 'list', 'watch'],
        resources: labelled.resource === 'both'
          ? [kplus.ApiResource.CONFIG_MAPS, kplus.ApiResource.SECRETS]
          : [labelled.resource === 'secret' ? kplus.ApiResource.SECRETS : kplus.ApiResource.CONFIG_MAPS],
      }
      : undefined,
  };
  return { program, mountPath, configPath: git ? `${mountPath}/${git.link}` : mountPath, healthPort };
}

/** One read-only Secret volume per Secret, each file mode 0440 (readable through the fsGroup). */
function secretVolumes(auth: CheckedAuth): ProgramVolume[] {
  const bySecret = new Map<string, { secret: kplus.ISecret; items: Record<string, kplus.PathMapping> }>();
  for (const { value, file } of auth.files) {
    const entry = bySecret.get(value.secret.name) ?? { secret: value.secret, items: {} };
    entry.items[value.key] = { path: file };
    bySecret.set(value.secret.name, entry);
  }
  return [...bySecret.values()].map((entry, i) => ({
    suffix: bySecret.size === 1 ? 'auth' : `auth-${i + 1}`,
    path: `${GIT_SECRET_DIR}/${entry.secret.name}`,
    source: { kind: 'secret', secret: entry.secret, items: entry.items, defaultMode: 0o440 },
  }));
}
