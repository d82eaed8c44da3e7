/**
 * withCache (memcached): a private memcached beside a worker, on 127.0.0.1. The worker reads
 * MEMCACHED_URL (memcached://127.0.0.1:11211).
 *
 * Synthesize: npx ts-node examples/cache-memcached.ts  (writes dist/cache-memcached.k8s.yaml)
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CacheEngine, withCache } from '../lib';

export class CacheMemcachedChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const worker = new kplus.Deployment(this, 'worker', {
      containers: [{
        name: 'worker',
        image: 'ghcr.io/acme/worker:3.2.0',
        securityContext: {
          user: 1000,
          group: 1000,
          // The restricted profile for the app's own container too (the library's sidecars get it by default).
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });

    withCache(worker, { engine: CacheEngine.MEMCACHED, urlEnv: 'MEMCACHED_URL' });
  }
}

if (require.main === module) {
  const app = new App();
  new CacheMemcachedChart(app, 'cache-memcached');
  app.synth();
}
