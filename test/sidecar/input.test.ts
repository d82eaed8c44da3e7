/**
 * Input that is wrong by itself is refused at the call, with the workload, the sidecar, the
 * value and the fix in the message; the pod is left as it was.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SidecarOptions, withSidecar } from '../../lib';
import { newApp } from '../util/synth';
import { APP } from '../workloads';

const OK: SidecarOptions = { name: 'side', image: 'registry.example/side:1.0.0' };

const CASES: Array<[string, Partial<SidecarOptions> | ((web: kplus.Deployment) => Partial<SidecarOptions>), RegExp]> = [
  ['the name is not a DNS-1123 label', { name: 'Side_Car' }, /sidecar "Side_Car": the name must be a DNS-1123 label/],
  ['the name is empty', { name: '' }, /the name must not be empty/],
  ['the name is longer than 63 characters', { name: 'a'.repeat(64) }, /must be at most 63 characters \(has 64\)/],
  ['the image is empty', { image: '' }, /sidecar "side": image is empty; give an image reference/],
  ['the image is blank', { image: '   ' }, /image is empty/],
  ['a port is 0', { ports: [{ number: 0 }] }, /port 0 must be an integer from 1 to 65535/],
  ['a port is above 65535', { ports: [{ number: 70000, name: 'big' }] }, /port 70000 must be an integer from 1 to 65535/],
  ['portNumber is out of range', { portNumber: -1 }, /port -1 must be an integer from 1 to 65535/],
  ['a port is not an integer', { ports: [{ number: 80.5 }] }, /port 80.5 must be an integer/],
  ['a port name is not an IANA service name', { ports: [{ number: 9000, name: 'Metrics' }] }, /port name "Metrics" is not an IANA service name: it may hold only lowercase letters/],
  ['a port name is longer than 15 characters', { ports: [{ number: 9000, name: 'prometheus-metrics' }] }, /port name "prometheus-metrics" is not an IANA service name: it must be 1 to 15 characters/],
  ['a port name has no letter', { ports: [{ number: 9000, name: '9000' }] }, /must hold at least one letter/],
  ['two ports of the sidecar share a name', { ports: [{ number: 9000, name: 'm' }, { number: 9001, name: 'm' }] }, /sidecar "side": two ports are named "m"; give each its own name/],
  ['a bound port is out of range', { boundPorts: [{ number: 65536, purpose: 'admin' }] }, /bound port 65536 \(admin\) must be an integer from 1 to 65535/],
  ['a bound port has an empty address', { boundPorts: [{ number: 9901, address: ' ' }] }, /bound port 9901: address is empty/],
  ['a port is declared twice', { portNumber: 9000, ports: [{ number: 9000, name: 'm' }] }, /port 9000\/TCP is declared twice/],
  ['restartPolicy is given', { restartPolicy: kplus.ContainerRestartPolicy.ALWAYS }, /restartPolicy is set by the sidecar mode; remove it/],
  ['a shared volume path is relative', { sharedVolumes: [{ name: 'logs', path: 'var/log' }] }, /shared volume "logs": path "var\/log" must be an absolute path/],
  ['a shared volume appPath is relative', { sharedVolumes: [{ name: 'logs', path: '/logs', appPath: 'logs' }] }, /appPath "logs" must be an absolute path/],
  ['a shared volume path climbs with ..', { sharedVolumes: [{ name: 'logs', path: '/var/../etc' }] }, /must not contain "\.\."/],
  ['a shared volume name is not a DNS-1123 label', { sharedVolumes: [{ name: 'Logs', path: '/logs' }] }, /shared volume name "Logs" must be a DNS-1123 label/],
  ['two shared volumes take one path in the sidecar', { sharedVolumes: [{ name: 'a', path: '/data' }, { name: 'b', path: '/data/' }] }, /shared volume "b": the sidecar already mounts something at "\/data"/],
  ['a shared volume names a container the pod does not have', { sharedVolumes: [{ name: 'logs', path: '/logs', appContainers: ['worker'] }] }, /no container named "worker" in the pod \(it has "app"\)/],
  ['a shared volume would mount over a volume the app already mounts there', (web) => {
    web.containers[0].mount('/logs', kplus.Volume.fromEmptyDir(web, 'own', 'own-logs'));
    return { sharedVolumes: [{ name: 'logs', path: '/logs' }] };
  }, /container "app" already mounts volume "own-logs" at "\/logs"; mount the shared volume at another path in the app, or move the app's volume/],
  ['a shared volume takes the name of a volume the app already has', (web) => {
    web.containers[0].mount('/cache', kplus.Volume.fromEmptyDir(web, 'own', 'cache'));
    return { sharedVolumes: [{ name: 'cache', path: '/spool' }] };
  }, /the pod already has a volume named "cache" that cdk8s-sidecars did not make \(used by container "app"\)/],
  ['the name is taken by an app container', { name: 'app' }, /the workload already has a container named "app"; give the sidecar another name/],
];

describe('withSidecar refuses at the call', () => {
  test.each(CASES)('fails when %s', (_what, change, message) => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const options = { ...OK, ...(typeof change === 'function' ? change(web) : change) };
    expect(() => withSidecar(web, options)).toThrow(message);
    expect(() => withSidecar(web, options)).toThrow(/^Deployment "test\/web", sidecar "/);
  });

  test('fails when two sidecars of one name go on one workload', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, OK);
    expect(() => withSidecar(web, { ...OK, image: 'other:1' })).toThrow(
      'Deployment "test/web", sidecar "side": the workload already has a sidecar named "side"; give the second one another name');
  });

  test('fails when a shared volume asks for no app container and the pod has none yet', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web');
    expect(() => withSidecar(web, { ...OK, sharedVolumes: [{ name: 'logs', path: '/logs' }] })).toThrow(
      /shared volume "logs": the pod has no app container to mount it into yet; add the app containers before attaching the sidecar, or pass appContainers: \[\]/);
  });

  test('fails when one shared volume is asked for with two media', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { ...OK, sharedVolumes: [{ name: 'spool', path: '/spool', medium: kplus.EmptyDirMedium.MEMORY }] });
    expect(() => withSidecar(web, { name: 'other', image: 'o:1', sharedVolumes: [{ name: 'spool', path: '/s', medium: kplus.EmptyDirMedium.DEFAULT }] }))
      .toThrow('Deployment "test/web", sidecar "other": shared volume "spool" exists with medium Memory (tmpfs); it cannot also be default (node disk): ask for the same medium, or use another name');
  });

  test('fails when one shared volume is asked for with two size limits', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { ...OK, sharedVolumes: [{ name: 'spool', path: '/spool', sizeLimit: Size.mebibytes(64) }] });
    expect(() => withSidecar(web, { name: 'other', image: 'o:1', sharedVolumes: [{ name: 'spool', path: '/s', sizeLimit: Size.gibibytes(1) }] }))
      .toThrow('Deployment "test/web", sidecar "other": shared volume "spool" exists with sizeLimit 64Mi; it cannot also be 1024Mi: ask for the same limit, or use another name');
  });

  test('a refused call leaves the pod as it was', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(() => withSidecar(web, { ...OK, sharedVolumes: [{ name: 'logs', path: '/logs', appContainers: ['nope'] }] })).toThrow();
    expect(web.initContainers).toHaveLength(0);
    expect(web.containers[0].mounts).toHaveLength(0);
  });
});

test('a corrected retry after a refused call works', () => {
  const { chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
  expect(() => withSidecar(web, { ...OK, ports: [{ number: 0 }] })).toThrow(/port 0/);
  expect(() => withSidecar(web, OK)).not.toThrow();
  expect(web.initContainers.map((c) => c.name)).toEqual(['side']);
});
