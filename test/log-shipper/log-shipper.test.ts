import { createHash } from 'crypto';
import { Cron, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { fluentBitProblems, vectorProblems } from './engine-schemas';
import { pathProblems, shipped } from './helpers';
import {
  LogBuffer, LogMetadata, LogMultiline, LogOutput, LogParser, LogShipperEngine, SidecarMode, TlsCa, withLogShipper, withSidecar,
} from '../../lib';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';

const ENGINES: Array<[string, LogShipperEngine]> = [['Fluent Bit', LogShipperEngine.FLUENT_BIT], ['Vector', LogShipperEngine.VECTOR]];

function web(chart: any, extra: Partial<kplus.ContainerProps> = {}) {
  return new kplus.Deployment(chart, 'web', {
    containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, securityContext: { user: 1000, group: 1000 }, ...extra }],
  });
}

function engineProblems(s: ReturnType<typeof shipped>): string[] {
  return s.file === 'fluent-bit.yaml' ? fluentBitProblems(s.config) : vectorProblems(s.config);
}

/** Synthesizes, and checks the shipper as every test should: schema, restricted profile, engine keys, paths. */
function synthShipper(app: any, container = 'log-shipper', workloadName?: string) {
  const { manifests, files } = synth(app);
  const s = shipped(manifests, container, workloadName);
  expect(restrictedProblems(s.spec, [container])).toEqual([]);
  expect(engineProblems(s)).toEqual([]);
  expect(pathProblems(s, manifests)).toEqual([]);
  return { manifests, files, ...s };
}

describe('withLogShipper, the defaults', () => {
  test('a Deployment gets Fluent Bit as a native sidecar, the shared folder, a state emptyDir and its config', () => {
    const { app, chart } = newApp();
    const shipper = withLogShipper(web(chart), { logPath: '/var/log/app' });
    const s = synthShipper(app);

    expect(s.shipper.restartPolicy).toBe('Always');
    expect(s.spec.initContainers.map((c: any) => c.name)).toEqual(['log-shipper']);
    expect(s.shipper.image).toBe('cr.fluentbit.io/fluent/fluent-bit:5.1.3');
    expect(s.shipper.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(s.shipper.args).toEqual(['-c', '/etc/log-shipper/fluent-bit.yaml']);
    expect(s.file).toBe('fluent-bit.yaml');
    expect(shipper.configFile).toBe('/etc/log-shipper/fluent-bit.yaml');

    // The log folder: writable in the app, read-only in the shipper, one emptyDir with a limit.
    const app0 = s.spec.containers.find((c: any) => c.name === 'app');
    expect(app0.volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'log-shipper-logs', readOnly: false }]);
    expect(s.shipper.volumeMounts).toContainEqual({ mountPath: '/var/log/app', name: 'log-shipper-logs', readOnly: true });
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-logs', emptyDir: { sizeLimit: '1024Mi' } });
    // State: the shipper's only, above the 128MiB filesystem buffer.
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-state', emptyDir: { sizeLimit: '192Mi' } });

    // Input on the folder, offsets on the state volume, default output stdout.
    const input = s.config.pipeline.inputs[0];
    expect(input).toMatchObject({ 'name': 'tail', 'path': '/var/log/app/*.log', 'db': '/var/lib/log-shipper/tail.db', 'storage.type': 'filesystem' });
    expect(s.config.service).toMatchObject({ 'http_server': 'on', 'http_port': 2020, 'health_check': 'on', 'storage.path': '/var/lib/log-shipper/storage' });
    expect(s.config.pipeline.outputs.map((o: any) => o.name)).toEqual(['stdout']);
    // Default fields: namespace and pod from the downward API, container by name.
    expect(s.config.pipeline.filters[0].record).toEqual(['namespace ${LOG_SHIPPER_NAMESPACE}', 'pod ${LOG_SHIPPER_POD_NAME}', 'container app']);
    expect(s.shipper.env).toEqual([
      { name: 'LOG_SHIPPER_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'LOG_SHIPPER_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);

    // Health: declared, named port; probes on it that do not depend on the outputs.
    expect(s.shipper.ports).toEqual([{ containerPort: 2020, name: 'logs-2020', protocol: 'TCP' }]);
    expect(s.shipper.livenessProbe.httpGet).toEqual({ path: '/api/v1/uptime', port: 2020, scheme: 'HTTP' });
    expect(s.shipper.readinessProbe.httpGet).toEqual({ path: '/api/v1/uptime', port: 2020, scheme: 'HTTP' });
    expect(s.shipper.startupProbe).toBeUndefined();
    expect(s.shipper.resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '25m', memory: '48Mi' } });

    // Pods roll when the configuration changes.
    expect(s.workload.spec.template.metadata.annotations['cdk8s-sidecars/log-shipper-config-sha256'])
      .toBe(createHash('sha256').update(s.text).digest('hex'));
  });

  test('Vector: its API on the pod IP for the probes, data_dir on the state volume, pod values from a downwardAPI volume', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', engine: LogShipperEngine.VECTOR });
    const s = synthShipper(app);
    expect(s.shipper.image).toBe('timberio/vector:0.59.0-distroless-libc');
    expect(s.shipper.args).toEqual(['--config', '/etc/log-shipper/vector.yaml']);
    expect(s.config.api).toEqual({ enabled: true, address: '0.0.0.0:8686' });
    expect(s.config.data_dir).toBe('/var/lib/log-shipper');
    expect(s.config.sources.app_logs).toMatchObject({ type: 'file', include: ['/var/log/app/*.log'] });
    expect(s.config.sinks.stdout_0).toMatchObject({ type: 'console', acknowledgements: { enabled: true }, buffer: { type: 'memory', when_full: 'block' } });
    expect(s.config.transforms.app_records.source).toContain('.pod = "SECRET[pod_info.pod_name]"');
    expect(s.spec.volumes).toContainEqual({
      name: 'log-shipper-pod-info',
      downwardAPI: { items: [{ fieldRef: { fieldPath: 'metadata.namespace' }, path: 'namespace' }, { fieldRef: { fieldPath: 'metadata.name' }, path: 'pod_name' }] },
    });
    expect(s.shipper.ports).toEqual([{ containerPort: 8686, name: 'logs-8686', protocol: 'TCP' }]);
    expect(s.shipper.livenessProbe.httpGet.path).toBe('/health');
    expect(s.shipper.env).toBeUndefined();
  });

  test('the handle exposes what a user adjusts next', () => {
    const { chart } = newApp();
    const shipper = withLogShipper(web(chart), { logPath: '/var/log/app/' });
    expect(shipper.logPath).toBe('/var/log/app');
    expect(shipper.healthPort).toBe(2020);
    expect(shipper.container.name).toBe('log-shipper');
    expect(shipper.mode).toBe(SidecarMode.NATIVE);
    expect(shipper.logVolume.name).toBe('log-shipper-logs');
    expect(shipper.stateVolume.name).toBe('log-shipper-state');
    expect(shipper.engine).toBe(LogShipperEngine.FLUENT_BIT);
    expect(shipper.config).toContain('path: /var/log/app/*.log');
  });
});

describe.each(ENGINES)('%s on every workload kind', (_name, engine) => {
  const kinds: Array<[string, (chart: any) => kplus.AbstractPod]> = [
    ['Deployment', (c) => new kplus.Deployment(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] })],
    ['StatefulSet', (c) => new kplus.StatefulSet(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }], service: new kplus.Service(c, 'svc', { clusterIP: 'None', ports: [{ port: 80 }] }) })],
    ['DaemonSet', (c) => new kplus.DaemonSet(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] })],
    ['Job', (c) => new kplus.Job(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] })],
    ['CronJob', (c) => new kplus.CronJob(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }], schedule: Cron.hourly() })],
    ['Pod', (c) => new kplus.Pod(c, 'w', { containers: [{ name: 'app', image: 'acme/app:1' }] })],
  ];
  test.each(kinds)('%s', (kind, make) => {
    const { app, chart } = newApp();
    const workload = make(chart);
    withLogShipper(workload, { logPath: '/var/log/app', engine, parser: LogParser.json() });
    const s = synthShipper(app);
    expect(s.workload.kind).toBe(kind);
    // Native: an init container with restartPolicy Always, so a Job still completes.
    expect(s.spec.initContainers.find((c: any) => c.name === 'log-shipper').restartPolicy).toBe('Always');
    expect(s.spec.containers.map((c: any) => c.name)).toEqual(['app']);
  });
});

describe('Jobs', () => {
  test('native mode lets the Job complete: the shipper is a native sidecar, the app the only regular container', () => {
    const { app, chart } = newApp();
    const job = new kplus.Job(chart, 'batch', { containers: [{ name: 'app', image: 'acme/batch:1' }] });
    withLogShipper(job, { logPath: '/var/log/batch' });
    const s = synthShipper(app);
    expect(s.spec.restartPolicy).toBe('Never');
    expect(s.spec.containers.map((c: any) => c.name)).toEqual(['app']);
    expect(s.shipper.restartPolicy).toBe('Always');
  });

  test('fails when a classic shipper is attached to a Job (it would never complete)', () => {
    const { app, chart } = newApp();
    const job = new kplus.Job(chart, 'batch', { containers: [{ name: 'app', image: 'acme/batch:1' }] });
    withLogShipper(job, { logPath: '/var/log/batch', mode: SidecarMode.CLASSIC });
    const message = synthFails(app);
    expect(message).toContain('container "log-shipper" (withLogShipper (Fluent Bit), classic sidecar) on a Job never exits, so the Job would never complete');
    expect(message).toContain('mode: SidecarMode.NATIVE');
  });

  test('fails when a classic shipper is attached to a CronJob', () => {
    const { app, chart } = newApp();
    const cron = new kplus.CronJob(chart, 'nightly', { containers: [{ name: 'app', image: 'acme/batch:1' }], schedule: Cron.daily() });
    withLogShipper(cron, { logPath: '/var/log/batch', mode: SidecarMode.CLASSIC, engine: LogShipperEngine.VECTOR });
    expect(synthFails(app)).toContain('container "log-shipper" (withLogShipper (Vector), classic sidecar) on a CronJob never exits');
  });
});

describe('degenerate and combined cases', () => {
  test('two app containers both write the folder; CONTAINER names both', () => {
    const { app, chart } = newApp();
    const d = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'acme/app:1' }, { name: 'worker', image: 'acme/worker:1' }] });
    withLogShipper(d, { logPath: '/var/log/app' });
    const s = synthShipper(app);
    for (const name of ['app', 'worker']) {
      expect(s.spec.containers.find((c: any) => c.name === name).volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'log-shipper-logs', readOnly: false }]);
    }
    expect(s.config.pipeline.filters[0].record).toContain('container app+worker');
  });

  test('appContainers limits the writers', () => {
    const { app, chart } = newApp();
    const d = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'acme/app:1' }, { name: 'worker', image: 'acme/worker:1' }] });
    withLogShipper(d, { logPath: '/var/log/worker', appContainers: ['worker'] });
    const s = synthShipper(app);
    expect(s.spec.containers.find((c: any) => c.name === 'app').volumeMounts).toBeUndefined();
    expect(s.config.pipeline.filters[0].record).toContain('container worker');
  });

  test('called twice, for two folders with their own names and ports', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withLogShipper(d, { logPath: '/var/log/app' });
    withLogShipper(d, { logPath: '/var/log/audit', name: 'audit-shipper', healthPort: 2021, engine: LogShipperEngine.VECTOR });
    const { manifests } = synth(app);
    const first = shipped(manifests, 'log-shipper');
    const second = shipped(manifests, 'audit-shipper');
    for (const s of [first, second]) {
      expect(engineProblems(s)).toEqual([]);
      expect(pathProblems(s, manifests)).toEqual([]);
    }
    expect(second.config.api.address).toBe('0.0.0.0:2021');
    expect(first.spec.volumes.map((v: any) => v.name).sort()).toEqual([
      'audit-shipper-config', 'audit-shipper-logs', 'audit-shipper-pod-info', 'audit-shipper-state',
      'log-shipper-config', 'log-shipper-logs', 'log-shipper-state',
    ]);
    const annotations = first.workload.spec.template.metadata.annotations;
    expect(Object.keys(annotations).sort()).toEqual(['cdk8s-sidecars/audit-shipper-config-sha256', 'cdk8s-sidecars/log-shipper-config-sha256']);
  });

  test('with withSidecar on the same pod', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withSidecar(d, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.28.0', ports: [{ number: 9102, name: 'metrics' }] });
    withLogShipper(d, { logPath: '/var/log/app' });
    const s = synthShipper(app);
    expect(s.spec.initContainers.map((c: any) => c.name)).toEqual(['exporter', 'log-shipper']);
    // The exporter does not write the log folder.
    expect(s.spec.initContainers[0].volumeMounts).toBeUndefined();
  });

  test('a bare Pod', () => {
    const { app, chart } = newApp();
    const pod = new kplus.Pod(chart, 'p', { containers: [{ name: 'app', image: 'acme/app:1' }] });
    withLogShipper(pod, { logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://loki:3100' })] });
    const s = synthShipper(app);
    expect(s.workload.metadata.annotations['cdk8s-sidecars/log-shipper-config-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('classic mode keeps the shipper port out of the Service', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withLogShipper(d, { logPath: '/var/log/app', mode: SidecarMode.CLASSIC });
    d.exposeViaService({ name: 'web' });
    const { manifests } = synth(app);
    expect(find(manifests, 'Service').spec.ports.map((p: any) => p.port)).toEqual([8080]);
    expect(allContainers(podSpecOf(find(manifests, 'Deployment'))).map((c: any) => c.name)).toEqual(['app', 'log-shipper']);
  });

  test('sizeLimit and resources are the user\'s to set', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), {
      logPath: '/var/log/app',
      sizeLimit: Size.mebibytes(300),
      resources: { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(200) } },
    });
    const s = synthShipper(app);
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-logs', emptyDir: { sizeLimit: '300Mi' } });
    expect(s.shipper.resources).toEqual({ limits: { cpu: '500m', memory: '200Mi' }, requests: { cpu: '25m', memory: '64Mi' } });
  });

  test('buffers: the state emptyDir is sized above them', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withLogShipper(d, { logPath: '/var/log/a', buffer: LogBuffer.memory({ maxSize: Size.mebibytes(8) }) });
    withLogShipper(d, {
      logPath: '/var/log/b',
      name: 'b',
      healthPort: 8687,
      engine: LogShipperEngine.VECTOR,
      buffer: LogBuffer.filesystem({ maxSize: Size.mebibytes(300) }),
      outputs: [LogOutput.stdout(), LogOutput.loki({ url: 'http://loki:3100' })],
    });
    const { manifests } = synth(app);
    const a = shipped(manifests, 'log-shipper');
    expect(a.config.pipeline.inputs[0]).toMatchObject({ 'storage.type': 'memory', 'mem_buf_limit': '8M' });
    expect(a.config.service['storage.path']).toBeUndefined();
    expect(a.spec.volumes).toContainEqual({ name: 'log-shipper-state', emptyDir: { sizeLimit: '64Mi' } });
    const b = shipped(manifests, 'b');
    expect(b.config.sinks.loki_0.buffer).toEqual({ type: 'disk', max_size: 300 * 1024 * 1024, when_full: 'block' });
    expect(a.spec.volumes).toContainEqual({ name: 'b-state', emptyDir: { sizeLimit: `${2 * 300 + 64}Mi` } });
  });
});

describe('credentials', () => {
  const SECRET_VALUES = ['hunter2-user', 's3cr3t-pa55word', 'tok-abcdef123456', 'AKIAEXAMPLE', 'wJalrEXAMPLEKEY', 'dd-api-key-999'];

  function allOutputs(chart: any) {
    const secret = new kplus.Secret(chart, 'creds', {
      stringData: { 'user': SECRET_VALUES[0], 'password': SECRET_VALUES[1], 'token': SECRET_VALUES[2], 'aws-id': SECRET_VALUES[3], 'aws-key': SECRET_VALUES[4], 'dd': SECRET_VALUES[5] },
    });
    const v = (key: string) => ({ secret, key });
    return [
      LogOutput.loki({ url: 'https://logs.example.com', username: v('user'), password: v('password'), tenant: 'team-a' }),
      LogOutput.elasticsearch({ url: 'https://es.example.com:9200', username: v('user'), password: v('password') }),
      LogOutput.http({ url: 'https://intake.example.com/v1/logs?source=k8s', bearerToken: v('token'), headers: { 'X-Api-Key': v('dd'), 'X-Team': 'payments' } }),
      LogOutput.s3({ bucket: 'acme-logs', region: 'eu-west-1', accessKeyId: v('aws-id'), secretAccessKey: v('aws-key') }),
      LogOutput.raw({
        fluentBit: { name: 'datadog', host: 'http-intake.logs.datadoghq.eu', tls: 'on', apikey: '${DD_API_KEY}' },
        vector: { type: 'http', uri: 'https://http-intake.logs.datadoghq.eu/api/v2/logs', encoding: { codec: 'json' }, request: { headers: { 'DD-API-KEY': 'SECRET[credentials.DD_API_KEY]' } } },
        secrets: { DD_API_KEY: v('dd') },
      }),
    ];
  }

  test.each(ENGINES)('%s: no secret value in any ConfigMap, no literal value in any environment variable', (_name, engine) => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', engine, outputs: allOutputs(chart) });
    const { manifests } = synth(app);
    const s = shipped(manifests);
    if (engine === LogShipperEngine.FLUENT_BIT) {
      // Vector's datadog-style raw block is an http sink; Fluent Bit's "datadog" plugin is not in our key table.
      expect(fluentBitProblems(s.config).filter((p) => !p.includes('"datadog"'))).toEqual([]);
    } else {
      expect(vectorProblems(s.config)).toEqual([]);
    }
    expect(pathProblems(s, manifests)).toEqual([]);
    for (const cm of manifests.filter((m) => m.kind === 'ConfigMap')) {
      const text = JSON.stringify(cm);
      for (const value of SECRET_VALUES) expect(text).not.toContain(value);
      for (const value of SECRET_VALUES) expect(text).not.toContain(Buffer.from(value).toString('base64'));
    }
    for (const c of allContainers(s.spec)) {
      for (const e of c.env ?? []) {
        expect(e.value).toBeUndefined();
        expect(Object.keys(e.valueFrom)).toEqual([expect.stringMatching(/^(secretKeyRef|fieldRef)$/)]);
      }
    }
    expect(JSON.stringify(s.workload)).not.toMatch(new RegExp(SECRET_VALUES.join('|')));
  });

  test('Fluent Bit: credentials as ${VAR} from secretKeyRef environment variables; AWS keys under their standard names', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', outputs: allOutputs(chart) });
    const { manifests } = synth(app);
    const s = shipped(manifests);
    const secretName = find(manifests, 'Secret').metadata.name;
    const envOf = (name: string) => s.shipper.env.find((e: any) => e.name === name);
    expect(envOf('LOG_SHIPPER_LOKI_0_PASSWORD')).toEqual({ name: 'LOG_SHIPPER_LOKI_0_PASSWORD', valueFrom: { secretKeyRef: { name: secretName, key: 'password' } } });
    expect(envOf('AWS_ACCESS_KEY_ID').valueFrom.secretKeyRef.key).toBe('aws-id');
    expect(envOf('AWS_SECRET_ACCESS_KEY').valueFrom.secretKeyRef.key).toBe('aws-key');
    expect(envOf('DD_API_KEY').valueFrom.secretKeyRef.key).toBe('dd');
    const [loki, es, http, s3, raw] = s.config.pipeline.outputs;
    expect(loki).toMatchObject({ http_user: '${LOG_SHIPPER_LOKI_0_USERNAME}', http_passwd: '${LOG_SHIPPER_LOKI_0_PASSWORD}', tenant_id: 'team-a' });
    expect(es).toMatchObject({ http_user: '${LOG_SHIPPER_ELASTICSEARCH_0_USERNAME}', http_passwd: '${LOG_SHIPPER_ELASTICSEARCH_0_PASSWORD}' });
    expect(http.header).toEqual(['X-Api-Key ${LOG_SHIPPER_HTTP_0_HEADER_0}', 'X-Team payments', 'Authorization Bearer ${LOG_SHIPPER_HTTP_0_TOKEN}']);
    expect(s3).not.toHaveProperty('aws_access_key_id');
    expect(raw).toMatchObject({ name: 'datadog', apikey: '${DD_API_KEY}', match: 'app' });
  });

  test('Vector: credentials as SECRET[credentials.*] from a projected Secret volume', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, outputs: allOutputs(chart) });
    const { manifests } = synth(app);
    const s = shipped(manifests);
    expect(s.config.secret.credentials).toEqual({ type: 'directory', path: '/etc/log-shipper-credentials', remove_trailing_whitespace: true });
    const volume = s.spec.volumes.find((v: any) => v.name === 'log-shipper-credentials');
    expect(volume.projected.sources.map((src: any) => src.secret.items[0].path)).toEqual([
      'loki_0_username', 'loki_0_password', 'elasticsearch_0_username', 'elasticsearch_0_password', 'http_0_header_0', 'http_0_token',
      's3_0_access_key_id', 's3_0_secret_access_key', 'DD_API_KEY',
    ]);
    expect(s.config.sinks.loki_0.auth).toEqual({ strategy: 'basic', user: 'SECRET[credentials.loki_0_username]', password: 'SECRET[credentials.loki_0_password]' });
    expect(s.config.sinks.http_0.auth).toEqual({ strategy: 'bearer', token: 'SECRET[credentials.http_0_token]' });
    expect(s.config.sinks.s3_0.auth).toEqual({ access_key_id: 'SECRET[credentials.s3_0_access_key_id]', secret_access_key: 'SECRET[credentials.s3_0_secret_access_key]' });
    expect(s.config.sinks.raw_0.request.headers['DD-API-KEY']).toBe('SECRET[credentials.DD_API_KEY]');
  });
});

describe('TLS', () => {
  test.each(ENGINES)('%s: https outputs verify the server; a CA from a ConfigMap or a Secret is mounted read-only', (_name, engine) => {
    const { app, chart } = newApp();
    const caMap = new kplus.ConfigMap(chart, 'ca', { data: { 'corp-ca.pem': '-----BEGIN CERTIFICATE-----' } });
    const caSecret = kplus.Secret.fromSecretName(chart, 'es-ca', 'es-http-certs');
    withLogShipper(web(chart), {
      logPath: '/var/log/app',
      engine,
      outputs: [
        LogOutput.loki({ url: 'https://loki.example.com', ca: TlsCa.fromConfigMap(caMap, 'corp-ca.pem') }),
        LogOutput.elasticsearch({ url: 'https://es.logging:9200', ca: TlsCa.fromSecret(caSecret, 'ca.crt') }),
        LogOutput.http({ url: 'https://intake.example.com/logs' }),
      ],
    });
    const s = synthShipper(app);
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-ca-0', configMap: { name: find(s.manifests, 'ConfigMap', 'ca').metadata.name, items: [{ key: 'corp-ca.pem', path: 'ca.crt' }] } });
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-ca-1', secret: { secretName: 'es-http-certs', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    if (engine === LogShipperEngine.FLUENT_BIT) {
      const [loki, es, http] = s.config.pipeline.outputs;
      expect(loki).toMatchObject({ 'host': 'loki.example.com', 'port': 443, 'tls': 'on', 'tls.verify': 'on', 'tls.vhost': 'loki.example.com', 'tls.ca_file': '/etc/log-shipper-tls/loki_0/ca.crt' });
      expect(es).toMatchObject({ 'port': 9200, 'tls.ca_file': '/etc/log-shipper-tls/elasticsearch_0/ca.crt', 'suppress_type_name': 'on' });
      expect(http).toMatchObject({ tls: 'on', uri: '/logs' });
      expect(http['tls.ca_file']).toBeUndefined();
    } else {
      expect(s.config.sinks.loki_0.tls).toEqual({ verify_certificate: true, verify_hostname: true, ca_file: '/etc/log-shipper-tls/loki_0/ca.crt' });
      expect(s.config.sinks.elasticsearch_0).toMatchObject({ endpoints: ['https://es.logging:9200'], api_version: 'v8' });
      expect(s.config.sinks.http_0).toMatchObject({ uri: 'https://intake.example.com/logs', tls: { verify_certificate: true, verify_hostname: true } });
    }
  });

  test('plain http outputs get no TLS settings', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://loki.monitoring:3100' })] });
    const s = synthShipper(app);
    const loki = s.config.pipeline.outputs[0];
    expect(loki).toMatchObject({ host: 'loki.monitoring', port: 3100, uri: '/loki/api/v1/push' });
    expect(Object.keys(loki).filter((k) => k.startsWith('tls'))).toEqual([]);
  });
});

describe('outputs, parsing and fields', () => {
  test('Loki labels: the default set, fixed values, pod labels; the pod label is checked at synthesis', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    d.podMetadata.addLabel('app.kubernetes.io/name', 'web');
    withLogShipper(d, {
      logPath: '/var/log/app',
      outputs: [
        LogOutput.loki({ url: 'http://loki:3100' }),
        LogOutput.loki({ url: 'http://loki-2:3100', labels: { env: 'prod', app: LogMetadata.podLabel('app.kubernetes.io/name'), uid: LogMetadata.POD_UID } }),
      ],
    });
    const s = synthShipper(app);
    const [first, second] = s.config.pipeline.outputs;
    expect(first.labels).toBe('namespace=${LOG_SHIPPER_NAMESPACE}, pod=${LOG_SHIPPER_POD_NAME}, container=app');
    expect(second.labels).toBe('env=prod, app=${LOG_SHIPPER_LABEL_APP_KUBERNETES_IO_NAME}, uid=${LOG_SHIPPER_POD_UID}');
    expect(s.shipper.env).toContainEqual({ name: 'LOG_SHIPPER_LABEL_APP_KUBERNETES_IO_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.labels[\'app.kubernetes.io/name\']' } } });
  });

  test('Vector Loki labels read the pod through the secrets backend', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    d.podMetadata.addLabel('team', 'payments');
    withLogShipper(d, {
      logPath: '/var/log/app',
      engine: LogShipperEngine.VECTOR,
      fields: {},
      outputs: [LogOutput.loki({ url: 'http://loki:3100', labels: { team: LogMetadata.podLabel('team'), env: 'prod' } })],
    });
    const s = synthShipper(app);
    expect(s.config.sinks.loki_0.labels).toEqual({ team: 'SECRET[pod_info.label_team]', env: 'prod' });
    expect(s.config.transforms.app_records.source).toBe('# records pass unchanged\n');
    expect(s.spec.volumes.find((v: any) => v.name === 'log-shipper-pod-info').downwardAPI.items)
      .toEqual([{ fieldRef: { fieldPath: 'metadata.labels[\'team\']' }, path: 'label_team' }]);
  });

  test('fails when a pod label read by a field is missing at synthesis', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', fields: { app: LogMetadata.podLabel('app') } });
    expect(synthFails(app)).toContain('[test/web] container "log-shipper" (withLogShipper (Fluent Bit)) reads the pod label "app", which the pod template does not have; add it (workload.podMetadata.addLabel)');
  });

  test.each(ENGINES)('%s: JSON and regex parsers', (_name, engine) => {
    for (const parser of [LogParser.json(), LogParser.regex('^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$')]) {
      const { app, chart } = newApp();
      withLogShipper(web(chart), { logPath: '/var/log/app', engine, parser });
      const s = synthShipper(app);
      if (engine === LogShipperEngine.FLUENT_BIT) {
        expect(s.config.pipeline.filters[0]).toMatchObject({ name: 'parser', key_name: 'log', reserve_data: 'on' });
        expect(s.config.parsers).toHaveLength(1);
        if (parser.spec.kind === 'regex') expect(s.config.parsers[0]).toEqual({ name: 'app_regex', format: 'regex', regex: '^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$' });
      } else {
        const source = s.config.transforms.app_records.source;
        expect(source).toContain(parser.spec.kind === 'json' ? 'parse_json(string!(.message))' : "parse_regex(string!(.message), r'^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$')");
      }
    }
  });

  test.each(ENGINES)('%s: multiline for Java, Go, Python and a start pattern', (_name, engine) => {
    for (const [multiline, builtin] of [[LogMultiline.java(), 'java'], [LogMultiline.go(), 'go'], [LogMultiline.python(), 'python'], [LogMultiline.startPattern('^\\d{4}-\\d{2}-\\d{2}'), undefined]] as const) {
      const { app, chart } = newApp();
      withLogShipper(web(chart), { logPath: '/var/log/app', engine, multiline });
      const s = synthShipper(app);
      if (engine === LogShipperEngine.FLUENT_BIT) {
        expect(s.config.pipeline.inputs[0]['multiline.parser']).toBe(builtin ?? 'app_multiline');
        if (!builtin) {
          expect(s.config.multiline_parsers[0].rules).toEqual([
            { state: 'start_state', regex: '/^\\d{4}-\\d{2}-\\d{2}/', next_state: 'cont' },
            { state: 'cont', regex: '/^(?!^\\d{4}-\\d{2}-\\d{2})/', next_state: 'cont' },
          ]);
        }
      } else {
        const ml = s.config.sources.app_logs.multiline;
        // Vector's patterns are Rust regexes: check they at least compile as JavaScript ones, which share the syntax used.
        new RegExp(ml.start_pattern);
        new RegExp(ml.condition_pattern);
        expect(ml.timeout_ms).toBe(1000);
      }
    }
  });

  test('Vector multiline rules join the stack traces Fluent Bit\'s built-in parsers join', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, multiline: LogMultiline.java() });
    const java = synthShipper(app).config.sources.app_logs.multiline;
    const start = new RegExp(java.start_pattern);
    const cont = new RegExp(java.condition_pattern);
    const trace = [
      'Exception in thread "main" java.lang.IllegalStateException: boom',
      '\tat com.acme.Web.handle(Web.java:42)',
      'Caused by: java.io.IOException: closed',
      '\t... 3 more',
    ];
    expect(start.test(trace[0])).toBe(true);
    expect(trace.slice(1).every((line) => cont.test(line))).toBe(true);
    expect(cont.test('2026-11-23 INFO next record')).toBe(false);

    const { app: app2, chart: chart2 } = newApp();
    withLogShipper(web(chart2), { logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, multiline: LogMultiline.python() });
    const py = synthShipper(app2).config.sources.app_logs.multiline;
    expect(py.mode).toBe('halt_with');
    expect(new RegExp(py.start_pattern).test('Traceback (most recent call last):')).toBe(true);
    const halt = new RegExp(py.condition_pattern);
    expect(halt.test('  File "app.py", line 3, in <module>')).toBe(false);
    expect(halt.test('    raise ValueError("x")')).toBe(false);
    expect(halt.test('ValueError: x')).toBe(true);
  });

  test('S3 and the endpoint of an S3-compatible store', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', outputs: [LogOutput.s3({ bucket: 'acme-logs', region: 'eu-west-1', keyPrefix: 'web/', endpoint: 'http://minio.storage:9000' })] });
    const s = synthShipper(app);
    expect(s.config.pipeline.outputs[0]).toMatchObject({
      name: 's3',
      bucket: 'acme-logs',
      region: 'eu-west-1',
      store_dir: '/var/lib/log-shipper/s3/s3_0',
      endpoint: 'http://minio.storage:9000',
      s3_key_format: '/web/%Y/%m/%d/%H%M%S-$UUID.gz',
    });
    // The whole buffer is the S3 store (the only output), plus the margin for the offsets.
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-state', emptyDir: { sizeLimit: `${128 + 64}Mi` } });
  });

  test('Fluent Bit S3 retries a bounded but long number of times (no_limits would be 5) and buffers in its store_dir, within its share', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), {
      logPath: '/var/log/app',
      buffer: LogBuffer.filesystem({ maxSize: Size.mebibytes(256) }),
      outputs: [LogOutput.loki({ url: 'http://loki:3100' }), LogOutput.s3({ bucket: 'acme-logs', region: 'eu-west-1' })],
    });
    const s = synthShipper(app);
    const [loki, s3] = s.config.pipeline.outputs;
    expect(loki).toMatchObject({ 'retry_limit': 'no_limits', 'storage.total_limit_size': '128M' });
    // plugins/out_s3/s3.c reads retry_limit < 0 (no_limits) as 5, and warns about storage.total_limit_size.
    expect(typeof s3.retry_limit).toBe('number');
    expect(s3.retry_limit).toBeGreaterThanOrEqual(100);
    expect(s3).not.toHaveProperty(['storage.total_limit_size']);
    expect(s3).toMatchObject({ store_dir_limit_size: '128M', total_file_size: '16M', upload_timeout: '1m' });
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-state', emptyDir: { sizeLimit: `${256 + 64}Mi` } });
  });

  test('Fluent Bit S3 with memory buffers: the store is bounded by the output\'s share, and files fit in it several times', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), {
      logPath: '/var/log/app',
      buffer: LogBuffer.memory({ maxSize: Size.mebibytes(16) }),
      outputs: [LogOutput.stdout(), LogOutput.s3({ bucket: 'acme-logs', region: 'eu-west-1' })],
    });
    const s = synthShipper(app);
    const s3 = s.config.pipeline.outputs[1];
    expect(s3).toMatchObject({ store_dir_limit_size: '8M', total_file_size: '2M' });
    expect(s3).not.toHaveProperty(['storage.total_limit_size']);
    expect(s.spec.volumes).toContainEqual({ name: 'log-shipper-state', emptyDir: { sizeLimit: `${8 + 64}Mi` } });
  });

  test('Vector S3 keeps the sink\'s default retries (effectively unlimited) and its buffer', () => {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, outputs: [LogOutput.s3({ bucket: 'acme-logs', region: 'eu-west-1' })] });
    const sink = synthShipper(app).config.sinks.s3_0;
    expect(sink.request?.retry_attempts).toBeUndefined();
    expect(sink.buffer).toEqual({ type: 'memory', max_events: 500, when_full: 'block' });
    expect(sink.acknowledgements).toEqual({ enabled: true });
  });
});

/** A parser regex of either engine as a JavaScript one with the same meaning on the cases below. */
function asJs(engine: LogShipperEngine, pattern: string): RegExp {
  // Onigmo (Ruby syntax): `(?m)` is JavaScript's `s`; `^`/`$` always match at lines (JavaScript's
  // `m`); \A and \z are the ends of the text. Rust: `(?s)`/`(?m)` are JavaScript's `s`/`m`.
  let flags = engine === LogShipperEngine.FLUENT_BIT ? 'm' : '';
  let body = pattern;
  const inline = /^\(\?([a-z]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1]) {
      if (engine === LogShipperEngine.FLUENT_BIT && f === 'm') flags += 's';
      else if (engine === LogShipperEngine.VECTOR && (f === 's' || f === 'm')) flags += f;
      else throw new Error(`flag ${f} not modelled`);
    }
  }
  const anchored = body.startsWith('\\A') && body.endsWith('\\z');
  if (anchored) {
    body = `^${body.slice(2, -2)}$`;
    flags = flags.replace('m', '');
  } else if (/\\[Az]/.test(body)) {
    body = body.replace(/\\A/g, '^').replace(/\\z/g, '$');
  }
  return new RegExp(body, [...new Set(flags)].join(''));
}

/** The trimmed `log`/`message` of a joined record, by each engine's configuration. */
function trimmed(engine: LogShipperEngine, config: any, record: string): string {
  if (engine === LogShipperEngine.FLUENT_BIT) {
    const filter = config.pipeline.filters[0];
    expect(filter).toMatchObject({ name: 'parser', key_name: 'log', reserve_data: 'on' });
    const parser = config.parsers.find((p: any) => p.name === filter.parser);
    expect(parser).toMatchObject({ format: 'regex', skip_empty_values: 'off' });
    const m = asJs(engine, parser.regex).exec(record);
    expect(m).not.toBeNull();
    return m!.groups!.log;
  }
  const first = config.transforms.app_records.source.split('\n')[0];
  const m = /^\.message = replace\(string!\(\.message\), r'([^']*)', ""\)$/.exec(first);
  expect(m).not.toBeNull();
  return record.replace(new RegExp(asJs(engine, m![1]).source, 'g'), '');
}

describe('multiline records through the parsers', () => {
  // docs/log-shipper.md: a start pattern and a regex whose last group is (?<message>.*)$.
  const PATTERN = '^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$';
  const LINES = ['2026-11-23T10:00:00Z ERROR request failed', 'java.lang.IllegalStateException: boom', '\tat com.acme.Web.handle(Web.java:42)'];
  // What each engine hands the filters for those lines: Fluent Bit ends the joined record with a
  // line break (fluent/fluent-bit#8914), Vector joins without one (src/line_agg.rs).
  const JOINED: Record<string, string> = { 'fluent-bit': `${LINES.join('\n')}\n`, 'vector': LINES.join('\n') };

  function render(engine: LogShipperEngine, options: Partial<Parameters<typeof withLogShipper>[1]>) {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', engine, ...options });
    return synthShipper(app).config;
  }

  function regexOf(engine: LogShipperEngine, config: any): string {
    if (engine === LogShipperEngine.FLUENT_BIT) return config.parsers.find((p: any) => p.name === 'app_regex').regex;
    return /parse_regex\(string!\(\.message\), r'([^']*)'\)/.exec(config.transforms.app_records.source)![1];
  }

  test.each(ENGINES)('%s: a regex parser after a start pattern keeps every line in its last group', (_name, engine) => {
    const config = render(engine, { parser: LogParser.regex(PATTERN), multiline: LogMultiline.startPattern('^\\d{4}-\\d{2}-\\d{2}T') });
    const regex = regexOf(engine, config);
    expect(regex).toBe(engine === LogShipperEngine.FLUENT_BIT ? `(?m)${PATTERN}` : `(?sm)${PATTERN}`);
    const record = trimmed(engine, config, JOINED[engine.id]);
    expect(asJs(engine, regex).exec(record)!.groups).toEqual({
      time: '2026-11-23T10:00:00Z', level: 'ERROR', message: `request failed\n${LINES.slice(1).join('\n')}`,
    });
  });

  test.each(ENGINES)('%s: the Java, Go and Python presets with a regex parser carry the same flag', (_name, engine) => {
    for (const multiline of [LogMultiline.java(), LogMultiline.go(), LogMultiline.python()]) {
      const regex = regexOf(engine, render(engine, { parser: LogParser.regex(PATTERN), multiline }));
      expect(regex).toBe(engine === LogShipperEngine.FLUENT_BIT ? `(?m)${PATTERN}` : `(?sm)${PATTERN}`);
    }
  });

  test.each(ENGINES)('%s: without multiline the regex is the one given, and no line break is trimmed', (_name, engine) => {
    const config = render(engine, { parser: LogParser.regex(PATTERN) });
    expect(regexOf(engine, config)).toBe(PATTERN);
    if (engine === LogShipperEngine.FLUENT_BIT) {
      expect(config.pipeline.filters.map((f: any) => f.alias)).toEqual(['app_parser', 'app_fields']);
      expect(config.parsers.map((p: any) => p.name)).toEqual(['app_regex']);
    } else {
      expect(config.transforms.app_records.source).not.toContain('replace(');
    }
  });

  test.each(ENGINES)('%s: with any multiline rule the trailing line breaks are cut before the parser, so no field ends with one', (_name, engine) => {
    for (const multiline of [LogMultiline.java(), LogMultiline.go(), LogMultiline.python(), LogMultiline.startPattern('^\\d')]) {
      for (const parser of [LogParser.none(), LogParser.json(), LogParser.regex(PATTERN)]) {
        const config = render(engine, { parser, multiline });
        if (engine === LogShipperEngine.FLUENT_BIT) {
          // The trim comes first: the parser and the fields see the trimmed line.
          expect(config.pipeline.filters[0]).toMatchObject({ alias: 'app_trim', parser: 'app_trim' });
          expect(config.pipeline.filters.slice(1).map((f: any) => f.alias)).toEqual([...(parser.spec.kind === 'none' ? [] : ['app_parser']), 'app_fields']);
        } else {
          expect(config.transforms.app_records.source.split('\n')[0]).toMatch(/^\.message = replace\(/);
        }
        expect(trimmed(engine, config, 'panic: boom\n\ngoroutine 1 [running]:\n')).toBe('panic: boom\n\ngoroutine 1 [running]:');
        expect(trimmed(engine, config, 'one line\n\n\n')).toBe('one line');
        expect(trimmed(engine, config, '\n')).toBe('');
        expect(trimmed(engine, config, 'no break')).toBe('no break');
      }
    }
  });

  test('both engines make the same record of the same lines', () => {
    const records = ENGINES.map(([, engine]) => {
      const config = render(engine, { parser: LogParser.regex(PATTERN), multiline: LogMultiline.startPattern('^\\d{4}-\\d{2}-\\d{2}T') });
      // Fluent Bit's record ends with one line break, Vector's with the blank line joined.
      const joined = engine === LogShipperEngine.FLUENT_BIT ? `${JOINED['fluent-bit']}\n` : `${JOINED.vector}\n`;
      return asJs(engine, regexOf(engine, config)).exec(trimmed(engine, config, joined))!.groups;
    });
    expect(records[0]).toEqual(records[1]);
    expect(records[0]!.message.endsWith('\n')).toBe(false);
  });
});

describe('the port ledger', () => {
  test('fails when the health port clashes with an app port (naming both, and the fix)', () => {
    const { app, chart } = newApp();
    const d = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'acme/app:1', portNumber: 2020 }] });
    withLogShipper(d, { logPath: '/var/log/app' });
    const message = synthFails(app);
    expect(message).toContain('port 2020/TCP: container "log-shipper" (withLogShipper (Fluent Bit), native sidecar)');
    expect(message).toContain('container "app"');
    expect(message).toContain('pass healthPort to withLogShipper');
  });

  test('fails when an app port added after the call clashes with the Vector API port', () => {
    const { app, chart } = newApp();
    const d = web(chart);
    withLogShipper(d, { logPath: '/var/log/app', engine: LogShipperEngine.VECTOR });
    d.containers[0].addPort({ number: 8686, name: 'admin' });
    const message = synthFails(app);
    expect(message).toContain('port 8686/TCP: container "log-shipper" (withLogShipper (Vector), native sidecar)');
    expect(message).toContain('pass healthPort to withLogShipper');
  });

  test('healthPort moves it', () => {
    const { app, chart } = newApp();
    const d = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'acme/app:1', portNumber: 2020 }] });
    withLogShipper(d, { logPath: '/var/log/app', healthPort: 2021 });
    const s = synthShipper(app);
    expect(s.config.service.http_port).toBe(2021);
    expect(s.shipper.readinessProbe.httpGet.port).toBe(2021);
  });
});
