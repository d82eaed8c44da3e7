/**
 * withProxy (Envoy, the default engine): TLS termination in front of a web app that speaks
 * plain HTTP on 8080. The Service listens on 443 and targets the proxy's named port, so the
 * app's own port is no longer what it reaches.
 *
 * Synthesize: npx ts-node examples/proxy-envoy.ts  (writes dist/proxy-envoy.k8s.yaml)
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { withProxy } from '../lib';

export class ProxyEnvoyChart extends Chart {
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

    // A kubernetes.io/tls Secret made elsewhere (cert-manager, for example).
    const tls = kplus.Secret.fromSecretName(this, 'web-tls', 'web-tls');

    const proxy = withProxy(web, {
      port: 8443,
      tls: { secret: tls },
      requestTimeout: Duration.seconds(30),
      maxRequestBodySize: Size.mebibytes(10),
    });
    proxy.exposeViaService({ name: 'web', port: 443 });
  }
}

if (require.main === module) {
  const app = new App();
  new ProxyEnvoyChart(app, 'proxy-envoy');
  app.synth();
}
