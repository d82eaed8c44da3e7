/**
 * The Vault Agent renderer alone: the model in, the agent's JSON configuration out, in the
 * stanzas Vault Agent documents and parses (hashicorp/vault command/agent/config/config.go).
 */
import { renderVaultAgent, VaultAgentModel } from '../../lib/secrets-agent/vault-agent';

const MODEL: VaultAgentModel = {
  address: 'https://vault:8200',
  authPath: 'auth/kubernetes',
  role: 'web',
  tokenPath: '/var/run/secrets/vault/token',
  exitAfterAuth: false,
  templates: [{ destination: '/vault/secrets/a', contents: '{{ with secret "x" }}{{ .Data.a }}{{ end }}', perms: '0640', errorOnMissingKey: true }],
};

test('the minimal configuration: vault, auto_auth (kubernetes), exit_after_auth, template_config, template; nothing else', () => {
  const config = JSON.parse(renderVaultAgent(MODEL));
  expect(Object.keys(config)).toEqual(['vault', 'auto_auth', 'exit_after_auth', 'template_config', 'template']);
  expect(config).toEqual({
    vault: { address: 'https://vault:8200' },
    auto_auth: { method: { type: 'kubernetes', mount_path: 'auth/kubernetes', config: { role: 'web', token_path: '/var/run/secrets/vault/token' } } },
    exit_after_auth: false,
    template_config: { exit_on_retry_failure: true },
    template: [{ destination: '/vault/secrets/a', contents: '{{ with secret "x" }}{{ .Data.a }}{{ end }}', perms: '0640', error_on_missing_key: true, create_dest_dirs: true }],
  });
});

test('every optional stanza when asked', () => {
  const config = JSON.parse(renderVaultAgent({
    ...MODEL,
    namespace: 'team-a',
    caCert: '/vault/tls/ca.crt',
    tlsServerName: 'vault.internal',
    tlsSkipVerify: true,
    exitAfterAuth: true,
    renderInterval: 60,
    cacheAddress: '127.0.0.1:8200',
    templates: [{ ...MODEL.templates[0], command: ['/bin/sh', '/vault/config/reload.sh'] }],
  }));
  expect(config.vault).toEqual({ address: 'https://vault:8200', namespace: 'team-a', ca_cert: '/vault/tls/ca.crt', tls_server_name: 'vault.internal', tls_skip_verify: true });
  expect(config.exit_after_auth).toBe(true);
  expect(config.template_config).toEqual({ exit_on_retry_failure: true, static_secret_render_interval: '60s' });
  expect(config.template[0].exec).toEqual({ command: ['/bin/sh', '/vault/config/reload.sh'], timeout: '30s' });
  expect(config.cache).toEqual({});
  expect(config.api_proxy).toEqual({ use_auto_auth_token: true });
  expect(config.listener).toEqual([{ tcp: { address: '127.0.0.1:8200', tls_disable: true } }]);
});

test('values that are JSON-hostile stay inside their strings', () => {
  const text = renderVaultAgent({ ...MODEL, role: 'web", "x": "y' });
  expect(JSON.parse(text).auto_auth.method.config.role).toBe('web", "x": "y');
});
