/**
 * withSecretsAgent: the app reads its database credentials and an API key from files that Vault
 * Agent renders into an in-memory folder, /vault/secrets, and keeps current; after a change the
 * agent POSTs to the app's reload endpoint. The agent logs in with a service-account token
 * projected for Vault (audience "vault") through the Kubernetes auth method, role "web"; Vault's
 * certificate is checked against the CA in the ConfigMap "vault-ca".
 *
 * On the Vault side (once):
 *   vault auth enable kubernetes
 *   vault write auth/kubernetes/config kubernetes_host=https://kubernetes.default.svc
 *   vault write auth/kubernetes/role/web bound_service_account_names=web \
 *     bound_service_account_namespaces=default audience=vault policies=web token_ttl=1h
 *
 * Synthesize: npx ts-node examples/secrets-agent.ts  (writes dist/secrets-agent.k8s.yaml)
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConfigReload, SecretTemplate, VaultCaCertificate, withSecretsAgent } from '../lib';

export class SecretsAgentChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const serviceAccount = new kplus.ServiceAccount(this, 'sa', { metadata: { name: 'web' }, automountToken: false });
    const web = new kplus.Deployment(this, 'web', {
      serviceAccount,
      containers: [{
        name: 'app',
        image: 'ghcr.io/acme/web:1.4.2',
        args: ['--db-credentials=/vault/secrets/db.json', '--api-key-file=/vault/secrets/api-key'],
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

    const vaultCa = kplus.ConfigMap.fromConfigMapName(this, 'vault-ca', 'vault-ca');
    withSecretsAgent(web, {
      address: 'https://vault.vault.svc:8200',
      role: 'web',
      caCertificate: VaultCaCertificate.fromConfigMap(vaultCa, 'ca.crt'),
      secrets: [
        { path: 'db.json', template: SecretTemplate.database({ role: 'web' }) },
        { path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) },
      ],
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
    });
  }
}

if (require.main === module) {
  const app = new App();
  new SecretsAgentChart(app, 'secrets-agent');
  app.synth();
}
