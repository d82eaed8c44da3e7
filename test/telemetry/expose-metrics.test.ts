import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { synthWithPodMonitors } from './helpers';
import { exposeMetrics, MetricsDiscovery, TelemetrySelfMetrics, withTelemetry } from '../../lib';
import { podSpecOf } from '../util/restricted';
import { find, newApp, synth } from '../util/synth';
import { plainDeployment as plainWorkload } from '../workloads';

function web(chart: any, ports: kplus.ContainerPort[] = [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }]) {
  return new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports }] });
}

describe('exposeMetrics', () => {
  test('annotations by default: prometheus.io/scrape, port and path on the pod template', () => {
    const { app, chart } = newApp();
    const exposure = exposeMetrics(web(chart), { port: 9090 });
    const { manifests } = synth(app);
    const deployment = find(manifests, 'Deployment');
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'prometheus.io/path': '/metrics',
    });
    expect(manifests.filter((m) => m.kind === 'PodMonitor')).toEqual([]);
    expect(exposure.podMonitor).toBeUndefined();
    expect([exposure.port, exposure.path]).toEqual([9090, '/metrics']);
  });

  test('a PodMonitor selects the pods by the workload\'s selector and the port by its name', () => {
    const { app, chart } = newApp();
    const w = web(chart);
    exposeMetrics(w, { port: 9090, path: '/stats', via: MetricsDiscovery.POD_MONITOR, interval: Duration.seconds(15), podMonitorLabels: { release: 'kube-prometheus-stack' } });
    const { manifests, podMonitors } = synthWithPodMonitors(app);
    const deployment = find(manifests, 'Deployment');
    expect(podMonitors).toHaveLength(1);
    expect(podMonitors[0].metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    expect(podMonitors[0].spec).toEqual({
      selector: { matchLabels: deployment.spec.selector.matchLabels },
      podMetricsEndpoints: [{ port: 'metrics', path: '/stats', interval: '15s' }],
    });
    // The selector finds the pods.
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    expect(deployment.spec.template.metadata.annotations).toBeUndefined();
  });

  test('a PodMonitor for a bare Pod selects the Pod\'s own label', () => {
    const { app, chart } = newApp();
    const pod = new kplus.Pod(chart, 'p', { containers: [{ name: 'app', image: 'acme/app:1', ports: [{ number: 9090, name: 'metrics' }] }] });
    exposeMetrics(pod, { port: 9090, via: MetricsDiscovery.POD_MONITOR });
    const { manifests, podMonitors } = synthWithPodMonitors(app);
    const labels = find(manifests, 'Pod').metadata.labels;
    const selector = podMonitors[0].spec.selector.matchLabels;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(selector)) expect(labels[k]).toBe(v);
  });

  test('the collector\'s own metrics, exposed and then announced', () => {
    const { app, chart } = newApp();
    const w = web(chart);
    withTelemetry(w, { selfMetrics: TelemetrySelfMetrics.exposed() });
    exposeMetrics(w, { port: 8888 });
    const { manifests } = synth(app);
    const spec = podSpecOf(find(manifests, 'Deployment'));
    expect(spec.initContainers[0].ports).toContainEqual({ containerPort: 8888, name: 'otel-metrics', protocol: 'TCP' });
    expect(find(manifests, 'Deployment').spec.template.metadata.annotations['prometheus.io/port']).toBe('8888');
  });

  test('fails when the port is not declared by any container', () => {
    const { chart } = newApp();
    expect(() => exposeMetrics(web(chart), { port: 9100 })).toThrow(
      'Deployment "test/web", exposeMetrics: port 9100 is not a TCP port of the pod (8080 of "app", 9090 of "app"); '
      + 'declare the metrics port on its container (portNumber or ports), or give the port it declares');
  });

  test('fails when a PodMonitor would need a port name the port lacks, and changes nothing', () => {
    const { app, chart } = newApp();
    const w = web(chart, [{ number: 9090 }]);
    expect(() => exposeMetrics(w, { port: 9090, via: MetricsDiscovery.POD_MONITOR })).toThrow(
      'Deployment "test/web", exposeMetrics: port 9090 of container "app" has no name, and a PodMonitor selects ports by name; '
      + "name it (ports: [{ number: 9090, name: 'metrics' }]), or use via: MetricsDiscovery.ANNOTATIONS");
    expect(synth(app).manifests.map((m) => m.kind)).toEqual(['Deployment']);
  });

  test('fails when the annotations are asked for twice (they describe one endpoint)', () => {
    const { chart } = newApp();
    const w = web(chart);
    exposeMetrics(w, { port: 9090 });
    expect(() => exposeMetrics(w, { port: 8080 })).toThrow(
      'Deployment "test/web", exposeMetrics: the pod already has the annotation prometheus.io/scrape: "true", and the annotations describe one endpoint per pod; '
      + 'use via: MetricsDiscovery.POD_MONITOR for a second endpoint');
  });

  test('fails when one port is exposed twice', () => {
    const { chart } = newApp();
    const w = web(chart);
    exposeMetrics(w, { port: 9090, via: MetricsDiscovery.POD_MONITOR });
    expect(() => exposeMetrics(w, { port: 9090, via: MetricsDiscovery.POD_MONITOR })).toThrow(
      'Deployment "test/web", exposeMetrics: port 9090 is already exposed; expose each port once');
  });

  test('fails when an interval is given for annotations', () => {
    const { chart } = newApp();
    expect(() => exposeMetrics(web(chart), { port: 9090, interval: Duration.seconds(10) })).toThrow(
      'exposeMetrics: interval is for a PodMonitor; the prometheus.io annotations have no interval: drop it, or pass via: MetricsDiscovery.POD_MONITOR');
  });

  test('fails when the path is not a plain path', () => {
    const { chart } = newApp();
    expect(() => exposeMetrics(web(chart), { port: 9090, path: 'metrics' })).toThrow(
      'exposeMetrics: path "metrics" must start with "/" and hold letters, digits and _ . ~ / - only');
  });

  test('fails when a JavaScript caller\'s port is not a number, with the library\'s message and nothing added', () => {
    // An object without a prototype cannot become text: the construct id made of it threw a TypeError.
    for (const port of [Object.create(null), { valueOf: () => 9090 }, '9090']) {
      const { app, chart } = newApp();
      const pod = web(chart);
      const before = JSON.stringify(ApiObject.of(pod).toJson());
      let thrown: unknown;
      try {
        exposeMetrics(pod, { port } as any);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).constructor).toBe(Error);
      expect((thrown as Error).message).toMatch(/^Deployment "test\/web", exposeMetrics: option port must be a number \(got /);
      expect(JSON.stringify(ApiObject.of(pod).toJson())).toBe(before);
      expect(synth(app).manifests.map((m) => m.kind)).toEqual(['Deployment']);
    }
  });

  test('fails when a PodMonitor label value is not a label value', () => {
    const { chart } = newApp();
    expect(() => exposeMetrics(web(chart), { port: 9090, via: MetricsDiscovery.POD_MONITOR, podMonitorLabels: { release: 'a b' } })).toThrow(
      'exposeMetrics: podMonitorLabels: "release" has the value "a b", not a label value');
  });
});

describe('exposeMetrics on a plain ApiObject (an import, an Include, a Helm chart)', () => {
  const METRICS_APP = [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 9090, name: 'metrics' }] }];
  const plainDeployment = (chart: Chart, annotations?: Record<string, string>) => plainWorkload(chart, METRICS_APP, annotations);

  test('annotations through JSON patches, beside the object\'s own', () => {
    const { app, chart } = newApp();
    exposeMetrics(plainDeployment(chart, { team: 'shop' }), { port: 9090 });
    const deployment = find(synth(app).manifests, 'Deployment');
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'team': 'shop', 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'prometheus.io/path': '/metrics',
    });
  });

  test('a PodMonitor selects the object\'s matchLabels and the port by its name', () => {
    const { app, chart } = newApp();
    exposeMetrics(plainDeployment(chart), { port: 9090, via: MetricsDiscovery.POD_MONITOR });
    const { podMonitors } = synthWithPodMonitors(app);
    expect(podMonitors[0].spec).toEqual({ selector: { matchLabels: { app: 'web' } }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics' }] });
  });

  test('fails when the object declares no such port, or already has the annotations', () => {
    const { chart } = newApp();
    expect(() => exposeMetrics(plainDeployment(chart), { port: 9091 })).toThrow(
      'Deployment "test/web", exposeMetrics: port 9091 is not a TCP port of the pod (9090 of "app"); declare the metrics port on its container (portNumber or ports), or give the port it declares');
    const { chart: other } = newApp();
    expect(() => exposeMetrics(plainDeployment(other, { 'prometheus.io/scrape': 'true' }), { port: 9090 })).toThrow(
      'the pod already has the annotation prometheus.io/scrape: "true"');
  });

  test('fails when a JavaScript caller passes no workload', () => {
    expect(() => exposeMetrics(undefined as any, { port: 9090 })).toThrow('exposeMetrics "metrics-9090": expected a workload of cdk8s-plus-');
  });
});
