/**
 * withAuthProxy behind withProxy: TLS at Envoy, then oauth2-proxy signs visitors in with the
 * company's OpenID Connect issuer, then the app, which reads the user from X-Forwarded-Email.
 * The Service listens on 443 and targets Envoy's named port, the outermost of the chain.
 *
 * Synthesize: npx ts-node examples/auth-proxy.ts  (writes dist/auth-proxy.k8s.yaml)
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SkipAuthRoute, withAuthProxy, withProxy } from '../lib';

export class AuthProxyChart extends Chart {
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
        readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }),
      }],
    });

    // Secrets made elsewhere (External Secrets, Sealed Secrets, kubectl): the OAuth client
    // secret, and 32 random bytes in URL-safe base64 that seal the session cookie.
    const oidc = kplus.Secret.fromSecretName(this, 'web-oidc', 'web-oidc');
    const tls = kplus.Secret.fromSecretName(this, 'web-tls', 'web-tls');

    const auth = withAuthProxy(web, {
      issuerUrl: 'https://login.example.com/realms/acme',
      clientId: 'web',
      clientSecret: { secret: oidc, key: 'client-secret' },
      cookieSecret: { secret: oidc, key: 'cookie-secret' },
      emailDomains: ['example.com'],
      redirectUrl: 'https://web.example.com/oauth2/callback',
      skipAuthRoutes: [SkipAuthRoute.prefix('/static/', { methods: ['GET'] })],
    });

    const proxy = withProxy(web, { target: auth, port: 8443, tls: { secret: tls } });
    proxy.exposeViaService({ name: 'web', port: 443 });
  }
}

if (require.main === module) {
  const app = new App();
  new AuthProxyChart(app, 'auth-proxy');
  app.synth();
}
