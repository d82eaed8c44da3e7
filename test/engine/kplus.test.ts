/**
 * The adapter reaches past cdk8s-plus's public API in a few places; these tests fail when an
 * upgrade of cdk8s-plus changes what they rely on.
 */
import * as kplus from 'cdk8s-plus-28';
import { containerPorts, ensurePodFsGroup, ensurePodServiceAccount, mountOwn, moveInitContainer, setPodSpecField, setServiceTargetPortName, volumeFromSource, workloadLabel } from '../../lib/engine/kplus';
import { podSpecOf } from '../util/restricted';
import { find, newApp, synth } from '../util/synth';
import { APP, WORKLOADS } from '../workloads';

describe.each(WORKLOADS)('the cdk8s-plus adapter on a %s', (kind, make) => {
  test('sets a pod-spec field cdk8s-plus does not model, at the right place', () => {
    const { app, chart } = newApp();
    setPodSpecField(make(chart), 'shareProcessNamespace', true);
    expect(podSpecOf(find(synth(app).manifests, kind)).shareProcessNamespace).toBe(true);
  });

  test('sets fsGroup and a service account after construction', () => {
    const { app, chart } = newApp();
    const workload = make(chart);
    const account = new kplus.ServiceAccount(chart, 'sa');
    expect(ensurePodFsGroup(workload, 65533)).toBe(65533);
    expect(ensurePodServiceAccount(workload, account)).toBe(account);
    const spec = podSpecOf(find(synth(app).manifests, kind));
    expect(spec.securityContext.fsGroup).toBe(65533);
    expect(spec.serviceAccountName).toBe(account.name);
  });

  test('names the workload by kind and path', () => {
    expect(workloadLabel(make(newApp().chart))).toBe(`${kind} "test/web"`);
  });
});

test('a user\'s own fsGroup and service account are kept', () => {
  const { chart } = newApp();
  const own = new kplus.ServiceAccount(chart, 'own');
  const web = new kplus.Deployment(chart, 'web', { containers: [APP], securityContext: { fsGroup: 2000 }, serviceAccount: own });
  expect(ensurePodFsGroup(web, 65533)).toBe(2000);
  expect(ensurePodServiceAccount(web, new kplus.ServiceAccount(chart, 'other'))).toBe(own);
});

test('moves an init container to the front', () => {
  const { chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP], initContainers: [{ name: 'a', image: 'a' }] });
  const b = web.addInitContainer({ name: 'b', image: 'b' });
  moveInitContainer(web, b, 0);
  expect(web.initContainers.map((c) => c.name)).toEqual(['b', 'a']);
});

test('renders a volume of a source cdk8s-plus has no factory for', () => {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
  const token = volumeFromSource(web, 'token', 'token', { projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } });
  web.containers[0].mount('/var/run/secrets/tokens', token, { readOnly: true });
  const spec = podSpecOf(find(synth(app).manifests, 'Deployment'));
  expect(spec.volumes).toEqual([{ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }]);
});

test('makes a Service port target a container port by name', () => {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
  const service = new kplus.Service(chart, 'svc', { selector: web, ports: [{ port: 443, targetPort: 8080, name: 'https' }] });
  setServiceTargetPortName(service, 0, 'http');
  expect(find(synth(app).manifests, 'Service').spec.ports).toEqual([{ port: 443, targetPort: 'http', name: 'https' }]);
});

test('reads a container\'s ports without copying them, the same as the public getter', () => {
  const container = new kplus.Container({ name: 'c', image: 'i:1', ports: [{ number: 8080, name: 'http' }] });
  container.addPort({ number: 9090 });
  // The private array itself: the same object on every read (the public getter copies).
  expect(containerPorts(container)).toBe(containerPorts(container));
  expect(containerPorts(container)).toEqual(container.ports);
});

test('mounts a volume into a container without adding it to the volumeMounts array its props gave', () => {
  const { chart } = newApp();
  const pod = new kplus.Pod(chart, 'pod');
  const given: kplus.VolumeMount[] = [];
  const container = new kplus.Container({ name: 'c', image: 'i:1', volumeMounts: given });
  mountOwn(container, '/data', kplus.Volume.fromEmptyDir(pod, 'data', 'data'), { readOnly: true });
  expect(container.mounts.map((m) => m.path)).toEqual(['/data']);
  // cdk8s-plus's own mount() pushes into the array it was given: what mountOwn avoids.
  expect(given).toEqual([]);
  container.mount('/other', kplus.Volume.fromEmptyDir(pod, 'other', 'other'));
  expect(given).toEqual([]);
});

test('cdk8s-plus only appends containers, ports, mounts and volumes, keeping each object (what the pod snapshot relies on)', () => {
  const { chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP], initContainers: [{ name: 'init', image: 'i:1' }] });
  web.containers[0].mount('/cache', kplus.Volume.fromEmptyDir(chart, 'cache', 'cache'));
  web.addVolume(kplus.Volume.fromEmptyDir(chart, 'first', 'first'));
  const before = {
    containers: web.containers,
    init: web.initContainers,
    ports: [...containerPorts(web.containers[0])],
    mounts: web.containers[0].mounts,
    volumes: web.volumes,
  };
  web.addContainer({ name: 'second', image: 's:1' });
  web.addInitContainer({ name: 'second-init', image: 's:1' });
  web.containers[0].addPort({ number: 9090 });
  web.containers[0].mount('/data', kplus.Volume.fromEmptyDir(chart, 'data', 'data'));
  web.addVolume(kplus.Volume.fromEmptyDir(chart, 'other', 'other'));
  const prefix = <T>(now: readonly T[], then: readonly T[]) => now.slice(0, then.length).forEach((x, i) => expect(x).toBe(then[i]));
  prefix(web.containers, before.containers);
  prefix(web.initContainers, before.init);
  prefix(containerPorts(web.containers[0]), before.ports);
  prefix(web.containers[0].mounts, before.mounts);
  prefix(web.volumes, before.volumes);
  expect(web.containers).toHaveLength(2);
  expect(containerPorts(web.containers[0])).toHaveLength(2);
  expect(web.containers[0].mounts).toHaveLength(2);
  expect(web.volumes).toHaveLength(before.volumes.length + 1);
});
