import * as fs from 'fs';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SidecarMode, withSidecar } from '../../lib';
import { listFiles, newApp, synthFails } from '../util/synth';
import { APP } from '../workloads';

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
