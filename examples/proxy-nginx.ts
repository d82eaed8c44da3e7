/**
 * withProxy (nginx): a reverse proxy in front of a gRPC API, with its own Service. nginx runs
 * as non-root with a read-only root filesystem; its pid file and temp paths are on an emptyDir.
 *
 * Synthesize: npx ts-node examples/proxy-nginx.ts  (writes dist/proxy-nginx.k8s.yaml)
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ProxyEngine, UpstreamProtocol, withProxy } from '../lib';

export class ProxyNginxChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const api = new kplus.Deployment(this, 'api', {
      containers: [{
        name: 'api',
        image: 'ghcr.io/acme/api:2.0.1',
        ports: [{ number: 50051, name: 'grpc' }],
        securityContext: {
          user: 1000,
          group: 1000,
          // The restricted profile for the app's own container too (the library's sidecars get it by default).
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });

    const proxy = withProxy(api, {
      engine: ProxyEngine.NGINX,
      port: 9000,
      upstreamProtocol: UpstreamProtocol.GRPC,
      requestTimeout: Duration.minutes(10), // long-lived streams
    });
    proxy.exposeViaService({ name: 'api' });
  }
}

if (require.main === module) {
  const app = new App();
  new ProxyNginxChart(app, 'proxy-nginx');
  app.synth();
}
