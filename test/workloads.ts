/**
 * Every cdk8s-plus-28 pod owner, built the same way, for tests that run on each kind.
 */
import { ApiObject, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/** The app container every test workload starts with. */
export const APP: kplus.ContainerProps = {
  name: 'app',
  image: 'ghcr.io/acme/web:1.4.2',
  ports: [{ number: 8080, name: 'http' }],
  securityContext: { user: 1000, group: 1000 },
};

export type WorkloadFactory = (chart: Chart, id?: string, containers?: kplus.ContainerProps[]) => kplus.AbstractPod;

export const WORKLOADS: Array<[string, WorkloadFactory]> = [
  ['Deployment', (chart, id = 'web', containers = [APP]) => new kplus.Deployment(chart, id, { containers })],
  ['StatefulSet', (chart, id = 'web', containers = [APP]) => new kplus.StatefulSet(chart, id, { containers })],
  ['DaemonSet', (chart, id = 'web', containers = [APP]) => new kplus.DaemonSet(chart, id, { containers })],
  ['Job', (chart, id = 'web', containers = [APP]) => new kplus.Job(chart, id, { containers })],
  ['CronJob', (chart, id = 'web', containers = [APP]) => new kplus.CronJob(chart, id, { containers, schedule: Cron.daily() })],
  ['Pod', (chart, id = 'web', containers = [APP]) => new kplus.Pod(chart, id, { containers })],
];

/** The kinds whose pods run to completion. */
export const RUN_TO_COMPLETION = ['Job', 'CronJob'];

/**
 * A Deployment as a plain ApiObject (an import, an Include's or a Helm chart's manifest), with the
 * given containers in the manifest's spelling and, when given, pod template annotations.
 */
export function plainDeployment(
  chart: Chart,
  containers: unknown[] = [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080, name: 'http' }] }],
  annotations?: Record<string, string>,
): ApiObject {
  return new ApiObject(chart, 'web', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' }, annotations }, spec: { containers } },
    },
  });
}
