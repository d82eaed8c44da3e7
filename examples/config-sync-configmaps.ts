/**
 * withConfigSync from ConfigMaps: nginx serves the sites described by every ConfigMap labelled
 * `acme.com/nginx-config: web`. kiwigrid/k8s-sidecar watches them, writes each data key into
 * /etc/nginx/conf.d, and sends nginx's master SIGHUP after each change (nginx reloads its
 * configuration on SIGHUP). The signal needs `shareProcessNamespace: true`, acknowledged below.
 *
 * The sidecar gets a ServiceAccount and a Role that may only get, list and watch ConfigMaps of
 * this namespace; its token is mounted into the sidecar alone.
 *
 * Synthesize: npx ts-node examples/config-sync-configmaps.ts  (writes dist/config-sync-configmaps.k8s.yaml)
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConfigReload, ConfigSource, withConfigSync } from '../lib';

export class ConfigSyncConfigMapsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const web = new kplus.Deployment(this, 'web', {
      containers: [{
        name: 'nginx',
        image: 'docker.io/nginxinc/nginx-unprivileged:1.30.5',
        ports: [{ number: 8080, name: 'http' }],
        securityContext: {
          user: 101,
          group: 101,
          // The restricted profile for the app's own container too (the library's sidecars get it by default).
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
        volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'tmp', 'nginx-tmp') }],
      }],
    });

    withConfigSync(web, {
      source: ConfigSource.configMaps({ label: 'acme.com/nginx-config', labelValue: 'web' }),
      mountPath: '/etc/nginx/conf.d',
      reload: ConfigReload.signal('SIGHUP', { process: 'nginx', shareProcessNamespace: true }),
    });

    // One site; add more ConfigMaps with the label, from any chart or kubectl, and nginx reloads.
    new kplus.ConfigMap(this, 'site', {
      metadata: { labels: { 'acme.com/nginx-config': 'web' } },
      data: {
        'default.conf': [
          'server {',
          '    listen 8080;',
          '    location / {',
          '        return 200 "hello from a synced configuration\\n";',
          '    }',
          '}',
          '',
        ].join('\n'),
      },
    });

    web.exposeViaService({ name: 'web' });
  }
}

if (require.main === module) {
  const app = new App();
  new ConfigSyncConfigMapsChart(app, 'config-sync-configmaps');
  app.synth();
}
