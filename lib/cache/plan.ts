/**
 * withCache's plan: the options and the facts of the pod in, the cache program out (its
 * configuration, container, probes, socket folder and port), and what the app containers get
 * (the connection URL and the password, as environment variables), with no construct made.
 * Pure: the construct (index.ts) hands the program to the engine's attach.
 */
import { Duration, Size } from 'cdk8s';
import { memcachedCommand, memcachedProbeCommand } from './memcached';
import { buildModel, CACHE_PATHS, CACHE_RESOURCES, CacheModel, connectionUrl, envNameProblem, PASSWORD_ENV } from './model';
import { CacheEngine, CacheOptions } from './options';
import { renderValkeyConf, VALKEY_CONF, valkeyCommand, valkeyProbeCommand } from './valkey';
import { ConfigFile, renderConfigFile } from '../engine/config-file';
import { sidecarResources } from '../engine/defaults';
import { imageReference } from '../engine/images';
import { kplus } from '../engine/kplus';
import { Fail, PodFacts } from '../engine/pod-facts';
import { Program } from '../engine/program';
import { dnsLabelProblem, quote } from '../engine/validation/syntax';

/** The cache's program, and what the construct shows of it. */
export interface CachePlan {
  readonly program: Program;
  readonly engine: CacheEngine;
  readonly model: CacheModel;
  /** valkey.conf (Valkey only). */
  readonly file?: ConfigFile;
  /** Environment variables of the app containers, in order. */
  readonly appEnv: ReadonlyArray<{ readonly name: string; readonly value: kplus.EnvValue }>;
  readonly url: string;
  readonly urlEnv: string;
  readonly passwordEnv?: string;
}

/** Checks the options against the pod and works out the cache. Throws on input that is wrong. */
export function planCache(pod: PodFacts, props: CacheOptions, fail: Fail): CachePlan {
  const engine = props.engine ?? CacheEngine.VALKEY;
  if (!(engine instanceof CacheEngine)) fail('engine must be CacheEngine.VALKEY or CacheEngine.MEMCACHED');
  const name = props.name ?? 'cache';
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) fail(`name ${quote(name)} ${nameProblem}`);
  const image = props.image ?? imageReference(engine.image);
  if (typeof image !== 'string' || image.trim() === '') fail('image is empty; leave it unset for the pinned upstream image');

  const resources = sidecarResources(props.resources, CACHE_RESOURCES);
  const model = buildModel(fail, props, { engine, name, memoryLimit: resources.memory?.limit, freePort: (start) => pod.freePort(start) });

  // The app containers and their environment: never overwrite what the app sets itself.
  const appContainers = props.appContainers
    ? props.appContainers.map((wanted) => pod.containerNamed(wanted) ?? fail(
      `appContainers names ${quote(wanted)}, but the pod has no such container (it has ${pod.describeContainerNames()}); `
      + 'add the container before attaching the cache'))
    : pod.appContainers();
  if (appContainers.length === 0) {
    fail(props.appContainers
      ? 'appContainers is empty; name the containers that use the cache'
      : 'the pod has no app container yet; add the app containers before attaching the cache');
  }
  const urlEnv = props.urlEnv ?? 'CACHE_URL';
  const urlEnvProblem = envNameProblem(urlEnv);
  if (urlEnvProblem) fail(`urlEnv ${quote(urlEnv)} ${urlEnvProblem}`);
  const passwordEnv = props.password ? props.passwordEnv ?? 'CACHE_PASSWORD' : undefined;
  if (props.passwordEnv !== undefined && !props.password) {
    fail('passwordEnv is given without password; pass password ({ secret, key }) too, or remove passwordEnv');
  }
  if (passwordEnv !== undefined) {
    const problem = envNameProblem(passwordEnv);
    if (problem) fail(`passwordEnv ${quote(passwordEnv)} ${problem}`);
    if (passwordEnv === urlEnv) fail(`passwordEnv and urlEnv are both ${quote(urlEnv)}; give each its own name`);
  }
  for (const c of appContainers) {
    const env = c.env;
    for (const [option, envName] of [['urlEnv', urlEnv], ['passwordEnv', passwordEnv]] as const) {
      if (envName !== undefined && Object.prototype.hasOwnProperty.call(env, envName)) {
        const suffix = option === 'urlEnv' ? 'URL' : 'PASSWORD';
        const named = `${name.toUpperCase().replace(/-/g, '_')}_${suffix}`;
        fail(`container ${quote(c.name)} already sets the environment variable ${envName}, which the cache would overwrite; `
          + `pass another ${option} to withCache (for example ${option}: "${named === envName ? `LOCAL_${named}` : named}"), `
          + `or leave ${quote(c.name)} out with appContainers`);
      }
    }
  }
  const url = connectionUrl(engine, model.listen);
  const appEnv: Array<{ name: string; value: kplus.EnvValue }> = [{ name: urlEnv, value: kplus.EnvValue.fromValue(url) }];
  if (passwordEnv !== undefined) appEnv.push({ name: passwordEnv, value: kplus.EnvValue.fromSecretValue(props.password!) });

  // The program.
  let file: ConfigFile | undefined;
  let run: { command: string[]; args: string[] };
  let probeCommand: string[];
  if (engine.id === 'valkey') {
    file = renderConfigFile(renderValkeyConf, model);
    run = valkeyCommand(model);
    probeCommand = valkeyProbeCommand(model);
  } else {
    run = memcachedCommand(model);
    probeCommand = memcachedProbeCommand(model);
  }
  // startup: a native sidecar holds the app until the cache answers (every second, up to 30 s);
  // liveness restarts a cache that stops answering. No readiness probe: a native sidecar's
  // readiness counts toward the pod's, and a restarting cache is a miss, not an outage.
  const startup = kplus.Probe.fromCommand(probeCommand, {
    periodSeconds: Duration.seconds(1), timeoutSeconds: Duration.seconds(2), failureThreshold: 30,
  });
  const liveness = kplus.Probe.fromCommand(probeCommand, {
    periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(3), failureThreshold: 3,
  });
  const listen = model.listen;
  const program: Program = {
    where: 'withCache',
    purpose: `withCache (${engine.displayName})`,
    name,
    config: file ? { dir: CACHE_PATHS.config, files: { [VALKEY_CONF]: file.text } } : undefined,
    sidecar: {
      image,
      command: run.command,
      args: run.args,
      mode: props.mode,
      envVariables: model.password ? { [PASSWORD_ENV]: kplus.EnvValue.fromSecretValue(props.password!) } : undefined,
      boundPorts: listen.kind === 'loopback'
        ? [{ number: listen.port, address: '127.0.0.1', purpose: `${engine.displayName} cache` }]
        : [],
      startup,
      liveness,
      resources,
      securityContext: { user: engine.image.user, group: engine.image.group },
    },
    sharedVolumes: listen.kind === 'unixSocket'
      ? [{
        name: `${name}-socket`,
        path: listen.dir,
        appPath: listen.dir,
        // A client connects to a socket on a read-only mount; the app cannot remove or replace it.
        appReadOnly: true,
        appContainers: appContainers.map((c) => c.name),
        medium: kplus.EmptyDirMedium.MEMORY,
        sizeLimit: Size.mebibytes(1),
        appPathOption: 'socketDir',
      }]
      : [],
    portHints: listen.kind === 'loopback' ? [{ number: listen.port, hint: 'pass listen: CacheListener.loopback({ port }) to withCache with another port' }] : [],
    // The app's side of the connection; checked above: no app container sets these yet.
    appEnv: {
      containers: appContainers.map((c) => c.name),
      variables: Object.fromEntries(appContainers.map((c) => [c.name, appEnv])),
    },
  };
  return { program, engine, model, file, appEnv, url, urlEnv, passwordEnv };
}
