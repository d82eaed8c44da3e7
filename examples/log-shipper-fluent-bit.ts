/**
 * withLogShipper with Fluent Bit (the default engine): a web app writes JSON log files into
 * /var/log/app; a Fluent Bit native sidecar tails them, joins Java stack traces, parses the JSON
 * and pushes the records to Loki over HTTPS with basic auth from a Secret, trusting the
 * company CA from a ConfigMap.
 *
 * Synthesize: npx ts-node examples/log-shipper-fluent-bit.ts  (writes dist/log-shipper-fluent-bit.k8s.yaml)
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogMultiline, LogOutput, LogParser, TlsCa, withLogShipper } from '../lib';

export class LogShipperFluentBitChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const web = new kplus.Deployment(this, 'web', {
      containers: [{
        name: 'app',
        image: 'ghcr.io/acme/web:1.4.2',
        ports: [{ number: 8080, name: 'http' }],
        securityContext: {
          user: 1000,
          group: 1000,
          // The restricted profile for the app's own container too (the library's sidecars get it by default).
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });

    // Created outside this app (by an operator or External Secrets), referenced by name.
    const loki = kplus.Secret.fromSecretName(this, 'loki-credentials', 'loki-credentials');
    const corpCa = kplus.ConfigMap.fromConfigMapName(this, 'corp-ca', 'corp-ca');

    withLogShipper(web, {
      logPath: '/var/log/app',
      parser: LogParser.json(),
      multiline: LogMultiline.java(),
      outputs: [
        LogOutput.loki({
          url: 'https://loki.example.com',
          tenant: 'web-team',
          username: { secret: loki, key: 'username' },
          password: { secret: loki, key: 'password' },
          ca: TlsCa.fromConfigMap(corpCa, 'ca.crt'),
        }),
      ],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new LogShipperFluentBitChart(app, 'log-shipper-fluent-bit');
  app.synth();
}
