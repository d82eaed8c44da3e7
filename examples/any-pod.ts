/**
 * Any pod, any source: sidecars for workloads that are not cdk8s-plus objects. The Deployment of a
 * Helm chart's output (brought in with `Include`) gets a log shipper and a proxy that takes over the
 * chart's Service; a `KubeDeployment` (a class `cdk8s import k8s` writes) gets a log shipper. Both
 * are changed through JSON patches on their pod templates, and checked like any pod of this library.
 *
 * Synthesize: npx ts-node examples/any-pod.ts  (writes dist/any-pod.k8s.yaml)
 */
import * as path from 'path';
import { App, Chart, Include } from 'cdk8s';
// In an app, `cdk8s import k8s` writes these classes to imports/k8s.ts; cdk8s-plus ships the same ones.
import { KubeDeployment } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { LogOutput, withLogShipper, withProxy } from '../lib';

export class AnyPodChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // `helm template web ./charts/web`, as it is. With the helm binary installed,
    // `new Helm(this, 'web', { chart: './charts/web' })` gives the same ApiObjects.
    const web = new Include(this, 'web', { url: path.join(__dirname, 'any-pod-web.yaml') });
    const deployment = web.apiObjects.find((o) => o.kind === 'Deployment')!;
    const service = web.apiObjects.find((o) => o.kind === 'Service')!;

    withLogShipper(deployment, {
      logPath: '/var/log/app',
      outputs: [LogOutput.loki({ url: 'http://loki.monitoring:3100' })],
    });
    // The chart's Service targets the app's port by name ("http"): it now reaches the proxy.
    withProxy(deployment, { port: 8443 }).retargetService(service);

    const worker = new KubeDeployment(this, 'worker', {
      metadata: { name: 'worker' },
      spec: {
        selector: { matchLabels: { app: 'worker' } },
        template: {
          metadata: { labels: { app: 'worker' } },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'worker',
              image: 'ghcr.io/acme/worker:2.0.1',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    });
    withLogShipper(worker, {
      logPath: '/var/log/worker',
      outputs: [LogOutput.loki({ url: 'http://loki.monitoring:3100' })],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new AnyPodChart(app, 'any-pod');
  app.synth();
}
