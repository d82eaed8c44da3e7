import { createHash } from 'crypto';
import { Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { collected, synthCollector } from './helpers';
import {
  SidecarMode, Telemetry, TelemetryCa, TelemetryCompression, TelemetryDebugVerbosity, TelemetryExporter, TelemetryProtocol, TelemetrySelfMetrics,
  TelemetrySignal, TelemetrySource, withLogShipper, withTelemetry,
} from '../../lib';
import { podSpecOf } from '../util/restricted';
import { newApp, synth, synthFails } from '../util/synth';

function web(chart: any, extra: Partial<kplus.ContainerProps> = {}) {
  return new kplus.Deployment(chart, 'web', {
    containers: [{
      name: 'app',
      image: 'ghcr.io/acme/web:1.4.2',
      ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }],
      securityContext: { user: 1000, group: 1000 },
      ...extra,
    }],
  });
}

const env = (container: any, name: string) => (container.env ?? []).find((e: any) => e.name === name);

describe('withTelemetry, the defaults', () => {
  test('a Deployment gets the contrib collector as a native sidecar, its config, and the app its OTEL_* environment', () => {
    const { app, chart } = newApp();
    const workload = web(chart);
    const telemetry = withTelemetry(workload);
    const c = synthCollector(app);

    expect(c.collector.restartPolicy).toBe('Always');
    expect(c.spec.initContainers.map((x: any) => x.name)).toEqual(['otel-collector']);
    expect(c.collector.image).toBe('docker.io/otel/opentelemetry-collector-contrib:0.162.0');
    expect(c.collector.command).toEqual(['/otelcol-contrib']);
    expect(c.collector.args).toEqual(['--config=/etc/otelcol/config.yaml']);
    expect(c.collector.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(c.collector.resources).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '50m', memory: '128Mi' } });
    expect(c.collector.volumeMounts).toEqual([{ mountPath: '/etc/otelcol', name: 'otel-collector-config', readOnly: true }]);

    // Receivers on loopback only; the debug exporter by default, on every signal.
    expect(c.config.receivers).toEqual({ otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } } } });
    expect(c.config.exporters).toEqual({ 'debug/0': { verbosity: 'basic' } });
    expect(Object.keys(c.config.service.pipelines)).toEqual(['traces', 'metrics', 'logs']);
    for (const pipeline of Object.values<any>(c.config.service.pipelines)) {
      // memory_limiter first (its README), batch last.
      expect(pipeline).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'resource', 'batch'], exporters: ['debug/0'] });
    }

    // Memory: 80% of the 512Mi limit as limit_mib, 20% of that as the spike, GOMEMLIMIT 80% of limit_mib.
    expect(c.config.processors.memory_limiter).toEqual({ check_interval: '1s', limit_mib: 409, spike_limit_mib: 81 });
    expect(env(c.collector, 'GOMEMLIMIT')).toEqual({ name: 'GOMEMLIMIT', value: '327MiB' });
    expect(c.config.processors.batch).toEqual({ send_batch_size: 8192, timeout: '200ms' });

    // The pod's attributes, inserted (the SDK's own values win), from the downward API.
    const name = c.workload.metadata.name;
    expect(c.config.processors.resource.attributes).toEqual([
      { key: 'k8s.pod.name', value: '${env:K8S_POD_NAME}', action: 'insert' },
      { key: 'k8s.namespace.name', value: '${env:K8S_NAMESPACE_NAME}', action: 'insert' },
      { key: 'k8s.node.name', value: '${env:K8S_NODE_NAME}', action: 'insert' },
      { key: 'k8s.pod.uid', value: '${env:K8S_POD_UID}', action: 'insert' },
      { key: 'k8s.deployment.name', value: name, action: 'insert' },
    ]);
    expect(env(c.collector, 'K8S_NODE_NAME')).toEqual({ name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });

    // Health on a declared port; own metrics on 127.0.0.1 only.
    expect(c.config.extensions).toEqual({ health_check: { endpoint: '0.0.0.0:13133', path: '/' } });
    expect(c.config.service.extensions).toEqual(['health_check']);
    expect(c.collector.ports).toEqual([{ containerPort: 13133, name: 'otel-health', protocol: 'TCP' }]);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      expect(c.collector[probe].httpGet).toEqual({ path: '/', port: 13133, scheme: 'HTTP' });
    }
    expect(c.config.service.telemetry.metrics).toEqual({ readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: 8888 } } } }] });

    // The app: the endpoint on IPv4 loopback, its protocol, the service name, the attributes.
    expect(c.app.env).toEqual([
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://127.0.0.1:4318' },
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
      { name: 'OTEL_SERVICE_NAME', value: name },
      { name: 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'OTEL_RESOURCE_ATTRIBUTES_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'OTEL_RESOURCE_ATTRIBUTES_POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      {
        name: 'OTEL_RESOURCE_ATTRIBUTES',
        value: 'k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME),k8s.namespace.name=$(OTEL_RESOURCE_ATTRIBUTES_NAMESPACE),'
          + 'k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),k8s.pod.uid=$(OTEL_RESOURCE_ATTRIBUTES_POD_UID),'
          + `k8s.container.name=app,k8s.deployment.name=${name}`,
      },
    ]);

    // Pods roll when the configuration changes.
    expect(c.workload.spec.template.metadata.annotations['cdk8s-sidecars/otel-collector-config-sha256'])
      .toBe(createHash('sha256').update(c.text).digest('hex'));

    expect(telemetry.serviceName).toBe(name);
    expect(telemetry.appEndpoint).toBe('http://127.0.0.1:4318');
    expect(telemetry.appContainers).toEqual(['app']);
    expect(telemetry.mode).toBe(SidecarMode.NATIVE);
    expect(telemetry.container.name).toBe('otel-collector');
    expect([telemetry.otlpGrpcPort, telemetry.otlpHttpPort, telemetry.healthPort]).toEqual([4317, 4318, 13133]);
    expect(telemetry.config).toBe(c.text);
  });

  test('appProtocol GRPC points the app at the gRPC receiver', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), { appProtocol: TelemetryProtocol.GRPC, otlpGrpcPort: 14317 });
    const c = synthCollector(app);
    expect(env(c.app, 'OTEL_EXPORTER_OTLP_ENDPOINT').value).toBe('http://127.0.0.1:14317');
    expect(env(c.app, 'OTEL_EXPORTER_OTLP_PROTOCOL').value).toBe('grpc');
    expect(c.config.receivers.otlp.protocols.grpc.endpoint).toBe('127.0.0.1:14317');
  });

  test('appEnv: false leaves the app containers as they are', () => {
    const { app, chart } = newApp();
    const t = withTelemetry(web(chart), { appEnv: false });
    const c = synthCollector(app);
    expect(c.app.env).toBeUndefined();
    expect(t.appContainers).toEqual([]);
  });

  test('serviceName and resourceAttributes reach the app and the collector', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), { serviceName: 'checkout', resourceAttributes: { 'deployment.environment.name': 'prod' } });
    const c = synthCollector(app);
    expect(env(c.app, 'OTEL_SERVICE_NAME').value).toBe('checkout');
    expect(env(c.app, 'OTEL_RESOURCE_ATTRIBUTES').value).toMatch(/,deployment\.environment\.name=prod$/);
    expect(c.config.processors.resource.attributes).toContainEqual({ key: 'deployment.environment.name', value: 'prod', action: 'insert' });
  });
});

describe('on every workload kind', () => {
  const kinds: Array<[string, (chart: any) => kplus.AbstractPod, string | undefined]> = [
    ['Deployment', (c) => new kplus.Deployment(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] }), 'k8s.deployment.name'],
    ['StatefulSet', (c) => new kplus.StatefulSet(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }], service: new kplus.Service(c, 'svc', { clusterIP: 'None', ports: [{ port: 80 }] }) }), 'k8s.statefulset.name'],
    ['DaemonSet', (c) => new kplus.DaemonSet(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] }), 'k8s.daemonset.name'],
    ['Job', (c) => new kplus.Job(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] }), 'k8s.job.name'],
    ['CronJob', (c) => new kplus.CronJob(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }], schedule: Cron.hourly() }), 'k8s.cronjob.name'],
    ['Pod', (c) => new kplus.Pod(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] }), undefined],
  ];
  test.each(kinds)('%s', (kind, make, attribute) => {
    const { app, chart } = newApp();
    withTelemetry(make(chart));
    const c = synthCollector(app);
    expect(c.workload.kind).toBe(kind);
    expect(c.collector.restartPolicy).toBe('Always');
    expect(c.spec.containers.map((x: any) => x.name)).toEqual(['app']);
    const keys = c.config.processors.resource.attributes.map((a: any) => a.key);
    if (attribute) {
      expect(keys).toContain(attribute);
      expect(env(c.app, 'OTEL_RESOURCE_ATTRIBUTES').value).toContain(`${attribute}=${c.workload.metadata.name}`);
    } else {
      expect(keys).toEqual(['k8s.pod.name', 'k8s.namespace.name', 'k8s.node.name', 'k8s.pod.uid']);
    }
  });

  test('a Job completes: the collector is a native sidecar, the app the only regular container', () => {
    const { app, chart } = newApp();
    withTelemetry(new kplus.Job(chart, 'batch', { containers: [{ name: 'app', image: 'acme/batch:1' }] }));
    const c = synthCollector(app);
    expect(c.spec.restartPolicy).toBe('Never');
    expect(c.spec.containers.map((x: any) => x.name)).toEqual(['app']);
  });

  test('fails when a classic collector is attached to a Job (it would never complete)', () => {
    const { app, chart } = newApp();
    withTelemetry(new kplus.Job(chart, 'batch', { containers: [{ name: 'app', image: 'acme/batch:1' }] }), { mode: SidecarMode.CLASSIC });
    expect(synthFails(app)).toContain('container "otel-collector" (withTelemetry (OpenTelemetry Collector), classic sidecar)');
  });

  test('classic mode: a regular container, kept out of the app\'s Service', () => {
    const { app, chart } = newApp();
    const w = web(chart);
    withTelemetry(w, { mode: SidecarMode.CLASSIC });
    w.exposeViaService();
    const c = synthCollector(app);
    expect(c.spec.containers.map((x: any) => x.name)).toEqual(['app', 'otel-collector']);
    const service = c.manifests.find((m) => m.kind === 'Service');
    expect(service.spec.ports.map((p: any) => p.port)).toEqual([8080, 9090]);
  });
});

describe('app containers', () => {
  test('two app containers each get the environment, with their own k8s.container.name', () => {
    const { app, chart } = newApp();
    const w = new kplus.Deployment(chart, 'web', {
      containers: [{ name: 'app', image: 'acme/app:1' }, { name: 'worker', image: 'acme/worker:1' }],
    });
    const t = withTelemetry(w);
    const c = synthCollector(app);
    expect(t.appContainers).toEqual(['app', 'worker']);
    for (const name of ['app', 'worker']) {
      const container = c.spec.containers.find((x: any) => x.name === name);
      expect(env(container, 'OTEL_RESOURCE_ATTRIBUTES').value).toContain(`k8s.container.name=${name},`);
    }
  });

  test('appContainers picks which ones', () => {
    const { app, chart } = newApp();
    const w = new kplus.Deployment(chart, 'web', {
      containers: [{ name: 'app', image: 'acme/app:1' }, { name: 'cache', image: 'acme/cache:1' }],
    });
    withTelemetry(w, { appContainers: ['app'] });
    const c = synthCollector(app);
    expect(c.spec.containers.find((x: any) => x.name === 'cache').env).toBeUndefined();
    expect(env(c.app, 'OTEL_SERVICE_NAME')).toBeDefined();
  });

  test('a variable the app already sets with the same value, and its own service name and attributes, are kept', () => {
    const { app, chart } = newApp();
    const w = web(chart, {
      envVariables: {
        OTEL_EXPORTER_OTLP_ENDPOINT: kplus.EnvValue.fromValue('http://127.0.0.1:4318'),
        OTEL_SERVICE_NAME: kplus.EnvValue.fromValue('shop'),
        OTEL_RESOURCE_ATTRIBUTES: kplus.EnvValue.fromValue('team=payments'),
      },
    });
    withTelemetry(w);
    const c = synthCollector(app);
    expect(c.app.env.map((e: any) => e.name)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
    expect(env(c.app, 'OTEL_SERVICE_NAME').value).toBe('shop');
    expect(env(c.app, 'OTEL_RESOURCE_ATTRIBUTES').value).toBe('team=payments');
  });

  test('fails when the app sends its telemetry elsewhere (OTEL_EXPORTER_OTLP_ENDPOINT), and changes nothing', () => {
    const { chart } = newApp();
    const w = web(chart, { envVariables: { OTEL_EXPORTER_OTLP_ENDPOINT: kplus.EnvValue.fromValue('http://collector.observability:4318') } });
    expect(() => withTelemetry(w)).toThrow(
      'Deployment "test/web", withTelemetry: container "app" sets OTEL_EXPORTER_OTLP_ENDPOINT to "http://collector.observability:4318", '
      + 'so its telemetry would not go to the collector at http://127.0.0.1:4318; remove the variable from the container, '
      + 'or pass appEnv: false to leave the app\'s environment alone');
    expect(w.initContainers).toEqual([]);
    expect(Object.keys(w.containers[0].env.variables)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
    expect(chart.node.findAll().some((n) => n.node.id === 'otel-collector')).toBe(false);
  });

  test('fails when the app asks for gRPC and the collector would point it at OTLP/HTTP', () => {
    const { chart } = newApp();
    const w = web(chart, { envVariables: { OTEL_EXPORTER_OTLP_PROTOCOL: kplus.EnvValue.fromValue('grpc') } });
    expect(() => withTelemetry(w)).toThrow(
      'Deployment "test/web", withTelemetry: container "app" sets OTEL_EXPORTER_OTLP_PROTOCOL to "grpc", but withTelemetry points the app at '
      + 'the http/protobuf receiver; pass appProtocol: TelemetryProtocol.GRPC, or pass appEnv: false');
  });

  test('fails when serviceName differs from the OTEL_SERVICE_NAME the app sets', () => {
    const { chart } = newApp();
    const w = web(chart, { envVariables: { OTEL_SERVICE_NAME: kplus.EnvValue.fromValue('shop') } });
    expect(() => withTelemetry(w, { serviceName: 'checkout' })).toThrow(
      'Deployment "test/web", withTelemetry: serviceName is "checkout", but container "app" sets OTEL_SERVICE_NAME to "shop"; '
      + 'give the same name, or leave serviceName out to keep the container\'s');
  });

  test('fails when appContainers names a container the pod lacks', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { appContainers: ['api'] })).toThrow(
      'Deployment "test/web", withTelemetry: appContainers names "api", but the pod has no such container (it has "app"); add the container before attaching the collector');
  });

  test('fails when the pod has no app container yet', () => {
    const { chart } = newApp();
    const w = new kplus.Deployment(chart, 'web');
    expect(() => withTelemetry(w)).toThrow(
      'Deployment "test/web", withTelemetry: the pod has no app container yet; add the app containers before attaching the collector, or pass appEnv: false');
  });
});

describe('called twice, and with another helper', () => {
  test('fails when withTelemetry is called twice with the same name', () => {
    const { chart } = newApp();
    const w = web(chart);
    withTelemetry(w);
    expect(() => withTelemetry(w, { appEnv: false })).toThrow(
      'Deployment "test/web", withTelemetry: the workload already has a sidecar named "otel-collector"; give the second one another name');
  });

  test('fails when a second collector would point the app at its own endpoint', () => {
    const { chart } = newApp();
    const w = web(chart);
    withTelemetry(w);
    expect(() => withTelemetry(w, { name: 'otel-2', otlpHttpPort: 14318 })).toThrow(
      'container "app" sets OTEL_EXPORTER_OTLP_ENDPOINT to "http://127.0.0.1:4318", so its telemetry would not go to the collector at http://127.0.0.1:14318');
  });

  test('fails when two collectors listen on one OTLP port', () => {
    const { app, chart } = newApp();
    const w = web(chart);
    withTelemetry(w);
    withTelemetry(w, { name: 'otel-2', appEnv: false, otlpHttpPort: 14318, healthPort: 13134, selfMetrics: TelemetrySelfMetrics.off() });
    expect(synthFails(app)).toContain(
      '[test/web] port 4317/TCP: container "otel-collector" (withTelemetry (OpenTelemetry Collector), native sidecar) [OTLP/gRPC receiver, bound on 127.0.0.1, not declared] '
      + 'and container "otel-2" (withTelemetry (OpenTelemetry Collector), native sidecar) [OTLP/gRPC receiver, bound on 127.0.0.1, not declared] both listen on it, '
      + 'and the containers of a pod share one network namespace; pass otlpGrpcPort to withTelemetry');
  });

  test('two collectors on their own ports synthesize', () => {
    const { app, chart } = newApp();
    const w = web(chart);
    withTelemetry(w);
    withTelemetry(w, { name: 'otel-2', appEnv: false, otlpGrpcPort: 14317, otlpHttpPort: 14318, healthPort: 13134, selfMetrics: TelemetrySelfMetrics.local(18888) });
    const c = synthCollector(app, 'otel-2');
    expect(c.collector.ports).toEqual([{ containerPort: 13134, name: 'otel-health-2', protocol: 'TCP' }]);
  });

  test('fails when the app declares the collector\'s OTLP port', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart, { ports: [{ number: 4318, name: 'http' }] }));
    expect(synthFails(app)).toContain('port 4318/TCP: ');
    expect(synthFails(app)).toContain('pass otlpHttpPort to withTelemetry');
  });

  test('beside a log shipper on the same pod', () => {
    const { app, chart } = newApp();
    const w = web(chart);
    withLogShipper(w, { logPath: '/var/log/app' });
    withTelemetry(w);
    const c = synthCollector(app);
    expect(c.spec.initContainers.map((x: any) => x.name)).toEqual(['log-shipper', 'otel-collector']);
  });
});

describe('sources', () => {
  test('a Prometheus source scrapes the app\'s declared port on 127.0.0.1 into the metrics pipeline', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), {
      serviceName: 'web',
      sources: [TelemetrySource.prometheus({ port: 9090, path: '/stats/prometheus', interval: Duration.seconds(5) })],
    });
    const c = synthCollector(app);
    expect(c.config.receivers.prometheus.config.scrape_configs).toEqual([{
      job_name: 'web',
      scrape_interval: '5s',
      scrape_timeout: '5s',
      metrics_path: '/stats/prometheus',
      scheme: 'http',
      fallback_scrape_protocol: 'PrometheusText0.0.4',
      static_configs: [{ targets: ['127.0.0.1:9090'] }],
    }]);
    expect(c.config.service.pipelines.metrics.receivers).toEqual(['otlp', 'prometheus']);
    expect(c.config.service.pipelines.traces.receivers).toEqual(['otlp']);
  });

  test('fails when a scrape port is one no app container declares', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { sources: [TelemetrySource.prometheus({ port: 9100 })] })).toThrow(
      'Deployment "test/web", withTelemetry: sources[0] (prometheus): port 9100 is not a TCP port of the app ("app" declares 8080, 9090); '
      + 'declare the metrics port on the app container (portNumber or ports), or give the port it declares');
  });

  test('fails when sources scrape metrics but no exporter takes them', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), {
      sources: [TelemetrySource.prometheus({ port: 9090 })],
      exporters: [TelemetryExporter.debug({ signals: [TelemetrySignal.TRACES] })],
    })).toThrow('withTelemetry: sources scrape metrics, but no exporter takes metrics; add one (TelemetryExporter.prometheusRemoteWrite, or an OTLP exporter with TelemetrySignal.METRICS)');
  });

  test('fails when two sources scrape as one job', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), {
      sources: [TelemetrySource.prometheus({ port: 9090 }), TelemetrySource.prometheus({ port: 8080 })],
    })).toThrow('two sources scrape as the job "test-web-c8ba1bf5"; give each its own job (Prometheus refuses a job name twice)');
  });

  test('fails when the scrape interval is shorter than a second', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { sources: [TelemetrySource.prometheus({ port: 9090, interval: Duration.millis(500) })] })).toThrow(
      'sources[0] (prometheus): interval 500 millis is shorter than a second; give Duration.seconds(1) or more');
  });
});

describe('exporters', () => {
  test('OTLP/gRPC over TLS with an API key from a Secret and a CA: ${env:…} in the config, secretKeyRef in the env, nothing secret in the ConfigMap', () => {
    const { app, chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'otlp-credentials');
    const ca = kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'corp-ca');
    withTelemetry(web(chart), {
      exporters: [TelemetryExporter.otlp({
        endpoint: 'https://otlp.example.com:4317',
        headers: { 'x-api-key': { secret, key: 'api-key' }, 'x-tenant': 'web-team' },
        ca: TelemetryCa.fromConfigMap(ca, 'ca.crt'),
        compression: TelemetryCompression.ZSTD,
      })],
    });
    const c = synthCollector(app);
    expect(c.config.exporters['otlp_grpc/0']).toEqual({
      endpoint: 'otlp.example.com:4317',
      tls: { ca_file: '/etc/otelcol-tls/0/ca.crt' },
      headers: { 'x-api-key': '${env:OTELCOL_EXPORTER_0_X_API_KEY}', 'x-tenant': 'web-team' },
      compression: 'zstd',
    });
    expect(env(c.collector, 'OTELCOL_EXPORTER_0_X_API_KEY')).toEqual({
      name: 'OTELCOL_EXPORTER_0_X_API_KEY', valueFrom: { secretKeyRef: { name: 'otlp-credentials', key: 'api-key' } },
    });
    expect(c.spec.volumes).toContainEqual({ name: 'otel-collector-ca-0', configMap: { name: 'corp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    // No literal environment value anywhere names a credential.
    for (const e of c.collector.env) if (e.value !== undefined) expect(e.name).toMatch(/^(GOMEMLIMIT)$/);
  });

  test('plaintext OTLP/gRPC, OTLP/HTTP with a bearer token, and remote write, per signal', () => {
    const { app, chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'backend');
    withTelemetry(web(chart), {
      sources: [TelemetrySource.prometheus({ port: 9090 })],
      exporters: [
        TelemetryExporter.otlp({ endpoint: 'http://tempo.observability:4317', signals: [TelemetrySignal.TRACES] }),
        TelemetryExporter.otlpHttp({ endpoint: 'https://logs.example.com/otlp/', bearerToken: { secret, key: 'token' }, signals: [TelemetrySignal.LOGS] }),
        TelemetryExporter.prometheusRemoteWrite({
          url: 'https://mimir.example.com/api/v1/push', externalLabels: { cluster: 'eu-1' }, resourceToTelemetryConversion: true,
        }),
        TelemetryExporter.debug({ verbosity: TelemetryDebugVerbosity.DETAILED, signals: [TelemetrySignal.LOGS] }),
      ],
    });
    const c = synthCollector(app);
    expect(c.config.exporters).toEqual({
      'otlp_grpc/0': { endpoint: 'tempo.observability:4317', tls: { insecure: true }, compression: 'gzip' },
      'otlp_http/1': { endpoint: 'https://logs.example.com/otlp', headers: { Authorization: 'Bearer ${env:OTELCOL_EXPORTER_1_BEARER_TOKEN}' }, compression: 'gzip' },
      'prometheus_remote_write/2': {
        endpoint: 'https://mimir.example.com/api/v1/push', external_labels: { cluster: 'eu-1' }, resource_to_telemetry_conversion: { enabled: true },
      },
      'debug/3': { verbosity: 'detailed' },
    });
    expect(c.config.service.pipelines.traces.exporters).toEqual(['otlp_grpc/0']);
    expect(c.config.service.pipelines.metrics.exporters).toEqual(['prometheus_remote_write/2']);
    expect(c.config.service.pipelines.logs.exporters).toEqual(['otlp_http/1', 'debug/3']);
  });

  test('a signal no exporter takes has no pipeline', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), { exporters: [TelemetryExporter.prometheusRemoteWrite({ url: 'http://prometheus.monitoring:9090/api/v1/write' })] });
    const c = synthCollector(app);
    expect(Object.keys(c.config.service.pipelines)).toEqual(['metrics']);
  });

  const refusals: Array<[string, () => TelemetryExporter, string]> = [
    ['an OTLP endpoint has the wrong scheme', () => TelemetryExporter.otlp({ endpoint: 'grpc://otlp.example.com:4317' }),
      'exporters[0] (otlp_grpc): endpoint "grpc://otlp.example.com:4317" has the scheme "grpc"; the exporter takes http (plaintext) or https (TLS) only: write "https://otlp.example.com:4317"'],
    ['a remote-write URL has the wrong scheme', () => TelemetryExporter.prometheusRemoteWrite({ url: 'tcp://mimir:9009/api/v1/push' }),
      'exporters[0] (prometheus_remote_write): url "tcp://mimir:9009/api/v1/push" has the scheme "tcp"; the exporter takes http (plaintext) or https (TLS) only'],
    ['an OTLP/gRPC endpoint has no port', () => TelemetryExporter.otlp({ endpoint: 'https://otlp.example.com' }),
      'exporters[0] (otlp_grpc): endpoint "https://otlp.example.com" has no port; gRPC has no default port to fall back on: give it, for example "https://otlp.example.com:4317"'],
    ['an OTLP/gRPC endpoint has a path', () => TelemetryExporter.otlp({ endpoint: 'https://otlp.example.com:4317/v1' }),
      'exporters[0] (otlp_grpc): endpoint "https://otlp.example.com:4317/v1" has a path or query, which gRPC cannot carry; give scheme, host and port only'],
    ['an OTLP/HTTP endpoint ends in a signal path', () => TelemetryExporter.otlpHttp({ endpoint: 'https://otlp.example.com/v1/traces' }),
      'exporters[0] (otlp_http): endpoint "https://otlp.example.com/v1/traces" ends in a signal\'s path, which the exporter appends itself; give the base URL, for example "https://otlp.example.com"'],
    ['an endpoint holds credentials', () => TelemetryExporter.otlpHttp({ endpoint: 'https://user:pw@otlp.example.com' }),
      'exporters[0] (otlp_http): endpoint "https://user:pw@otlp.example.com" holds credentials, which would be written into a ConfigMap; remove them and pass bearerToken or headers from a Secret'],
    ['a credential header has a literal value', () => TelemetryExporter.otlp({ endpoint: 'https://otlp.example.com:4317', headers: { Authorization: 'Bearer abc' } }),
      'exporters[0] (otlp_grpc): header "Authorization" carries a credential, but its value is a literal string, which would land in the ConfigMap; pass it as a kplus.SecretValue ({ secret, key })'],
    ['a literal header value holds "$"', () => TelemetryExporter.otlp({ endpoint: 'https://otlp.example.com:4317', headers: { 'x-tenant': '${HOME}' } }),
      'exporters[0] (otlp_grpc): header "x-tenant" has the value "${HOME}"; a literal value is printable ASCII without "$" (the collector would expand ${...}); put anything else in a Secret'],
    ['a CA is given for a plaintext endpoint', () => TelemetryExporter.otlp({ endpoint: 'http://otlp:4317', ca: TelemetryCa.fromSecret(kplus.Secret.fromSecretName(newApp().chart, 's', 's'), 'ca.crt') }),
      'exporters[0] (otlp_grpc): a ca is given but the endpoint is not https; use an https endpoint, or drop the ca'],
    ['remote write is asked for traces', () => TelemetryExporter.debug({ signals: [] }),
      'exporters[0] (debug): signals is empty; name at least one TelemetrySignal, or leave it out for all'],
  ];
  test.each(refusals)('fails when %s', (_what, make, message) => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { exporters: [make()] })).toThrow(`Deployment "test/web", withTelemetry: ${message}`);
  });

  test('fails when exporters is empty', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { exporters: [] })).toThrow(
      'withTelemetry: exporters is empty; give at least one, for example [TelemetryExporter.otlp({ endpoint: "http://gateway.observability:4317" })]');
  });

  test('fails when a bearer token and an Authorization header are both given', () => {
    const { chart } = newApp();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'backend');
    expect(() => withTelemetry(web(chart), {
      exporters: [TelemetryExporter.otlp({ endpoint: 'https://o:4317', bearerToken: { secret, key: 't' }, headers: { authorization: { secret, key: 'a' } } })],
    })).toThrow('exporters[0] (otlp_grpc): header "authorization" and bearerToken both set Authorization; give one');
  });
});

describe('memory and batch', () => {
  test('the memory limiter follows the container\'s memory limit', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), { resources: { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) } } });
    const c = synthCollector(app);
    // min(80% of 128, 128 - 50) = 78; spike 20% = 15; GOMEMLIMIT 80% of 78 = 62.
    expect(c.config.processors.memory_limiter).toEqual({ check_interval: '1s', limit_mib: 78, spike_limit_mib: 15 });
    expect(env(c.collector, 'GOMEMLIMIT').value).toBe('62MiB');
    expect(c.collector.resources.limits.memory).toBe('128Mi');
    expect(c.collector.resources.limits.cpu).toBe('500m');
  });

  test('memoryLimit and batch are written as given', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), {
      memoryLimit: { limit: Size.mebibytes(400), spikeLimit: Size.mebibytes(100), checkInterval: Duration.millis(500) },
      batch: { size: 1000, maxSize: 2000, timeout: Duration.seconds(2) },
    });
    const c = synthCollector(app);
    expect(c.config.processors.memory_limiter).toEqual({ check_interval: '500ms', limit_mib: 400, spike_limit_mib: 100 });
    expect(c.config.processors.batch).toEqual({ send_batch_size: 1000, send_batch_max_size: 2000, timeout: '2s' });
  });

  test('fails when the memory limit is larger than the container allows', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { memoryLimit: { limit: Size.mebibytes(600) } })).toThrow(
      'Deployment "test/web", withTelemetry: memoryLimit.limit is 600MiB, but the container\'s memory limit is 512MiB and the collector\'s process uses about 50MiB '
      + 'beyond its heap: give at most 462MiB, or raise resources.memory.limit to 650Mi or more');
  });

  test('fails when the spike limit is not below the limit', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { memoryLimit: { limit: Size.mebibytes(200), spikeLimit: Size.mebibytes(200) } })).toThrow(
      'memoryLimit.spikeLimit is 200MiB, not less than the limit 200MiB; the collector refuses data above limit - spikeLimit, so give a spikeLimit below it (about 20% of the limit: 40MiB)');
  });

  test('a memory request alone keeps the default limit, which the memory limiter is sized from', () => {
    const { chart } = newApp();
    const telemetry = withTelemetry(web(chart), { resources: { memory: { request: Size.mebibytes(128) } } });
    expect(telemetry.container!.resources?.memory?.request?.toMebibytes()).toBe(128);
    expect(telemetry.container!.resources?.memory?.limit?.toMebibytes()).toBe(512);
  });

  test('fails when the container limit is too small to run the collector', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { resources: { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) } } })).toThrow(
      'the collector\'s memory limit would be 14MiB (from a container limit of 64MiB), too little to run it; give resources.memory a limit of 82Mi or more (128Mi or more is advised)');
  });

  test('fails when the batch\'s maxSize is smaller than its size', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { batch: { size: 8192, maxSize: 1000 } })).toThrow(
      'batch.maxSize 1000 is smaller than batch.size 8192; the batch processor refuses that: give a maxSize of 8192 or more, or a smaller size');
  });
});

describe('ports and own metrics', () => {
  test('own metrics exposed: on every address, declared as otel-metrics', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), { selfMetrics: TelemetrySelfMetrics.exposed(8889) });
    const c = synthCollector(app);
    expect(c.config.service.telemetry.metrics.readers[0].pull.exporter.prometheus).toEqual({ host: '0.0.0.0', port: 8889 });
    expect(c.collector.ports).toContainEqual({ containerPort: 8889, name: 'otel-metrics', protocol: 'TCP' });
  });

  test('own metrics off: level none, nothing listens', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart, { ports: [{ number: 8888, name: 'http' }] }), { selfMetrics: TelemetrySelfMetrics.off() });
    const c = synthCollector(app);
    expect(c.config.service.telemetry.metrics).toEqual({ level: 'none' });
  });

  test('fails when the app declares the collector\'s own metrics port', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart, { ports: [{ number: 8888, name: 'http' }] }));
    expect(synthFails(app)).toContain('pass selfMetrics: TelemetrySelfMetrics.local(<port>) to withTelemetry');
  });

  test('fails when two of the collector\'s ports are the same', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { otlpHttpPort: 4317 })).toThrow(
      'Deployment "test/web", withTelemetry: otlpGrpcPort and otlpHttpPort are both 4317; the collector listens on each, so give them different ports');
  });

  test('fails when a port is out of range', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { healthPort: 70000 })).toThrow('withTelemetry: healthPort 70000 ');
  });
});

describe('names and values', () => {
  test('fails when serviceName holds a separator', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { serviceName: 'web,team=x' })).toThrow(
      'withTelemetry: serviceName "web,team=x" may hold letters, digits and _ . : / @ + - (1 to 253 characters) only');
  });

  test('fails when a resource attribute sets one the pod provides', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { resourceAttributes: { 'k8s.pod.name': 'x' } })).toThrow(
      'resourceAttributes: "k8s.pod.name" is set from the pod by withTelemetry; remove it');
  });

  test('fails when a resource attribute value would break OTEL_RESOURCE_ATTRIBUTES', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { resourceAttributes: { team: 'a,b=c' } })).toThrow(
      'resourceAttributes: "team" has the value "a,b=c"; values may hold letters, digits and _ . : / @ + - (1 to 253 characters), which OTEL_RESOURCE_ATTRIBUTES and the collector take verbatim');
  });

  test('fails when the name is not a DNS label', () => {
    const { chart } = newApp();
    expect(() => withTelemetry(web(chart), { name: 'Otel' })).toThrow('withTelemetry: name "Otel" ');
  });

  test('the collector gets the mode the workload defaults to, and a mirror image', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), { image: 'mirror.example.com/otel/opentelemetry-collector-contrib:0.162.0', mode: SidecarMode.CLASSIC });
    const { manifests } = synth(app);
    const c = collected(manifests);
    expect(c.collector.image).toBe('mirror.example.com/otel/opentelemetry-collector-contrib:0.162.0');
    expect(podSpecOf(c.workload).containers.map((x: any) => x.name)).toEqual(['app', 'otel-collector']);
  });
});

describe('the Telemetry construct', () => {
  test('inside the workload, without a workload prop, it attaches to its scope', () => {
    const { app, chart } = newApp();
    const w = web(chart);
    const t = new Telemetry(w, 'otel-collector', {});
    expect(t.node.path).toBe('test/web/otel-collector');
    synthCollector(app);
  });

  test('fails when neither a workload is given nor the scope is one', () => {
    const { chart } = newApp();
    expect(() => new Telemetry(chart, 'otel', {})).toThrow(
      'Telemetry "test/otel": no workload given and the scope "test" is not one; pass workload (a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod, or an ApiObject of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod), '
      + 'or create it inside the workload');
  });
});
