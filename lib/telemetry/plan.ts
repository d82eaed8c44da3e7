/**
 * withTelemetry's plan: the options and the facts of the pod in, the collector program out (its
 * configuration file, container, volumes, ports, and the environment of the app containers),
 * with no construct made. Pure: the construct (index.ts) hands the program to the engine.
 */
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { APP_POD_ENV, appEndpoint, buildModel, CollectorModel, PATHS, POD_ENV, SAFE_VALUE, SAFE_VALUE_TEXT } from './model';
import { TelemetryOptions, TelemetryProtocol } from './options';
import { otelcolConfig } from './otelcol';
import { ConfigFile, renderConfigFile } from '../engine/config-file';
import { sidecarResources } from '../engine/defaults';
import { imageReference, OTEL_COLLECTOR_IMAGE } from '../engine/images';
import { kplus, TCP } from '../engine/kplus';
import { ContainerFacts, Fail, PodFacts } from '../engine/pod-facts';
import { Program, ProgramAppEnv, ProgramVolume } from '../engine/program';
import { caVolume } from '../engine/tls-ca';
import { dnsLabelProblem, quote } from '../engine/validation/syntax';

/**
 * Default resources (request/limit). The contrib collector idles at some 60–100MiB resident
 * (a large binary, Go runtime); 512Mi leaves the memory limiter 409MiB of heap (80%) and room
 * for the process. Batches of 8192 items and the exporters' in-memory queues fit in that.
 */
export const COLLECTOR_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
};

/** The config file's name in the ConfigMap. */
export const CONFIG_FILE = 'config.yaml';

/** `k8s.<kind>.name` per workload kind (OpenTelemetry semantic conventions, k8s resource attributes). */
const WORKLOAD_ATTRIBUTE: Record<string, string> = {
  Deployment: 'k8s.deployment.name',
  StatefulSet: 'k8s.statefulset.name',
  DaemonSet: 'k8s.daemonset.name',
  Job: 'k8s.job.name',
  CronJob: 'k8s.cronjob.name',
};

/** The collector's program, and what the construct shows of it. */
export interface TelemetryPlan {
  readonly program: Program;
  readonly model: CollectorModel;
  readonly file: ConfigFile;
  readonly serviceName: string;
  /** The endpoint the app containers are given (or would be). */
  readonly appEndpoint: string;
  /** The app containers whose environment was set, by name. */
  readonly appContainers: string[];
}

/** Checks the options against the pod and works out the collector. Throws on input that is wrong. */
export function planTelemetry(pod: PodFacts, props: TelemetryOptions, fail: Fail): TelemetryPlan {
  const name = props.name ?? 'otel-collector';
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) fail(`name ${quote(name)} ${nameProblem}`);

  const serviceName = props.serviceName ?? pod.name;
  if (typeof serviceName !== 'string' || !SAFE_VALUE.test(serviceName)) {
    fail(`serviceName ${quote(serviceName)} may hold ${SAFE_VALUE_TEXT} only`);
  }
  const protocol = props.appProtocol ?? TelemetryProtocol.HTTP_PROTOBUF;
  if (!Object.values(TelemetryProtocol).includes(protocol)) fail(`appProtocol ${quote(String(protocol))} is not a TelemetryProtocol`);

  // The app's declared TCP ports, for the scrape sources.
  const apps = pod.appContainers();
  const appPorts = new Map<number, string[]>();
  for (const c of apps) {
    for (const p of c.ports) {
      if ((p.protocol ?? TCP) !== TCP) continue;
      appPorts.set(p.number, [...(appPorts.get(p.number) ?? []), c.name]);
    }
  }
  const describeAppPorts = apps
    .filter((c) => c.ports.some((p) => (p.protocol ?? TCP) === TCP))
    .map((c) => `${quote(c.name)} declares ${c.ports.filter((p) => (p.protocol ?? TCP) === TCP).map((p) => p.number).join(', ')}`)
    .join('; ');

  const resources = sidecarResources(props.resources, COLLECTOR_RESOURCES);
  const memoryLimit = resources.memory?.limit;
  const model = buildModel(fail, props, {
    appPorts,
    describeAppPorts,
    memoryLimitMib: memoryLimit === undefined ? undefined : Math.floor(memoryLimit.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR })),
    serviceName,
    workloadAttribute: WORKLOAD_ATTRIBUTE[pod.kind] ? [WORKLOAD_ATTRIBUTE[pod.kind], pod.name] : undefined,
  });
  const file = renderConfigFile(otelcolConfig, model);

  // --- the app containers' environment ---
  const endpoint = appEndpoint(model, protocol);
  const appEnvOn = props.appEnv ?? true;
  let appEnv: ProgramAppEnv | undefined;
  let appContainerNames: string[] = [];
  if (appEnvOn) {
    const targets = props.appContainers
      ? props.appContainers.map((n) => pod.containerNamed(n) ?? fail(
        `appContainers names ${quote(n)}, but the pod has no such container (it has ${pod.describeContainerNames()}); add the container before attaching the collector`))
      : apps;
    if (targets.length === 0) {
      fail(props.appContainers
        ? 'appContainers is empty; name the containers that send telemetry, or pass appEnv: false'
        : 'the pod has no app container yet; add the app containers before attaching the collector, or pass appEnv: false');
    }
    const variables: Record<string, Array<{ name: string; value: kplus.EnvValue }>> = {};
    for (const target of targets) {
      variables[target.name] = appVariables(fail, target, {
        endpoint, protocol, serviceName, serviceNameGiven: props.serviceName !== undefined, model, workloadKind: pod.kind, workloadName: pod.name,
      });
    }
    appContainerNames = targets.map((t) => t.name);
    appEnv = { containers: appContainerNames, variables };
  }

  // --- the collector's own environment: the pod's values, GOMEMLIMIT, credentials ---
  const env: Record<string, kplus.EnvValue> = {};
  for (const item of Object.values(POD_ENV)) env[item.env] = kplus.EnvValue.fromFieldRef(item.fieldPath as kplus.EnvFieldPaths);
  // The memory limiter's README: set GOMEMLIMIT to 80% of the hard limit (limit_mib).
  env.GOMEMLIMIT = kplus.EnvValue.fromValue(`${model.goMemLimitMib}MiB`);
  for (const item of model.credentials) env[item.env] = kplus.EnvValue.fromSecretValue(item.value);

  const volumes: ProgramVolume[] = model.cas.map((ca, i) => caVolume(ca.ca, ca.dir, i));

  // Probes ask the health_check extension, which answers 200 once every component started,
  // never whether an exporter's backend is reachable: a backend outage must not take the app
  // out of its Service (a native sidecar's readiness counts toward the pod's).
  const probe = (failureThreshold: number, periodSeconds: number) => kplus.Probe.fromHttpGet('/', {
    port: model.healthPort,
    periodSeconds: Duration.seconds(periodSeconds),
    timeoutSeconds: Duration.seconds(3),
    failureThreshold,
  });
  // Port names are unique in the pod (a second collector gets `otel-health-2`) and at most 15 characters.
  const ports: kplus.ContainerPort[] = [{ number: model.healthPort, name: pod.freePortName('otel-health'), protocol: TCP }];
  const boundPorts = [
    { number: model.otlpGrpcPort, purpose: 'OTLP/gRPC receiver', address: '127.0.0.1' },
    { number: model.otlpHttpPort, purpose: 'OTLP/HTTP receiver', address: '127.0.0.1' },
    { number: model.healthPort, purpose: 'collector health_check' },
  ];
  const hints = [
    { number: model.otlpGrpcPort, hint: 'pass otlpGrpcPort to withTelemetry' },
    { number: model.otlpHttpPort, hint: 'pass otlpHttpPort to withTelemetry' },
    { number: model.healthPort, hint: 'pass healthPort to withTelemetry' },
  ];
  const selfMetrics = model.selfMetrics;
  if (selfMetrics.kind !== 'off') {
    if (selfMetrics.kind === 'exposed') ports.push({ number: selfMetrics.port, name: pod.freePortName('otel-metrics'), protocol: TCP });
    boundPorts.push({ number: selfMetrics.port, purpose: 'collector own metrics', address: selfMetrics.kind === 'local' ? '127.0.0.1' : '0.0.0.0' });
    hints.push({ number: selfMetrics.port, hint: 'pass selfMetrics: TelemetrySelfMetrics.local(<port>) to withTelemetry' });
  }

  const program: Program = {
    where: 'withTelemetry',
    purpose: 'withTelemetry (OpenTelemetry Collector)',
    name,
    config: { dir: PATHS.config, files: { [CONFIG_FILE]: file.text } },
    volumes,
    sidecar: {
      image: props.image ?? imageReference(OTEL_COLLECTOR_IMAGE),
      command: ['/otelcol-contrib'],
      args: [`--config=${PATHS.config}/${CONFIG_FILE}`],
      ports,
      boundPorts,
      envVariables: env,
      // The app waits for a native sidecar's startup probe: its SDK's first export finds the
      // receivers listening.
      startup: probe(60, 1),
      liveness: probe(6, 10),
      readiness: probe(3, 10),
      resources,
      securityContext: { user: OTEL_COLLECTOR_IMAGE.user, group: OTEL_COLLECTOR_IMAGE.group },
      mode: props.mode,
    },
    portHints: hints,
    appEnv,
  };
  return { program, model, file, serviceName, appEndpoint: endpoint, appContainers: appContainerNames };
}

interface AppEnvContext {
  readonly endpoint: string;
  readonly protocol: TelemetryProtocol;
  readonly serviceName: string;
  readonly serviceNameGiven: boolean;
  readonly model: CollectorModel;
  readonly workloadKind: string;
  readonly workloadName: string;
}

/**
 * The variables one app container gets, leaving out those it already sets (kept as they are);
 * an endpoint or protocol that sends elsewhere, or a service name other than `serviceName`, is
 * refused rather than silently kept or replaced.
 */
function appVariables(fail: Fail, container: ContainerFacts, c: AppEnvContext): Array<{ name: string; value: kplus.EnvValue }> {
  const own = container.env;
  const has = (n: string) => Object.prototype.hasOwnProperty.call(own, n);
  const describe = (n: string) => (own[n].value !== undefined ? `to ${quote(own[n].value)}` : 'from a reference (valueFrom)');
  const out: Array<{ name: string; value: kplus.EnvValue }> = [];

  if (has('OTEL_EXPORTER_OTLP_ENDPOINT') && own.OTEL_EXPORTER_OTLP_ENDPOINT.value !== c.endpoint) {
    fail(`container ${quote(container.name)} sets OTEL_EXPORTER_OTLP_ENDPOINT ${describe('OTEL_EXPORTER_OTLP_ENDPOINT')}, so its telemetry would not go to `
      + `the collector at ${c.endpoint}; remove the variable from the container, or pass appEnv: false to leave the app's environment alone`);
  }
  if (has('OTEL_EXPORTER_OTLP_PROTOCOL') && own.OTEL_EXPORTER_OTLP_PROTOCOL.value !== c.protocol) {
    const theirs = own.OTEL_EXPORTER_OTLP_PROTOCOL.value;
    fail(`container ${quote(container.name)} sets OTEL_EXPORTER_OTLP_PROTOCOL ${describe('OTEL_EXPORTER_OTLP_PROTOCOL')}, but withTelemetry points the app at `
      + `the ${c.protocol} receiver; ${theirs === TelemetryProtocol.GRPC || theirs === TelemetryProtocol.HTTP_PROTOBUF
        ? `pass appProtocol: TelemetryProtocol.${theirs === TelemetryProtocol.GRPC ? 'GRPC' : 'HTTP_PROTOBUF'}`
        : 'remove the variable from the container'}, or pass appEnv: false`);
  }
  if (has('OTEL_SERVICE_NAME') && c.serviceNameGiven && own.OTEL_SERVICE_NAME.value !== c.serviceName) {
    fail(`serviceName is ${quote(c.serviceName)}, but container ${quote(container.name)} sets OTEL_SERVICE_NAME ${describe('OTEL_SERVICE_NAME')}; `
      + 'give the same name, or leave serviceName out to keep the container\'s');
  }

  const add = (n: string, value: kplus.EnvValue) => {
    if (!has(n)) out.push({ name: n, value });
  };
  add('OTEL_EXPORTER_OTLP_ENDPOINT', kplus.EnvValue.fromValue(c.endpoint));
  add('OTEL_EXPORTER_OTLP_PROTOCOL', kplus.EnvValue.fromValue(c.protocol));
  add('OTEL_SERVICE_NAME', kplus.EnvValue.fromValue(c.serviceName));
  if (!has('OTEL_RESOURCE_ATTRIBUTES')) {
    // The pod's values from the downward API, declared before the variable that names them as
    // $(NAME): Kubernetes expands only variables defined earlier in the list.
    const parts: string[] = [];
    for (const [key, item] of Object.entries(APP_POD_ENV)) {
      add(item.env, kplus.EnvValue.fromFieldRef(item.fieldPath as kplus.EnvFieldPaths));
      parts.push(`${key}=$(${item.env})`);
    }
    parts.push(`k8s.container.name=${container.name}`);
    for (const [key, ref] of c.model.resourceAttributes) {
      if (ref.kind === 'literal') parts.push(`${key}=${ref.value}`);
    }
    add('OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue(parts.join(',')));
  }
  return out;
}
