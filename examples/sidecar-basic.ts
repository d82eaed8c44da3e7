/**
 * withSidecar: a statsd exporter beside a web app. Its metrics port is declared and kept out
 * of the app's Service; the UDP port it binds is in the pod's port ledger.
 *
 * Synthesize: npx ts-node examples/sidecar-basic.ts  (writes dist/sidecar-basic.k8s.yaml)
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { withSidecar } from '../lib';

export class SidecarBasicChart extends Chart {
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

    withSidecar(web, {
      name: 'statsd-exporter',
      image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
      args: ['--statsd.listen-udp=:9125', '--web.listen-address=:9102'],
      ports: [{ number: 9102, name: 'metrics' }],
      boundPorts: [{ number: 9125, protocol: kplus.Protocol.UDP, purpose: 'statsd' }],
      securityContext: { user: 65534, group: 65534 }, // the image's USER nobody
    });

    web.exposeViaService({ name: 'web' }); // only the app's port 8080: the sidecar's stays out
  }
}

if (require.main === module) {
  const app = new App();
  new SidecarBasicChart(app, 'sidecar-basic');
  app.synth();
}
