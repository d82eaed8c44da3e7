/**
 * Pods no helper of ours touched, checked all the same: a Deployment written as `cdk8s import
 * k8s`'s KubeDeployment, an `Include` or a `Helm` chart writes it (a plain ApiObject), with an app
 * and a metrics exporter beside it. With the validation plugin in cdk8s.yaml, `cdk8s synth` runs
 * the whole-pod checks over it (README, "Checks for every pod").
 *
 * Synthesize: npx ts-node examples/validation-plugin.ts  (writes dist/validation-plugin.k8s.yaml)
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** The restricted profile, as the namespace may enforce it. */
const RESTRICTED = {
  runAsNonRoot: true,
  runAsUser: 65534,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export class ValidationPluginChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    new ApiObject(this, 'web', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              { name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080, name: 'http' }], securityContext: RESTRICTED },
              // Another port than the app's: on 8080 too, the plugin would fail the synth.
              {
                name: 'exporter',
                image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
                ports: [{ containerPort: 9102, name: 'metrics' }],
                securityContext: RESTRICTED,
              },
            ],
          },
        },
      },
    });
  }
}

if (require.main === module) {
  const app = new App();
  new ValidationPluginChart(app, 'validation-plugin');
  app.synth();
}
