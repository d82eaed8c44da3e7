/**
 * withConfigSync from git: the app's configuration lives in a private GitHub repository; git-sync
 * keeps /etc/app/config/current on branch main, and POSTs to the app's reload endpoint after each
 * change. The access token comes from a Secret, mounted as a file into git-sync only.
 *
 * Create the Secret first (never in the chart):
 *   kubectl create secret generic app-config-git --from-literal=token=github_pat_…
 *
 * Synthesize: npx ts-node examples/config-sync-git.ts  (writes dist/config-sync-git.k8s.yaml)
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConfigReload, ConfigSource, GitAuth, withConfigSync } from '../lib';

export class ConfigSyncGitChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const web = new kplus.Deployment(this, 'web', {
      containers: [{
        name: 'app',
        image: 'ghcr.io/acme/web:1.4.2',
        args: ['--config=/etc/app/config/current/app.yaml'],
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

    const token = kplus.Secret.fromSecretName(this, 'git-token', 'app-config-git');
    // The app reads /etc/app/config/current (the returned handle's configPath): a symlink that
    // git-sync swaps atomically to each new checkout.
    withConfigSync(web, {
      source: ConfigSource.git({
        repo: 'https://github.com/acme/app-config.git',
        ref: 'main',
        period: Duration.seconds(30),
        auth: GitAuth.https({ username: 'git', password: { secret: token, key: 'token' } }),
      }),
      mountPath: '/etc/app/config',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
    });

    web.exposeViaService({ name: 'web' }); // port 8080 only: the sync's health port stays out
  }
}

if (require.main === module) {
  const app = new App();
  new ConfigSyncGitChart(app, 'config-sync-git');
  app.synth();
}
