/**
 * withProxy (Envoy) as the app's security edge: TLS with the browser security headers
 * (Strict-Transport-Security among them), identity headers a client must not forge removed, a
 * local rate limit, and the app's internal endpoints kept internal. withConfigSync's reload
 * POST (`/-/reload` on the app's port) is registered first, so the proxy answers 404 for it; the
 * app's `/admin` is added by hand. Faults are injected only into requests that carry
 * `x-chaos-test`, for resilience tests against the real deployment.
 *
 * Synthesize: npx ts-node examples/proxy-security.ts  (writes dist/proxy-security.k8s.yaml)
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConfigReload, ConfigSource, SecurityHeaders, withConfigSync, withProxy } from '../lib';

export class ProxySecurityChart extends Chart {
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
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });

    // The app reloads its settings on POST /-/reload: an endpoint for the pod, not the world.
    withConfigSync(web, {
      source: ConfigSource.configMaps({ label: 'web-settings' }),
      mountPath: '/etc/web',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
    });

    const proxy = withProxy(web, {
      port: 8443,
      tls: { secret: kplus.Secret.fromSecretName(this, 'web-tls', 'web-tls') },
      responseHeaders: SecurityHeaders.recommended({ contentSecurityPolicy: "default-src 'self'" }),
      removeRequestHeaders: ['X-Forwarded-User', 'X-Forwarded-Email'],
      rateLimit: { requestsPerSecond: 100, burst: 200 },
      internalPaths: ['/admin'],
      faults: {
        enabled: true,
        onlyWithHeader: 'x-chaos-test',
        delay: { duration: Duration.seconds(2), percentage: 50 },
        abort: { status: 503, percentage: 10 },
      },
    });
    proxy.exposeViaService({ name: 'web', port: 443 });
  }
}

if (require.main === module) {
  const app = new App();
  new ProxySecurityChart(app, 'proxy-security');
  app.synth();
}
