import { App } from 'cdk8s';
import { examples } from '../examples/synth';
import { allContainers, podSpecOf, restrictedProblems } from './util/restricted';
import { newApp, synth } from './util/synth';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

describe.each(examples().map((e) => [e.name, e]))('example %s', (_name, example) => {
  test('synthesizes to valid Kubernetes objects, with restricted-profile sidecars', () => {
    const { app } = newApp();
    new example.chart(app, example.name);
    const { manifests } = synth(app);

    expect(manifests.length).toBeGreaterThan(0);
    const workloads = manifests.filter((m) => WORKLOAD_KINDS.includes(m.kind));
    expect(workloads.length).toBeGreaterThan(0);
    for (const workload of workloads) {
      const spec = podSpecOf(workload);
      const sidecars = allContainers(spec).filter((c) => c.restartPolicy === 'Always' || c.imagePullPolicy === 'IfNotPresent');
      expect(restrictedProblems(spec, sidecars.map((c) => c.name))).toEqual([]);
    }
  });

  test('synthesizes byte-identical YAML twice', () => {
    const once = () => {
      const app = new App({ outdir: newApp().outdir });
      new example.chart(app, example.name);
      return app.synthYaml();
    };
    expect(once()).toEqual(once());
  });
});
