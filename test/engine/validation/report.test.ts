import * as fs from 'fs';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SidecarMode, withSidecar } from '../../../lib';
import * as validation from '../../../lib/engine/validation';
import { listFiles, newApp, synth, synthFails } from '../../util/synth';
import { APP } from '../../workloads';

describe('how problems are reported', () => {
  test('all problems of all workloads together, each prefixed with its workload\'s path', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1', ports: [{ number: 8080, name: 'http' }] });
    const job = new kplus.Job(chart, 'migrate', { containers: [APP] });
    withSidecar(job, { name: 'side', image: 's:1', mode: SidecarMode.CLASSIC });
    const message = synthFails(app);
    expect(message).toMatch(/^Validation failed with the following errors:/);
    expect(message).toContain('[test/web] port 8080/TCP');
    expect(message).toContain('[test/web] port name "http"');
    expect(message).toContain('[test/migrate] container "side" (withSidecar, classic sidecar) on a Job never exits');
  });

  test('a failed synthesis writes no file, not even for the charts that are fine', () => {
    const { app, chart, outdir } = newApp();
    const fine = new Chart(app, 'a-fine-chart');
    new kplus.Deployment(fine, 'ok', { containers: [APP] });
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1', ports: [{ number: 8080 }] });
    synthFails(app);
    expect(listFiles(outdir)).toEqual([]);
    expect(fs.existsSync(outdir)).toBe(true);
  });

  test('checks each pod once per synth, though cdk8s validates the whole app again for every chart', () => {
    const { app, chart } = newApp();
    const other = new Chart(app, 'other');
    for (const scope of [chart, other]) {
      for (const id of ['web', 'api']) {
        const workload = new kplus.Deployment(scope, id, { containers: [APP] });
        withSidecar(workload, { name: 'side', image: 's:1', boundPorts: [{ number: 15000 }] });
      }
    }
    const checks = jest.spyOn(validation, 'checkPod');
    try {
      const { manifests } = synth(app);
      expect(manifests.filter((m) => m.kind === 'Deployment')).toHaveLength(4);
      // cdk8s validates in app.synth() and in each of the two charts' toJson(): 12 without reuse.
      expect(checks).toHaveBeenCalledTimes(4);
    } finally {
      checks.mockRestore();
    }
  });

  test('fails when a pod that passed one synth changes before the next', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'agent', image: 'a:1', boundPorts: [{ number: 15000, purpose: 'admin' }] });
    synth(app);
    web.containers[0].addPort({ number: 15000 });
    expect(() => app.synth()).toThrow(/\[test\/web\] port 15000\/TCP: container "agent" .* and container "app" \[containerPort\] both listen on it/);
  });

  test('fails when a mount added after one synth breaks a rule at the next', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'side', image: 's:1' });
    synth(app);
    web.containers[0].mount('tmp', kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp'));
    expect(() => app.synth()).toThrow('[test/web] mount path "tmp" of volume "tmp" in container "app" must be an absolute path');
  });

  test('the validation is registered once per workload, however many sidecars', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'one', image: 'o:1', ports: [{ number: 8080 }] });
    withSidecar(web, { name: 'two', image: 't:1' });
    withSidecar(web, { name: 'three', image: 't:1' });
    const problems = web.node.validate();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^port 8080\/TCP/);
  });
});
