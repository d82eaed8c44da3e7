/**
 * withLogShipper + withProxy + withConfigSync on every Deployment, and the same objects written
 * by hand with cdk8s-plus: the three containers, their probes, resources and security contexts,
 * the volumes and mounts, the pod's fsGroup, the config checksums and both ConfigMaps.
 *
 * The hand-written side holds the two configuration files as literal text, as a hand-written
 * chart would; `prepare()` reads that text (and its checksums) from one synthesized workload,
 * once, in bench/run.ts before any timing, which hands it to every hand-written process
 * (`usePrepared`): those do not load the library. bench/run.ts checks that both sides produce
 * byte-identical YAML before it times them.
 */
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { APP, restricted } from './sidecars';
import { ConfigSource, withConfigSync, withLogShipper, withProxy } from '../../lib';

const GIT = { repo: 'https://github.com/acme/app-config.git', ref: 'main', period: Duration.seconds(30) };

/** With the library: three calls. */
export function withLibrary(scope: Construct, n: number): void {
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(scope, `web-${i}`, { containers: [APP] });
    withLogShipper(web, { logPath: '/var/log/app' });
    withProxy(web, { port: 8443 });
    withConfigSync(web, { source: ConfigSource.git(GIT), mountPath: '/etc/app/config' });
  }
}

interface Literals {
  readonly fluentBit: string;
  readonly envoy: string;
  readonly annotations: Record<string, string>;
}
let literals: Literals | undefined;

/** The configuration text a hand-written chart would hold as literals (returned for bench/run.ts to pass on). */
export function prepare(): Literals {
  const app = new App({ outdir: path.join(os.tmpdir(), 'cdk8s-sidecars-bench-prepare') });
  withLibrary(new Chart(app, 'prepare'), 1);
  const objects = app.charts[0].toJson();
  const data = (key: string) => objects.find((o: any) => o.kind === 'ConfigMap' && key in o.data).data[key];
  literals = {
    fluentBit: data('fluent-bit.yaml'),
    envoy: data('envoy.yaml'),
    annotations: objects.find((o: any) => o.kind === 'Deployment').spec.template.metadata.annotations,
  };
  return literals;
}

/** In a hand-written process, which does not load the library: the literals `prepare()` returned in bench/run.ts. */
export function usePrepared(given: Literals): void {
  literals = given;
}

function resources(cpuRequest: kplus.Cpu, cpuLimit: kplus.Cpu, memoryRequest: number, memoryLimit: number): kplus.ContainerResources {
  return { cpu: { request: cpuRequest, limit: cpuLimit }, memory: { request: Size.mebibytes(memoryRequest), limit: Size.mebibytes(memoryLimit) } };
}

/** By hand: the same objects with plain cdk8s-plus. */
export function byHand(scope: Construct, n: number): void {
  if (!literals) throw new Error('call prepare() first');
  const lit = literals;
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(scope, `web-${i}`, { containers: [APP], securityContext: { fsGroup: 65533 } });
    for (const [key, value] of Object.entries(lit.annotations)) web.podMetadata.addAnnotation(key, value);

    const shipperScope = new Construct(web, 'log-shipper');
    const shipperConfig = new kplus.ConfigMap(shipperScope, 'Config', { data: { 'fluent-bit.yaml': lit.fluentBit } });
    const proxyScope = new Construct(web, 'proxy');
    const proxyConfig = new kplus.ConfigMap(proxyScope, 'Config', { data: { 'envoy.yaml': lit.envoy } });

    const logs = kplus.Volume.fromEmptyDir(web, 'logs', 'log-shipper-logs', { sizeLimit: Size.gibibytes(1) });
    const state = kplus.Volume.fromEmptyDir(web, 'state', 'log-shipper-state', { sizeLimit: Size.mebibytes(192) });
    const data = kplus.Volume.fromEmptyDir(web, 'data', 'git-sync-data');
    const tmp = kplus.Volume.fromEmptyDir(web, 'tmp', 'git-sync-tmp', { sizeLimit: Size.mebibytes(64) });
    web.containers[0].mount('/var/log/app', logs, { readOnly: false });
    web.containers[0].mount('/etc/app/config', data, { readOnly: true });

    const proxyProbe = (failureThreshold: number) => kplus.Probe.fromHttpGet('/proxy-healthz', {
      port: 8443,
      scheme: kplus.ConnectionScheme.HTTP,
      periodSeconds: Duration.seconds(10),
      timeoutSeconds: Duration.seconds(2),
      failureThreshold,
    });
    web.addInitContainer({
      name: 'proxy',
      image: 'docker.io/envoyproxy/envoy:v1.40.2',
      command: ['/usr/local/bin/envoy'],
      args: ['-c', '/etc/proxy/config/envoy.yaml', '--concurrency', '1', '--disable-hot-restart', '--log-level', 'info'],
      ports: [{ number: 8443, name: 'proxy-http', protocol: kplus.Protocol.TCP }],
      volumeMounts: [{
        path: '/etc/proxy/config',
        volume: kplus.Volume.fromConfigMap(proxyScope, 'ConfigVolume', proxyConfig, { name: 'proxy-config' }),
        readOnly: true,
      }],
      readiness: proxyProbe(3),
      liveness: proxyProbe(6),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: resources(kplus.Cpu.millis(100), kplus.Cpu.units(1), 64, 256),
      securityContext: restricted(101),
      restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
    });

    const shipperProbe = (failureThreshold: number) => kplus.Probe.fromHttpGet('/api/v1/uptime', {
      port: 2020,
      initialDelaySeconds: Duration.seconds(2),
      periodSeconds: Duration.seconds(10),
      timeoutSeconds: Duration.seconds(3),
      failureThreshold,
    });
    const shipper = web.addInitContainer({
      name: 'log-shipper',
      image: 'cr.fluentbit.io/fluent/fluent-bit:5.1.3',
      command: ['/fluent-bit/bin/fluent-bit'],
      args: ['-c', '/etc/log-shipper/fluent-bit.yaml'],
      ports: [{ number: 2020, name: 'logs-2020', protocol: kplus.Protocol.TCP }],
      envVariables: {
        LOG_SHIPPER_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        LOG_SHIPPER_POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      },
      volumeMounts: [{
        path: '/etc/log-shipper',
        volume: kplus.Volume.fromConfigMap(shipperScope, 'ConfigVolume', shipperConfig, { name: 'log-shipper-config' }),
        readOnly: true,
      }],
      liveness: shipperProbe(6),
      readiness: shipperProbe(3),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: resources(kplus.Cpu.millis(25), kplus.Cpu.millis(500), 48, 128),
      securityContext: restricted(65532),
      restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
    });
    shipper.mount('/var/log/app', logs, { readOnly: true });
    shipper.mount('/var/lib/log-shipper', state, { readOnly: false });

    const sync = web.addInitContainer({
      name: 'git-sync',
      image: 'registry.k8s.io/git-sync/git-sync:v4.7.1',
      args: ['--repo=https://github.com/acme/app-config.git', '--ref=main', '--root=/git', '--link=current', '--period=30s', '--http-bind=:9487'],
      ports: [{ number: 9487, name: 'sync-health' }],
      startup: kplus.Probe.fromHttpGet('/', { port: 9487, periodSeconds: Duration.seconds(2), failureThreshold: 150 }),
      liveness: kplus.Probe.fromHttpGet('/', { port: 9487, periodSeconds: Duration.seconds(10), failureThreshold: 6 }),
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: resources(kplus.Cpu.millis(50), kplus.Cpu.millis(500), 64, 256),
      securityContext: restricted(65533),
      restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
    });
    sync.mount('/git', data, { readOnly: false });
    sync.mount('/tmp', tmp, { readOnly: false });
  }
}
