import * as kplus from 'cdk8s-plus-28';
import { BoundPort, SidecarMode, withSidecar } from '../../../lib';
import { attachProgram, checkProgram } from '../../../lib/engine/attach';
import { planFor } from '../../../lib/engine/plan-cache';
import { Program } from '../../../lib/engine/program';
import { PodRegistry } from '../../../lib/engine/registry';
import { newApp, synth, synthFails } from '../../util/synth';
import { APP } from '../../workloads';

function webWith(...extra: kplus.ContainerProps[]) {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP, ...extra] });
  return { app, web };
}

describe('the port ledger at synth time', () => {
  test('fails when a sidecar declares the port the app declares', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'proxy', image: 'p:1', ports: [{ number: 8080, name: 'proxy' }] });
    expect(synthFails(app)).toContain(
      '[test/web] port 8080/TCP: container "proxy" (withSidecar, native sidecar) [containerPort "proxy"] '
      + 'and container "app" [containerPort "http"] both listen on it, and the containers of a pod share one network namespace; give one of them another port');
  });

  test('fails when a sidecar binds, undeclared, a port the app declares', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'agent', image: 'a:1', boundPorts: [{ number: 8080, purpose: 'health' }] });
    expect(synthFails(app)).toContain(
      'port 8080/TCP: container "agent" (withSidecar, native sidecar) [health, bound on 0.0.0.0, not declared] and container "app" [containerPort "http"] both listen on it');
  });

  test('fails when two sidecars bind one undeclared port, even on 127.0.0.1', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'one', image: 'o:1', boundPorts: [{ number: 9901, purpose: 'admin', address: '127.0.0.1' }] });
    withSidecar(web, { name: 'two', image: 't:1', mode: SidecarMode.CLASSIC, boundPorts: [{ number: 9901, purpose: 'metrics' }] });
    expect(synthFails(app)).toContain(
      'port 9901/TCP: container "one" (withSidecar, native sidecar) [admin, bound on 127.0.0.1, not declared] and container "two" (withSidecar, classic sidecar) [metrics, bound on 0.0.0.0, not declared] both listen on it');
  });

  test('fails when a container added after the sidecar, by raw cdk8s-plus, takes a ledger port', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'agent', image: 'a:1', boundPorts: [{ number: 15000, purpose: 'admin' }] });
    web.addContainer({ name: 'late', image: 'l:1', ports: [{ number: 15000 }] });
    expect(synthFails(app)).toMatch(/port 15000\/TCP: container "agent" .* and container "late" \[containerPort\] both listen on it/);
  });

  test('fails when three containers share a port, naming all three once', () => {
    const { app, web } = webWith({ name: 'worker', image: 'w:1', ports: [{ number: 8080, name: 'worker' }] });
    withSidecar(web, { name: 'proxy', image: 'p:1', ports: [{ number: 8080, name: 'proxy' }] });
    const message = synthFails(app);
    expect(message).toMatch(/port 8080\/TCP: container "proxy" .*, container "app" .* and container "worker" .* all listen on it, and the containers of a pod share one network namespace; give all but one of them another port/);
    expect(message.match(/port 8080\/TCP/g)).toHaveLength(1);
  });

  test('quotes the helper\'s hint on how to move the port', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'agent', image: 'a:1', boundPorts: [{ number: 8080 }] });
    // a helper records how its port is moved
    PodRegistry.of(web).hintPort('agent', 8080, kplus.Protocol.TCP, 'pass healthPort to withAgent');
    expect(synthFails(app)).toMatch(/both listen on it, and the containers of a pod share one network namespace; pass healthPort to withAgent/);
  });

  test('the same number over TCP and UDP is fine', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'dns', image: 'd:1', ports: [{ number: 8080, protocol: kplus.Protocol.UDP, name: 'dns' }] });
    expect(() => synth(app)).not.toThrow();
  });

  test('a plain init container may use a port the app uses later', () => {
    const { app, web } = webWith();
    web.addInitContainer({ name: 'warmup', image: 'w:1', ports: [{ number: 8080 }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(() => synth(app)).not.toThrow();
  });

  test('fails when two containers ask for one hostPort', () => {
    const { app, web } = webWith({ name: 'worker', image: 'w:1', ports: [{ number: 9000, hostPort: 30000, name: 'w' }] });
    withSidecar(web, { name: 'side', image: 's:1', ports: [{ number: 9001, hostPort: 30000, name: 's' }], allowOutsideRestrictedProfile: true });
    expect(synthFails(app)).toContain('hostPort 30000/TCP: requested by container "side" (withSidecar, native sidecar) [containerPort "s"] and container "worker" [containerPort "w"]; a node gives a host port to one container only: remove the hostPort from all but one');
  });

  test('one hostPort on two distinct host IPs is fine', () => {
    const { app, web } = webWith({ name: 'worker', image: 'w:1', ports: [{ number: 9000, hostPort: 30000, hostIp: '10.0.0.1', name: 'w' }] });
    withSidecar(web, { name: 'side', image: 's:1', ports: [{ number: 9001, hostPort: 30000, hostIp: '10.0.0.2', name: 's' }], allowOutsideRestrictedProfile: true });
    expect(() => synth(app)).not.toThrow();
  });

  test('fails when two containers name a port alike', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'side', image: 's:1', ports: [{ number: 9000, name: 'http' }] });
    expect(synthFails(app)).toContain('port name "http": used by container "side" (withSidecar, native sidecar) [containerPort "http"] and container "app" [containerPort "http"]; a Service targetPort or probe that names a port must find exactly one: rename all but one');
  });

  test('fails when an app port name is not an IANA service name', () => {
    const { app, web } = webWith({ name: 'worker', image: 'w:1', ports: [{ number: 9000, name: 'Worker_Port' }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('port name "Worker_Port" of container "worker" is not an IANA service name: it may hold only lowercase letters, digits and "-"; rename it');
  });

  test('fails when an app port is out of range', () => {
    const { app, web } = webWith({ name: 'worker', image: 'w:1', ports: [{ number: 0 }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('port 0 of container "worker" must be an integer from 1 to 65535');
  });

  test('a port both declared and in the ledger is one listener that keeps its purpose', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'agent', image: 'a:1', ports: [{ number: 8080, name: 'agent' }], boundPorts: [{ number: 8080, purpose: 'agent API' }] });
    const message = synthFails(app);
    expect(message).toContain('container "agent" (withSidecar, native sidecar) [agent API, containerPort "agent"] and container "app" [containerPort "http"] both listen on it');
    expect(message.match(/port 8080\/TCP/g)).toHaveLength(1);
  });

  test('fails when a one-time init container binds a port a native sidecar started before it holds', () => {
    const { app, web } = webWith();
    withSidecar(web, { name: 'proxy', image: 'p:1', ports: [{ number: 9000, name: 'admin' }] });
    addOneTime(web, [{ number: 9000, purpose: 'health' }]);
    expect(synthFails(app)).toContain('port 9000/TCP: init container "seed-init" (withSeed, one-time) [health, bound on 0.0.0.0, not declared] '
      + 'listens on it while container "proxy" (withSidecar, native sidecar) [containerPort "admin"], started before it, already does');
  });

  test('a one-time init container may use a port of a native sidecar that starts after it', () => {
    const { app, web } = webWith();
    addOneTime(web, [{ number: 9000 }]);
    withSidecar(web, { name: 'proxy', image: 'p:1', ports: [{ number: 9000, name: 'admin' }] });
    expect(() => synth(app)).not.toThrow();
  });
});

/** A program with only a one-time init container, "seed-init", as a helper adds one (withConfigSync on a Job). */
function addOneTime(workload: kplus.AbstractPod, boundPorts: BoundPort[]): void {
  const program = { where: 'withSeed', purpose: 'withSeed', name: 'seed', init: { image: 's:1', boundPorts } };
  const registry = PodRegistry.of(workload);
  const plan = planFor((_pod, given: Program) => ({ program: given }), registry, program, program.where);
  attachProgram(workload, checkProgram(registry, plan.program, workload, 'seed'));
}
