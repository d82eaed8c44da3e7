/**
 * Three small sidecars on every Deployment through withSidecar, each one image, one declared
 * port and its resources: nothing for the library to render, no shared volume, no bound port,
 * so what is measured is the library's own cost per call (its checks, the pod registry, the
 * defaults, the whole-pod checks at synthesis). The hand-written side writes the same native
 * sidecars with plain cdk8s-plus. bench/run.ts checks that both produce byte-identical YAML
 * before it times them.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { APP, restricted } from './sidecars';
import { withSidecar } from '../../lib';

/** One small sidecar: what the caller states. */
interface Small {
  readonly name: string;
  readonly image: string;
  readonly port: kplus.ContainerPort;
  readonly resources: kplus.ContainerResources;
}

function resources(cpuRequest: number, cpuLimit: number, memoryRequest: number, memoryLimit: number): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(cpuRequest), limit: kplus.Cpu.millis(cpuLimit) },
    memory: { request: Size.mebibytes(memoryRequest), limit: Size.mebibytes(memoryLimit) },
  };
}

const SMALL: Small[] = [
  { name: 'metrics', image: 'quay.io/prometheus/statsd-exporter:v0.29.0', port: { number: 9102, name: 'metrics' }, resources: resources(25, 250, 32, 64) },
  { name: 'auth', image: 'quay.io/oauth2-proxy/oauth2-proxy:v7.13.0', port: { number: 4180, name: 'auth' }, resources: resources(50, 500, 64, 128) },
  { name: 'pgbouncer', image: 'docker.io/bitnami/pgbouncer:1.25.0', port: { number: 6432, name: 'pg' }, resources: resources(50, 500, 32, 128) },
];

/** With the library: three calls. */
export function withLibrary(scope: Construct, n: number): void {
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(scope, `web-${i}`, { containers: [APP] });
    for (const s of SMALL) {
      withSidecar(web, { name: s.name, image: s.image, ports: [s.port], resources: s.resources });
    }
  }
}

/** By hand: the same pods with plain cdk8s-plus (the library's defaults written out). */
export function byHand(scope: Construct, n: number): void {
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(scope, `web-${i}`, { containers: [APP] });
    for (const s of SMALL) {
      web.addInitContainer({
        name: s.name,
        image: s.image,
        ports: [s.port],
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        resources: s.resources,
        securityContext: restricted(65532),
        restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
      });
    }
  }
}
