/**
 * Three sidecars on every Deployment: through withSidecar, and the same pods written by hand
 * with cdk8s-plus (same containers, resources, security contexts, native sidecars, volumes).
 * `bench/run.ts` checks that both produce byte-identical YAML before it times them.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { withSidecar } from '../../lib';

export const APP: kplus.ContainerProps = {
  name: 'app',
  image: 'ghcr.io/acme/web:1.4.2',
  ports: [{ number: 8080, name: 'http' }],
  securityContext: { user: 1000, group: 1000 },
};

const RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

/** The restricted security context the library gives a sidecar, written out by hand. */
export function restricted(user: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    privileged: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    user,
    group: user,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** With the library: three calls. */
export function withLibrary(scope: Construct, n: number): void {
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(scope, `web-${i}`, { containers: [APP] });
    withSidecar(web, {
      name: 'exporter',
      image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
      args: ['--statsd.listen-udp=:9125', '--web.listen-address=:9102'],
      ports: [{ number: 9102, name: 'metrics' }],
      boundPorts: [{ number: 9125, protocol: kplus.Protocol.UDP, purpose: 'statsd' }],
      securityContext: { user: 65534, group: 65534 },
    });
    withSidecar(web, {
      name: 'proxy',
      image: 'envoyproxy/envoy:v1.36.2',
      ports: [{ number: 8443, name: 'https' }],
      boundPorts: [{ number: 9901, address: '127.0.0.1', purpose: 'admin' }],
      securityContext: { user: 101, group: 101 },
    });
    withSidecar(web, {
      name: 'log-agent',
      image: 'cr.fluentbit.io/fluent/fluent-bit:4.1.1',
      sharedVolumes: [
        { name: 'app-logs', path: '/logs', readOnly: true, appPath: '/var/log/app', sizeLimit: Size.mebibytes(500) },
        { name: 'log-agent-state', path: '/state', appContainers: [] },
      ],
    });
  }
}

/** By hand: the same pods with plain cdk8s-plus. */
export function byHand(scope: Construct, n: number): void {
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(scope, `web-${i}`, { containers: [APP] });
    web.addInitContainer({
      name: 'exporter',
      image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
      args: ['--statsd.listen-udp=:9125', '--web.listen-address=:9102'],
      ports: [{ number: 9102, name: 'metrics' }],
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: RESOURCES,
      securityContext: restricted(65534),
      restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
    });
    web.addInitContainer({
      name: 'proxy',
      image: 'envoyproxy/envoy:v1.36.2',
      ports: [{ number: 8443, name: 'https' }],
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: RESOURCES,
      securityContext: restricted(101),
      restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
    });
    const logs = kplus.Volume.fromEmptyDir(web, 'logs', 'app-logs', { sizeLimit: Size.mebibytes(500) });
    const state = kplus.Volume.fromEmptyDir(web, 'state', 'log-agent-state');
    const agent = web.addInitContainer({
      name: 'log-agent',
      image: 'cr.fluentbit.io/fluent/fluent-bit:4.1.1',
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: RESOURCES,
      securityContext: restricted(65532),
      restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
    });
    agent.mount('/logs', logs, { readOnly: true });
    agent.mount('/state', state, { readOnly: false });
    web.containers[0].mount('/var/log/app', logs, { readOnly: false });
  }
}
