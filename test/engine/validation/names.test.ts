import * as kplus from 'cdk8s-plus-28';
import { withSidecar } from '../../../lib';
import { newApp, synthFails } from '../../util/synth';
import { APP } from '../../workloads';

describe('container names at synth time', () => {
  test('fails when an init container added later takes a sidecar\'s name', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1' });
    web.addContainer({ name: 'side', image: 'other:1' });
    expect(synthFails(app)).toContain('[test/web] container name "side": container "side" (withSidecar, native sidecar) and container "side" both use it; names must be unique across containers and init containers');
  });

  test('fails when a container name is not a DNS-1123 label', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP, { name: 'Worker', image: 'w:1' }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('container name "Worker" must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit; rename the container');
  });

  test('fails when the pod has no regular container (instead of cdk8s-plus failing mid-render)', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web');
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('the Deployment has no regular container, only 1 init container(s); a pod needs at least one: add the app container');
  });

  test('fails when a regular container sets restartPolicy (instead of cdk8s-plus failing mid-render)', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP, { name: 'worker', image: 'w:1', restartPolicy: kplus.ContainerRestartPolicy.ALWAYS }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('container "worker" sets restartPolicy, which only init containers may set');
  });

  test('fails when an app container has an empty image', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ ...APP, image: '' }] });
    withSidecar(web, { name: 'side', image: 's:1' });
    expect(synthFails(app)).toContain('container "app" has an empty image; give it an image reference');
  });
});
