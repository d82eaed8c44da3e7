/**
 * What the one shared attach does for every helper: names and their limits, construct ids, a
 * refused call that leaves the app as it was, and the check of the pod as cdk8s-plus renders it.
 */
import * as kplus from 'cdk8s-plus-28';
import { ConfigSource, LogMetadata, withConfigSync, withLogShipper, withProxy, withSidecar } from '../../lib';
import { find, newApp, synth, synthFails } from '../util/synth';
import { APP, WORKLOADS } from '../workloads';

describe('names', () => {
  test('fails when a name leaves no room for the longest name made from it, saying which', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const name = 'p'.repeat(50);
    expect(() => withProxy(web, { name })).toThrow(`Deployment "test/web", withProxy: the name "${name}" is 50 characters; at most 49, `
      + `since "${name}-config-sha256" is named after it and a name has at most 63`);
  });

  test('a name at the limit is taken, and every name made from it fits', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const name = 'p'.repeat(49);
    withProxy(web, { name, engine: undefined });
    const deployment = find(synth(app).manifests, 'Deployment');
    expect(Object.keys(deployment.spec.template.metadata.annotations)).toEqual([`cdk8s-sidecars/${name}-config-sha256`]);
    expect(deployment.spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual([`${name}-config`]);
  });

  test('a sidecar without files may use all 63 characters', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 's'.repeat(63), image: 'example/s:1' });
    expect(() => synth(app)).not.toThrow();
  });

  test('each helper\'s construct id is its container name', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(withSidecar(web, { name: 'exporter', image: 'example/e:1' }).node.id).toBe('exporter');
    expect(withProxy(web).node.id).toBe('proxy');
    expect(withLogShipper(web, { logPath: '/var/log/app' }).node.id).toBe('log-shipper');
    expect(withConfigSync(web, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/c' }).node.id).toBe('k8s-sidecar');
  });

  test('fails when the workload has another construct under the sidecar\'s name', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    kplus.Volume.fromEmptyDir(web, 'proxy', 'scratch');
    expect(() => withProxy(web)).toThrow('Deployment "test/web", withProxy: "test/web" already has a construct with the id "proxy"; give the sidecar another name');
  });
});

describe('a refused call', () => {
  test.each(WORKLOADS)('leaves a %s as it was, its validation not registered', (_kind, make) => {
    const { chart } = newApp();
    // Two app containers on one port: a problem of the user's pod, which cdk8s-plus does not report.
    const workload = make(chart, 'web', [APP, { name: 'twin', image: 'example/twin:1', ports: [{ number: 8080 }] }]);
    const before = { children: workload.node.children.length, init: workload.initContainers.length, volumes: workload.volumes.length };
    expect(() => withSidecar(workload, { name: 'side', image: 'example/s:1', ports: [{ number: 70000 }] })).toThrow('port 70000 must be an integer from 1 to 65535');
    expect({ children: workload.node.children.length, init: workload.initContainers.length, volumes: workload.volumes.length }).toEqual(before);
    expect(workload.node.validate()).toEqual([]);
    // The first sidecar that joins brings the whole-pod checks with it.
    withSidecar(workload, { name: 'side', image: 'example/s:1' });
    expect(workload.node.validate()).toEqual([expect.stringMatching(/^port 8080\/TCP: container "app" \[containerPort "http"\] and container "twin" \[containerPort\] both listen on it/)]);
  });
});

describe('the pod as cdk8s-plus renders it', () => {
  test('fails when the rendered pod mounts a volume it does not have', () => {
    const { app, chart } = newApp();
    const web = new kplus.StatefulSet(chart, 'web', { containers: [APP] });
    withLogShipper(web, { logPath: '/var/log/app' });
    // What cdk8s-plus-31, -32 and -33 do to a StatefulSet without volumeClaimTemplates, here
    // without the adapter's workaround: the spec cdk8s-plus builds has no volumes.
    withBuiltSpec(web, (spec) => delete spec.volumes);
    const message = synthFails(app);
    expect(message).toContain('[test/web] the rendered pod mounts volume "log-shipper-config" at "/etc/log-shipper" in container "log-shipper", '
      + 'but has no volume of that name (cdk8s-plus left it out); the pod would be rejected: please report it, with the cdk8s-plus version');
    expect(message).toContain('volume "log-shipper-logs" at "/var/log/app" in container "app"');
  });

  test('fails when a Service of ours targets a port name the rendered pod does not declare', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withProxy(web).exposeViaService({ name: 'web' });
    withBuiltSpec(web, (spec) => spec.initContainers[0].ports[0].name = 'renamed');
    expect(synthFails(app)).toContain('[test/web] Service "test/web/proxy/Service" targets the port named "proxy-http", which no container of the pod '
      + 'declares; the Service would reach nothing: keep the port, or remove the Service');
  });

  test('a pod fixed after one synth passes the next: labels are read again', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withLogShipper(web, { logPath: '/var/log/app', fields: { team: LogMetadata.podLabel('team') } });
    expect(synthFails(app)).toContain('reads the pod label "team", which the pod template does not have');
    web.podMetadata.addLabel('team', 'payments');
    expect(() => synth(app)).not.toThrow();
  });
});

/** Makes cdk8s-plus build `workload`'s pod spec changed by `change`, as a rendering bug of a cdk8s-plus release would. */
function withBuiltSpec(workload: kplus.AbstractPod, change: (spec: any) => void): void {
  const built = workload as unknown as { _toKube(): any };
  const original = built._toKube.bind(workload);
  built._toKube = () => {
    const kube = original();
    change(kube.template.spec);
    return kube;
  };
}

