import * as kplus from 'cdk8s-plus-28';
import { withSidecar } from '../../../lib';
import { newApp, synthFails } from '../../util/synth';
import { APP } from '../../workloads';

describe('volumes and mounts at synth time', () => {
  test('fails when two different volumes share a name (instead of cdk8s-plus failing mid-render)', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1', sharedVolumes: [{ name: 'data', path: '/data', appContainers: [] }] });
    web.containers[0].mount('/cache', kplus.Volume.fromEmptyDir(chart, 'cache', 'data'));
    expect(synthFails(app)).toContain('[test/web] volume name "data": volume #1 (used by container "side" (withSidecar, native sidecar)) and volume #2 (used by container "app") are different volumes of one name');
  });

  test('fails when one container mounts two volumes at one path', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const side = withSidecar(web, { name: 'side', image: 's:1', sharedVolumes: [{ name: 'data', path: '/data', appContainers: [] }] });
    side.container.mount('/data/', kplus.Volume.fromEmptyDir(chart, 'other', 'other'));
    expect(synthFails(app)).toContain('mount path "/data" in container "side" (withSidecar, native sidecar): volume "data" and volume "other" are both mounted there, and a path takes one mount');
  });

  test('fails when a mount path is relative', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1' });
    web.containers[0].mount('tmp', kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp'));
    expect(synthFails(app)).toContain('mount path "tmp" of volume "tmp" in container "app" must be an absolute path (starting with "/"); give the absolute path inside the container');
  });

  test('fails when a shared volume is mounted with a subPath', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const side = withSidecar(web, { name: 'side', image: 's:1', sharedVolumes: [{ name: 'data', path: '/data', appContainers: [] }] });
    web.containers[0].mount('/etc/app/settings.json', side.volumes[0], { subPath: 'settings.json', readOnly: true });
    expect(synthFails(app)).toContain('shared volume "data" is mounted with a subPath in container "app"; another container writes this volume, '
      + 'and a subPath into a volume another container writes can be turned into a symlink out of it (CVE-2021-25741)');
  });
});
