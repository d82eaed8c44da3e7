import * as kplus from 'cdk8s-plus-28';
import { withSidecar } from '../../lib';
import { imageRepository, KNOWN_PROGRAMS, knownPorts } from '../../lib/engine/known-ports';
import { SidecarMode } from '../../lib/engine/sidecar-mode';
import { knownUndeclaredPorts, podView } from '../../lib/engine/validation/pod-view';
import { newApp, synth, synthFails } from '../util/synth';
import { APP } from '../workloads';

describe('the table of well-known programs\' undeclared ports', () => {
  test('every entry names its upstream source and binds valid ports', () => {
    for (const program of KNOWN_PROGRAMS) {
      expect(program.source).toMatch(/^https:\/\//);
      expect(program.repositories.length).toBeGreaterThan(0);
      for (const port of program.ports) {
        expect(Number.isInteger(port.number) && port.number > 0 && port.number < 65536).toBe(true);
        expect(['TCP', 'UDP']).toContain(port.protocol);
      }
    }
  });

  test.each([
    ['docker.io/istio/proxyv2:1.24.0', 'istio/proxyv2'],
    ['istio/proxyv2@sha256:0123', 'istio/proxyv2'],
    ['gcr.io/istio-release/proxyv2:1.20.1', 'istio-release/proxyv2'],
    ['localhost:5000/envoyproxy/envoy:v1.31.0', 'envoyproxy/envoy'],
    ['nginx', 'library/nginx'],
    ['ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.115.0',
      'open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib'],
  ])('reads the repository of %s', (image, repository) => {
    expect(imageRepository(image)).toBe(repository);
  });

  test('matches by repository, a mirror\'s longer path included, and not by a look-alike', () => {
    expect(knownPorts('cr.l5d.io/linkerd/proxy:edge-24.11.1', undefined, undefined)?.program.name).toBe('Linkerd proxy');
    expect(knownPorts('registry.example.com/mirror/istio/proxyv2:1.24.0', undefined, ['proxy', 'sidecar'])?.program.name).toBe('Istio proxy');
    expect(knownPorts('example/proxyv2:1', undefined, undefined)).toBeUndefined();
  });

  test('a port the image\'s default configuration opens applies only when the container runs that default', () => {
    expect(knownPorts('envoyproxy/envoy:v1.31.0', undefined, undefined)?.ports.map((p) => p.number)).toEqual([9901, 10000]);
    expect(knownPorts('envoyproxy/envoy:v1.31.0', undefined, ['-c', '/etc/envoy/mine.yaml'])).toBeUndefined();
  });

  test('a port a flag turns on, or moves, follows the flags', () => {
    expect(knownPorts('fluent/fluent-bit:3.2.2', undefined, ['-c', '/f.conf'])).toBeUndefined();
    expect(knownPorts('fluent/fluent-bit:3.2.2', undefined, ['-c', '/f.conf', '-H'])?.ports.map((p) => p.number)).toEqual([2020]);
    expect(knownPorts('fluent/fluent-bit:3.2.2', undefined, ['-H', '-P', '2021'])).toBeUndefined();
    expect(knownPorts('quay.io/oauth2-proxy/oauth2-proxy:v7.13.0', undefined, ['--http-address=0.0.0.0:8080'])).toBeUndefined();
  });

  test('not for the containers of the library\'s own programs, which declare or bind all their ports', () => {
    const spec = { containers: [{ name: 'app', image: 'a:1' }], initContainers: [{ name: 'proxy', image: 'istio/proxyv2:1.24.0', restartPolicy: 'Always' }] };
    const own = podView('Deployment', spec, {}, { containerInfo: (init) => (init ? { sidecar: { mode: SidecarMode.NATIVE, purpose: 'withX' } } : undefined) });
    expect(knownUndeclaredPorts(own.containers[0])).toBeUndefined();
    const user = podView('Deployment', spec, {}, {
      containerInfo: (init) => (init ? { sidecar: { mode: SidecarMode.NATIVE, purpose: 'withSidecar', userDescribed: true } } : undefined),
    });
    expect(knownUndeclaredPorts(user.containers[0])?.program.name).toBe('Istio proxy');
  });
});

describe('well-known programs\' undeclared ports at synth time', () => {
  test('fails when a container the user added with an Istio proxy image and the app share a port', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ ...APP, ports: [{ number: 15021, name: 'http' }] }] });
    web.addContainer({ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.0', args: ['proxy', 'sidecar'], ports: [{ number: 15090, name: 'http-envoy-prom' }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('[test/web] port 15021/TCP: container "app" [containerPort "http"] and container "istio-proxy" '
      + '[Istio proxy health checks, by default, bound on 0.0.0.0, not declared] both listen on it');
  });

  test('fails when withSidecar runs Envoy\'s image with its default configuration on the app\'s port', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ ...APP, ports: [{ number: 9901, name: 'http' }] }] });
    withSidecar(web, { name: 'envoy', image: 'envoyproxy/envoy:v1.31.0' });
    expect(synthFails(app)).toContain('port 9901/TCP: container "envoy" (withSidecar, native sidecar) [Envoy admin, by default, bound on 0.0.0.0, '
      + 'not declared] and container "app" [containerPort "http"] both listen on it');
  });

  test('a probe at a port the image binds undeclared passes, and the same image run otherwise has no such port', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    web.addContainer({ name: 'istio-proxy', image: 'istio/proxyv2:1.24.0', args: ['proxy', 'sidecar'], readiness: kplus.Probe.fromHttpGet('/healthz/ready', { port: 15021 }) });
    web.addContainer({ name: 'envoy', image: 'envoyproxy/envoy:v1.31.0', args: ['-c', '/etc/envoy/e.yaml'], ports: [{ number: 9901, name: 'admin' }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(() => synth(app)).not.toThrow();
  });
});
