/**
 * withCache (Valkey): a private cache beside a web app, on a Unix socket, with a password from a
 * Secret. The app reads CACHE_URL (unix:///run/cache/valkey.sock) and CACHE_PASSWORD.
 *
 * Synthesize: npx ts-node examples/cache-valkey.ts  (writes dist/cache-valkey.k8s.yaml)
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CacheListener, withCache } from '../lib';

export class CacheValkeyChart extends Chart {
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

    // A Secret made elsewhere (kubectl create secret generic web-cache --from-literal=password=…).
    const auth = kplus.Secret.fromSecretName(this, 'web-cache', 'web-cache');

    withCache(web, {
      listen: CacheListener.unixSocket(),
      password: { secret: auth, key: 'password' },
      resources: { memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) } },
    });
  }
}

if (require.main === module) {
  const app = new App();
  new CacheValkeyChart(app, 'cache-valkey');
  app.synth();
}
