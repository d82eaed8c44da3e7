/**
 * withLogShipper with Vector: a nightly CronJob writes plain-text log lines into /var/log/report;
 * a Vector native sidecar (it stops once the job's container has exited, so the Job completes)
 * parses them with a regular expression, joins multi-line records by their leading timestamp,
 * and sends them both to OpenSearch and, as the Kubernetes streaming-sidecar pattern, to its
 * own standard output.
 *
 * Synthesize: npx ts-node examples/log-shipper-vector.ts  (writes dist/log-shipper-vector.k8s.yaml)
 */
import { App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LogMultiline, LogOutput, LogParser, LogShipperEngine, withLogShipper } from '../lib';

export class LogShipperVectorChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const report = new kplus.CronJob(this, 'report', {
      schedule: Cron.schedule({ minute: '0', hour: '3' }),
      containers: [{
        name: 'report',
        image: 'ghcr.io/acme/report:2.0.1',
        securityContext: {
          user: 1000,
          group: 1000,
          // The restricted profile for the app's own container too (the library's sidecars get it by default).
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });

    const search = kplus.Secret.fromSecretName(this, 'opensearch-credentials', 'opensearch-credentials');

    withLogShipper(report, {
      engine: LogShipperEngine.VECTOR,
      logPath: '/var/log/report',
      multiline: LogMultiline.startPattern('^\\d{4}-\\d{2}-\\d{2}T'),
      parser: LogParser.regex('^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$'),
      outputs: [
        LogOutput.elasticsearch({
          url: 'https://opensearch.logging:9200',
          index: 'reports',
          username: { secret: search, key: 'username' },
          password: { secret: search, key: 'password' },
        }),
        LogOutput.stdout(),
      ],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new LogShipperVectorChart(app, 'log-shipper-vector');
  app.synth();
}
