/**
 * withProxy (nginx) with the browser security headers, a local rate limit, a stripped identity
 * header, and withConfigSync's reload endpoint kept inside the pod (the proxy answers 404 for it).
 * nginx cannot inject faults faithfully, so `faults` is Envoy's only.
 *
 * Synthesize: npx ts-node examples/proxy-security-nginx.ts  (writes dist/proxy-security-nginx.k8s.yaml)
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConfigReload, ConfigSource, FrameAncestors, ProxyEngine, SecurityHeaders, withConfigSync, withProxy } from '../lib';

export class ProxySecurityNginxChart extends Chart {
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

    withConfigSync(web, {
      source: ConfigSource.configMaps({ label: 'web-settings' }),
      mountPath: '/etc/web',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
    });

    const proxy = withProxy(web, {
      engine: ProxyEngine.NGINX,
      responseHeaders: SecurityHeaders.recommended({ frameAncestors: FrameAncestors.SAME_ORIGIN }),
      removeRequestHeaders: ['X-Forwarded-User'],
      rateLimit: { requestsPerSecond: 50, burst: 100 },
    });
    proxy.exposeViaService({ name: 'web', port: 80 });
  }
}

if (require.main === module) {
  const app = new App();
  new ProxySecurityNginxChart(app, 'proxy-security-nginx');
  app.synth();
}
