import * as kplus from 'cdk8s-plus-28';
import { withSidecar } from '../../../lib';
import { newApp, synth, synthFails } from '../../util/synth';
import { APP } from '../../workloads';

describe('probes of every container at synth time', () => {
  test('a probe of the app at its own port, or at another container\'s port number, passes', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', {
      containers: [
        { ...APP, readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }), liveness: kplus.Probe.fromTcpSocket({ port: 9000 }) },
        { name: 'worker', image: 'w:1', ports: [{ number: 9000, name: 'admin' }], startup: kplus.Probe.fromHttpGet('/up', { port: 9000 }) },
      ],
    });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(() => synth(app)).not.toThrow();
  });

  test('fails when an app container\'s probe targets a port no container declares or binds', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ ...APP, readiness: kplus.Probe.fromHttpGet('/ready', { port: 8081 }) }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('[test/web] the readinessProbe (httpGet) of container "app" targets port 8081, which no container of the pod '
      + 'declares or binds; declare it on the container that listens there (ports), or probe the port the program listens on');
  });

  test('fails when a container the library did not add, added after the sidecar, probes a port nothing declares', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1' });
    web.addContainer({ name: 'late', image: 'l:1', liveness: kplus.Probe.fromTcpSocket({ port: 7000 }) });
    expect(synthFails(app)).toContain('the livenessProbe (tcpSocket) of container "late" targets port 7000, which no container of the pod declares or binds');
  });

  test('fails when a probe names a port only another container declares (the kubelet looks in the probed container only)', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1', ports: [{ number: 9000, name: 'metrics' }] });
    // cdk8s-plus-28's probes take a port number; the named port is set the way a manifest has it.
    patchBuiltProbe(web, (spec) => spec.containers[0].readinessProbe = { httpGet: { path: '/', port: { value: 'metrics' } } });
    expect(synthFails(app)).toContain('the readinessProbe (httpGet) of container "app" targets the port named "metrics", which only container "side" '
      + '(withSidecar, native sidecar) declares; the kubelet looks a probe\'s port name up among the ports of the probed container only: '
      + 'probe the port number, or declare the port on this container');
  });

  test('fails when a probe names a port no container declares', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1' });
    patchBuiltProbe(web, (spec) => spec.containers[0].startupProbe = { tcpSocket: { port: { value: 'nope' } } });
    expect(synthFails(app)).toContain('the startupProbe (tcpSocket) of container "app" targets the port named "nope", which no container of the pod declares; '
      + 'declare the port with that name, or probe a port number');
  });
});

/** Changes the pod spec cdk8s-plus builds, as a cdk8s-plus line with named-port probes would build it. */
function patchBuiltProbe(workload: kplus.Deployment, change: (spec: any) => void): void {
  const built = workload as unknown as { _toKube(): any };
  const original = built._toKube.bind(workload);
  built._toKube = () => {
    const kube = original();
    change(kube.template.spec);
    return kube;
  };
}
