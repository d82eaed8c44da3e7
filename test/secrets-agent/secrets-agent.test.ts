import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ConfigReload, ConfigSource, SecretsAgent, SecretTemplate, SidecarMode, VaultCaCertificate, withConfigSync, withSecretsAgent,
} from '../../lib';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';
import { APP, RUN_TO_COMPLETION, WORKLOADS } from '../workloads';

const ADDRESS = 'https://vault.vault.svc:8200';
const DB = { path: 'db.json', template: SecretTemplate.database({ role: 'web' }) };
const API_KEY = { path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) };
const BASE = { address: ADDRESS, role: 'web', secrets: [DB, API_KEY] };

function deployment(containers: kplus.ContainerProps[] = [APP]) {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers });
  return { app, chart, web };
}

function podOf(manifests: any[], kind = 'Deployment'): any {
  return podSpecOf(find(manifests, kind));
}

function byName(spec: any, name: string): any {
  const found = allContainers(spec).find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name} in ${allContainers(spec).map((c) => c.name).join(', ')}`);
  return found;
}

/** The agent's configuration files, parsed (JSON). */
function agentConfigs(manifests: any[]): Record<string, any> {
  const configMap = find(manifests, 'ConfigMap', 'vault-agent-config');
  return Object.fromEntries(Object.entries(configMap.data as Record<string, string>)
    .filter(([file]) => file.endsWith('.json'))
    .map(([file, text]) => [file, JSON.parse(text)]));
}

/** The template stanzas of agent.json (or agent-init.json), by destination. */
function templatesOf(config: any): Record<string, any> {
  return Object.fromEntries(config.template.map((t: any) => [t.destination, t]));
}

describe.each(WORKLOADS)('on a %s', (kind, make) => {
  if (RUN_TO_COMPLETION.includes(kind)) {
    test.each([SidecarMode.NATIVE, SidecarMode.CLASSIC])('mode %s: only the one-time render, an init container with exit_after_auth', (mode) => {
      const { app, chart } = newApp();
      const agent = withSecretsAgent(make(chart), { ...BASE, mode });
      const { manifests } = synth(app);
      const spec = podOf(manifests, kind);

      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['vault-agent-init']);
      const init = spec.initContainers[0];
      expect(init.restartPolicy).toBeUndefined();
      expect(init.startupProbe).toBeUndefined();
      expect(init.command).toEqual(['/bin/vault', 'agent', '-config=/vault/config/agent-init.json']);
      expect(spec.containers.map((c: any) => c.name)).toEqual(['app']);
      expect(byName(spec, 'app').volumeMounts).toEqual([{ name: 'vault-agent-secrets', mountPath: '/vault/secrets', readOnly: true }]);
      const configs = agentConfigs(manifests);
      expect(Object.keys(configs)).toEqual(['agent-init.json']);
      expect(configs['agent-init.json'].exit_after_auth).toBe(true);
      expect(agent.container).toBeUndefined();
      expect(agent.mode).toBeUndefined();
      expect(agent.initContainer!.name).toBe('vault-agent-init');
      expect(restrictedProblems(spec, ['vault-agent-init'])).toEqual([]);
    });
  } else {
    test('native: a native sidecar whose startup probe holds the app until every file is rendered', () => {
      const { app, chart } = newApp();
      const agent = withSecretsAgent(make(chart), BASE);
      const { manifests } = synth(app);
      const spec = podOf(manifests, kind);

      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['vault-agent']);
      const sidecar = spec.initContainers[0];
      expect(sidecar.restartPolicy).toBe('Always');
      expect(sidecar.image).toBe('docker.io/hashicorp/vault:2.1.2');
      expect(sidecar.command).toEqual(['/bin/vault', 'agent', '-config=/vault/config/agent.json']);
      expect(sidecar.startupProbe).toEqual({
        exec: { command: ['/bin/sh', '-c', "test -e '/vault/secrets/db.json' && test -e '/vault/secrets/api-key'"] },
        periodSeconds: 2,
        failureThreshold: 150,
      });
      expect(sidecar.ports).toBeUndefined();
      expect(spec.containers.map((c: any) => c.name)).toEqual(['app']);
      expect(agentConfigs(manifests)['agent.json'].exit_after_auth).toBe(false);
      expect(Object.keys(agentConfigs(manifests))).toEqual(['agent.json']);
      expect(agent.mode).toBe(SidecarMode.NATIVE);
      expect(agent.initContainer).toBeUndefined();
      expect(restrictedProblems(spec, ['vault-agent'])).toEqual([]);
    });

    test('classic: the one-time init container, then a regular container that keeps the files current', () => {
      const { app, chart } = newApp();
      const agent = withSecretsAgent(make(chart), { ...BASE, mode: SidecarMode.CLASSIC });
      const { manifests } = synth(app);
      const spec = podOf(manifests, kind);

      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['vault-agent-init']);
      expect(spec.containers.map((c: any) => c.name)).toEqual(['app', 'vault-agent']);
      expect(byName(spec, 'vault-agent').startupProbe).toBeUndefined();
      expect(byName(spec, 'vault-agent').restartPolicy).toBeUndefined();
      const configs = agentConfigs(manifests);
      expect(configs['agent-init.json'].exit_after_auth).toBe(true);
      expect(configs['agent.json'].exit_after_auth).toBe(false);
      // Both write the same folder, as the same user.
      const secrets = (c: any) => c.volumeMounts.find((m: any) => m.name === 'vault-agent-secrets');
      expect(secrets(spec.initContainers[0])).toEqual(secrets(byName(spec, 'vault-agent')));
      expect(agent.mode).toBe(SidecarMode.CLASSIC);
      expect(restrictedProblems(spec, ['vault-agent', 'vault-agent-init'])).toEqual([]);
    });
  }
});

describe('the agent configuration', () => {
  test('logs in with the Kubernetes auth method, its role and mount path, and the projected token; no sink, no tls_skip_verify', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, authPath: 'auth/k8s-prod/' });
    const config = agentConfigs(synth(app).manifests)['agent.json'];
    expect(config.vault).toEqual({ address: ADDRESS });
    expect(config.auto_auth).toEqual({
      method: { type: 'kubernetes', mount_path: 'auth/k8s-prod', config: { role: 'web', token_path: '/var/run/secrets/vault/token' } },
    });
    expect(config.template_config).toEqual({ exit_on_retry_failure: true });
    expect(config.cache).toBeUndefined();
    expect(config.listener).toBeUndefined();
    expect(JSON.stringify(config)).not.toContain('sink');
    expect(JSON.stringify(config)).not.toContain('tls_skip_verify');
  });

  test('every file a template stanza, with its destination in the mounted folder, its perms, and missing keys an error', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, {
      ...BASE,
      secrets: [DB, { ...API_KEY, perms: 0o440 }, { path: 'tls/ca.pem', template: SecretTemplate.raw('{{ with secret "pki/cert/ca" }}{{ .Data.certificate }}{{ end }}') }],
    });
    const templates = templatesOf(agentConfigs(synth(app).manifests)['agent.json']);
    expect(Object.keys(templates)).toEqual(['/vault/secrets/db.json', '/vault/secrets/api-key', '/vault/secrets/tls/ca.pem']);
    expect(templates['/vault/secrets/db.json']).toEqual({
      destination: '/vault/secrets/db.json',
      contents: '{{ with secret "database/creds/web" }}{{ .Data | toJSON }}{{ end }}',
      perms: '0640',
      error_on_missing_key: true,
      create_dest_dirs: true,
    });
    expect(templates['/vault/secrets/api-key'].perms).toBe('0440');
    expect(templates['/vault/secrets/api-key'].contents).toBe('{{ with secret "secret/data/web/api" }}{{ .Data.data.key }}{{ end }}');
    // A template of the user's own: as given; missing keys as text/template renders them.
    expect(templates['/vault/secrets/tls/ca.pem'].contents).toBe('{{ with secret "pki/cert/ca" }}{{ .Data.certificate }}{{ end }}');
    expect(templates['/vault/secrets/tls/ca.pem'].error_on_missing_key).toBe(false);
  });

  test('the Vault namespace, the TLS server name and the render interval', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, namespace: 'team-a/web', tlsServerName: 'vault.internal', renderInterval: Duration.seconds(90) });
    const config = agentConfigs(synth(app).manifests)['agent.json'];
    expect(config.vault).toEqual({ address: ADDRESS, namespace: 'team-a/web', tls_server_name: 'vault.internal' });
    expect(config.template_config.static_secret_render_interval).toBe('90s');
  });

  test('the address is normalized to scheme, host and port', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, address: 'HTTPS://Vault.Example.com:8200/' });
    expect(agentConfigs(synth(app).manifests)['agent.json'].vault.address).toBe('https://vault.example.com:8200');
  });

  test('no secret value in the ConfigMap: only templates, and the options never take a token', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, BASE);
    const { manifests } = synth(app);
    const configMap = find(manifests, 'ConfigMap', 'vault-agent-config');
    expect(Object.keys(configMap.data)).toEqual(['agent.json']);
    for (const t of agentConfigs(manifests)['agent.json'].template) expect(t.contents).toMatch(/^\{\{ with secret "[^"]+" \}\}.*\{\{ end \}\}$/);
    const spec = podOf(manifests);
    for (const c of allContainers(spec)) expect(c.env).toBeUndefined();
  });
});

describe('templates', () => {
  function contents(template: SecretTemplate): string {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, secrets: [{ path: 'f', template }] });
    return agentConfigs(synth(app).manifests)['agent.json'].template[0].contents;
  }

  test('KV v2: <mount>/data/<path>, one field, all keys as JSON, a fixed version', () => {
    expect(contents(SecretTemplate.kv({ path: 'web/db', field: 'password' }))).toBe('{{ with secret "secret/data/web/db" }}{{ .Data.data.password }}{{ end }}');
    expect(contents(SecretTemplate.kv({ path: 'web/db' }))).toBe('{{ with secret "secret/data/web/db" }}{{ .Data.data | toJSON }}{{ end }}');
    expect(contents(SecretTemplate.kv({ mount: 'kv', path: 'web/db', field: 'password', version: 3 })))
      .toBe('{{ with secret "kv/data/web/db?version=3" }}{{ .Data.data.password }}{{ end }}');
  });

  test('KV v1: <mount>/<path>, keys under .Data', () => {
    expect(contents(SecretTemplate.kv({ mount: 'kv1', path: 'web/db', field: 'password', kvVersion: 1 })))
      .toBe('{{ with secret "kv1/web/db" }}{{ .Data.password }}{{ end }}');
  });

  test('a key that is no identifier is read with index, quoted as a Go string', () => {
    expect(contents(SecretTemplate.kv({ path: 'web/api', field: 'api-key' }))).toBe('{{ with secret "secret/data/web/api" }}{{ index .Data.data "api-key" }}{{ end }}');
  });

  test('a key that tries to close the action stays inside its string literal', () => {
    const text = contents(SecretTemplate.kv({ path: 'web/api', field: 'x" }}{{ env "HOME" }}{{ "' }));
    expect(text).toBe('{{ with secret "secret/data/web/api" }}{{ index .Data.data "x\\" }}{{ env \\"HOME\\" }}{{ \\"" }}{{ end }}');
  });

  test('database credentials from one lease: <mount>/creds/<role>, as JSON', () => {
    expect(contents(SecretTemplate.database({ role: 'web', mount: 'postgres' }))).toBe('{{ with secret "postgres/creds/web" }}{{ .Data | toJSON }}{{ end }}');
  });
});

describe('the token, the folder and the files', () => {
  test('a service-account token projected for Vault (audience, expiry), mounted into the agent only', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, audience: 'https://vault.acme.internal', tokenExpiration: Duration.minutes(20) });
    const spec = podOf(synth(app).manifests);
    expect(spec.volumes).toContainEqual({
      name: 'vault-agent-token',
      projected: { defaultMode: 0o440, sources: [{ serviceAccountToken: { audience: 'https://vault.acme.internal', expirationSeconds: 1200, path: 'token' } }] },
    });
    expect(byName(spec, 'vault-agent').volumeMounts).toContainEqual({ name: 'vault-agent-token', mountPath: '/var/run/secrets/vault', readOnly: true });
    expect(byName(spec, 'app').volumeMounts.map((m: any) => m.name)).toEqual(['vault-agent-secrets']);
    // Not the pod's default token.
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('the folder: an in-memory emptyDir with a size limit, read-only in the app at folder, group fsGroup 1000', () => {
    const { app, web } = deployment();
    const agent = withSecretsAgent(web, { ...BASE, folder: '/run/secrets/app/', sizeLimit: Size.mebibytes(4) });
    const spec = podOf(synth(app).manifests);
    expect(spec.volumes).toContainEqual({ name: 'vault-agent-secrets', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } });
    expect(byName(spec, 'app').volumeMounts).toEqual([{ name: 'vault-agent-secrets', mountPath: '/run/secrets/app', readOnly: true }]);
    expect(byName(spec, 'vault-agent').volumeMounts).toContainEqual({ name: 'vault-agent-secrets', mountPath: '/vault/secrets', readOnly: false });
    expect(spec.securityContext.fsGroup).toBe(1000);
    expect(agent.folder).toBe('/run/secrets/app');
    expect(agent.files).toEqual({ 'db.json': '/run/secrets/app/db.json', 'api-key': '/run/secrets/app/api-key' });
    expect(agent.fsGroup).toBe(1000);
    expect(agent.volume.name).toBe('vault-agent-secrets');
  });

  test('a pod fsGroup chosen by the user is kept: the kubelet adds it to the agent and the app', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP], securityContext: { fsGroup: 3000 } });
    const agent = withSecretsAgent(web, BASE);
    expect(podOf(synth(app).manifests).securityContext.fsGroup).toBe(3000);
    expect(agent.fsGroup).toBe(3000);
  });

  test('the agent runs as the image\'s vault user 100:1000, or the given user', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, user: 4242 });
    const context = byName(podOf(synth(app).manifests), 'vault-agent').securityContext;
    expect([context.runAsUser, context.runAsGroup]).toEqual([4242, 1000]);
  });

  test('resources: 50m/500m CPU, 64Mi/128Mi memory unless given', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, resources: { memory: { request: Size.mebibytes(96), limit: Size.mebibytes(192) } } });
    expect(byName(podOf(synth(app).manifests), 'vault-agent').resources).toEqual({
      requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '500m', memory: '192Mi' },
    });
  });

  test('the CA from a ConfigMap or a Secret, mounted into the agent and given as ca_cert', () => {
    const { app, chart, web } = deployment();
    const caMap = kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'vault-ca');
    withSecretsAgent(web, { ...BASE, caCertificate: VaultCaCertificate.fromConfigMap(caMap, 'root.pem') });
    const { manifests } = synth(app);
    expect(agentConfigs(manifests)['agent.json'].vault.ca_cert).toBe('/vault/tls/ca.crt');
    const spec = podOf(manifests);
    expect(spec.volumes).toContainEqual({ name: 'vault-agent-tls', configMap: { name: 'vault-ca', items: [{ key: 'root.pem', path: 'ca.crt' }] } });
    expect(byName(spec, 'vault-agent').volumeMounts).toContainEqual({ name: 'vault-agent-tls', mountPath: '/vault/tls', readOnly: true });

    const second = deployment();
    const tls = kplus.Secret.fromSecretName(second.chart, 'tls', 'vault-tls');
    withSecretsAgent(second.web, { ...BASE, caCertificate: VaultCaCertificate.fromSecret(tls) });
    expect(podOf(synth(second.app).manifests).volumes).toContainEqual({
      name: 'vault-agent-tls', secret: { secretName: 'vault-tls', defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
  });

  test('tls_skip_verify only when the user names it', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, insecureSkipTlsVerify: true });
    expect(agentConfigs(synth(app).manifests)['agent.json'].vault.tls_skip_verify).toBe(true);
  });
});

describe('reload', () => {
  test('HTTP POST to the app\'s port on 127.0.0.1 after a render, never failing the agent', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }) });
    const templates = templatesOf(agentConfigs(synth(app).manifests)['agent.json']);
    expect(templates['/vault/secrets/db.json'].exec).toEqual({
      command: ['/bin/sh', '-c', "timeout 10 wget -q -O /dev/null --post-data '' 'http://127.0.0.1:8080/-/reload' "
        + "|| echo 'vault-agent: reload POST to http://127.0.0.1:8080/-/reload failed (the app may not be up yet)' >&2"],
      timeout: '30s',
    });
    expect(templates['/vault/secrets/api-key'].exec).toEqual(templates['/vault/secrets/db.json'].exec);
  });

  test('a quote in the reload path stays inside its shell word', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, reload: ConfigReload.httpPost({ port: 8080, path: "/r';$(reboot);'" }) });
    const command = agentConfigs(synth(app).manifests)['agent.json'].template[0].exec.command[2];
    expect(command).toContain("timeout 10 wget -q -O /dev/null --post-data '' 'http://127.0.0.1:8080/r'\\'';$(reboot);'\\''' ||");
  });

  test('per file: another reload, or none', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, {
      ...BASE,
      secrets: [{ ...DB, reload: false }, { ...API_KEY, reload: ConfigReload.httpPost({ port: 8080, path: '/keys' }) }],
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
    });
    const templates = templatesOf(agentConfigs(synth(app).manifests)['agent.json']);
    expect(templates['/vault/secrets/db.json'].exec).toBeUndefined();
    expect(templates['/vault/secrets/api-key'].exec.command[2]).toContain("'http://127.0.0.1:8080/keys'");
  });

  test('the one-time render tells no one (the app is not running): classic mode\'s init config has no exec', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, mode: SidecarMode.CLASSIC, reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }) });
    const configs = agentConfigs(synth(app).manifests);
    expect(configs['agent-init.json'].template.map((t: any) => t.exec)).toEqual([undefined, undefined]);
    expect(configs['agent.json'].template.map((t: any) => t.exec !== undefined)).toEqual([true, true]);
  });

  test('a signal: the script in the ConfigMap, the agent as the app\'s UID, a shared process namespace', () => {
    const { app, web } = deployment([{ ...APP, command: ['/usr/sbin/nginx'] }]);
    withSecretsAgent(web, { ...BASE, reload: ConfigReload.signal('SIGHUP', { shareProcessNamespace: true }) });
    const { manifests } = synth(app);
    const spec = podOf(manifests);
    expect(spec.shareProcessNamespace).toBe(true);
    expect(byName(spec, 'vault-agent').securityContext.runAsUser).toBe(1000);
    const configMap = find(manifests, 'ConfigMap', 'vault-agent-config');
    expect(configMap.data['reload.sh']).toContain("name='nginx'");
    expect(configMap.data['reload.sh']).toContain('kill -s HUP');
    expect(configMap.data['reload.sh']).toContain('withSecretsAgent: sent SIGHUP');
    expect(agentConfigs(manifests)['agent.json'].template[0].exec.command).toEqual(['/bin/sh', '/vault/config/reload.sh']);
    expect(restrictedProblems(spec, ['vault-agent'])).toEqual([]);
  });
});

describe('the cache listener', () => {
  test('on 127.0.0.1:8200, with the agent\'s token; in the port ledger', () => {
    const { app, web } = deployment();
    const agent = withSecretsAgent(web, { ...BASE, cache: true });
    const config = agentConfigs(synth(app).manifests)['agent.json'];
    expect(config.cache).toEqual({});
    expect(config.api_proxy).toEqual({ use_auto_auth_token: true });
    expect(config.listener).toEqual([{ tcp: { address: '127.0.0.1:8200', tls_disable: true } }]);
    expect(agent.cachePort).toBe(8200);
  });

  test('the next free port when the app uses 8200', () => {
    const { app, web } = deployment([{ ...APP, ports: [{ number: 8200 }] }]);
    const agent = withSecretsAgent(web, { ...BASE, cache: true });
    expect(agent.cachePort).toBe(8201);
    expect(agentConfigs(synth(app).manifests)['agent.json'].listener[0].tcp.address).toBe('127.0.0.1:8201');
  });

  test('fails when cachePort is a port another container listens on (at synth)', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, { ...BASE, cache: true, cachePort: 8080 });
    const message = synthFails(app);
    expect(message).toContain('port 8080/TCP');
    expect(message).toContain('container "vault-agent" (withSecretsAgent (Vault Agent), native sidecar)');
    expect(message).toContain('pass cachePort to withSecretsAgent');
  });
});

describe('degenerate inputs', () => {
  test('a bare Pod with two app containers: both mount the folder', () => {
    const { app, chart } = newApp();
    const pod = new kplus.Pod(chart, 'web', { containers: [APP, { ...APP, name: 'worker', ports: [] }] });
    withSecretsAgent(pod, BASE);
    const spec = podOf(synth(app).manifests, 'Pod');
    for (const name of ['app', 'worker']) {
      expect(byName(spec, name).volumeMounts).toEqual([{ name: 'vault-agent-secrets', mountPath: '/vault/secrets', readOnly: true }]);
    }
  });

  test('containers picks the app containers that mount the folder', () => {
    const { app, web } = deployment([APP, { ...APP, name: 'worker', ports: [] }]);
    withSecretsAgent(web, { ...BASE, containers: ['worker'] });
    const spec = podOf(synth(app).manifests);
    expect(byName(spec, 'app').volumeMounts).toBeUndefined();
    expect(byName(spec, 'worker').volumeMounts).toHaveLength(1);
  });

  test('pre-populate only on a Deployment: the init container, no agent beside the app', () => {
    const { app, web } = deployment();
    const agent = withSecretsAgent(web, { ...BASE, prePopulateOnly: true });
    const spec = podOf(synth(app).manifests);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['vault-agent-init']);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['app']);
    expect(agent.container).toBeUndefined();
  });

  test('initFirst: before the init containers already there, native or one-time', () => {
    for (const prePopulateOnly of [false, true]) {
      const { app, chart } = newApp();
      const web = new kplus.Deployment(chart, 'web', { containers: [APP], initContainers: [{ name: 'migrate', image: 'ghcr.io/acme/migrate:1', securityContext: { user: 1000 } }] });
      withSecretsAgent(web, { ...BASE, initFirst: true, prePopulateOnly });
      expect(podOf(synth(app).manifests).initContainers.map((c: any) => c.name))
        .toEqual([prePopulateOnly ? 'vault-agent-init' : 'vault-agent', 'migrate']);
    }
  });

  test('called twice with two names: two agents, two folders', () => {
    const { app, web } = deployment();
    withSecretsAgent(web, BASE);
    withSecretsAgent(web, { ...BASE, name: 'vault-agent-db', role: 'web-db', folder: '/vault/db', secrets: [DB] });
    const spec = podOf(synth(app).manifests);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['vault-agent', 'vault-agent-db']);
    expect(byName(spec, 'app').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/vault/secrets', '/vault/db']);
  });

  test('fails when called twice with the same name', () => {
    const { web } = deployment();
    withSecretsAgent(web, BASE);
    expect(() => withSecretsAgent(web, { ...BASE, folder: '/vault/other' }))
      .toThrow('Deployment "test/web", withSecretsAgent: the workload already has a sidecar named "vault-agent"; give the second one another name');
  });

  test('with withConfigSync on the same pod', () => {
    const { app, web } = deployment();
    withConfigSync(web, { source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git' }), mountPath: '/etc/app/config' });
    withSecretsAgent(web, BASE);
    const spec = podOf(synth(app).manifests);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['git-sync', 'vault-agent']);
    expect(byName(spec, 'app').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/etc/app/config', '/vault/secrets']);
    expect(restrictedProblems(spec, ['git-sync', 'vault-agent'])).toEqual([]);
  });

  test('the construct, with the workload in props', () => {
    const { app, chart, web } = deployment();
    const agent = new SecretsAgent(chart, 'secrets', { ...BASE, workload: web });
    expect(agent.name).toBe('vault-agent');
    expect(agent.container!.name).toBe('vault-agent');
    synth(app);
  });
});

describe('bad input is refused at the call', () => {
  const W = 'Deployment "test/web", withSecretsAgent: ';

  function attach(options: Record<string, unknown>, containers: kplus.ContainerProps[] = [APP]) {
    const { web } = deployment(containers);
    return () => withSecretsAgent(web, { ...BASE, ...options } as any);
  }
  const file = (extra: Record<string, unknown>) => ({ secrets: [{ ...DB, ...extra }] });

  test('fails when folder is relative', () => {
    expect(attach({ folder: 'vault/secrets' })).toThrow(`${W}folder "vault/secrets" must be an absolute path (starting with "/"), for example "/vault/secrets"`);
  });

  test('fails when folder is /', () => {
    expect(attach({ folder: '/' })).toThrow(`${W}folder "/" would hide the app's whole filesystem; give a folder, for example "/vault/secrets"`);
  });

  test('fails when the app already mounts something at the folder', () => {
    const { chart, web } = deployment();
    web.containers[0].mount('/vault/secrets', kplus.Volume.fromEmptyDir(chart, 'own', 'own-secrets'));
    expect(() => withSecretsAgent(web, BASE))
      .toThrow(`${W}folder "/vault/secrets": container "app" already mounts volume "own-secrets" at "/vault/secrets"; give another folder, or move the app's volume`);
  });

  test('fails when a file path leaves the folder', () => {
    expect(attach(file({ path: '../etc/passwd' })))
      .toThrow(`${W}secrets: path "../etc/passwd" leaves the folder "/vault/secrets" (".."); the agent writes only inside it: give a path inside, for example "db.json"`);
  });

  test('fails when a file path is absolute', () => {
    expect(attach(file({ path: '/etc/db.json' }))).toThrow(`${W}secrets: path "/etc/db.json" is absolute; give it relative to the folder "/vault/secrets", for example "db.json"`);
  });

  test('fails when a file path holds other characters', () => {
    expect(attach(file({ path: 'db json' })))
      .toThrow(`${W}secrets: path "db json" is not a plain file path: segments of letters, digits, "_", "-" and "." (not first), between "/"; for example "tls/key.pem"`);
  });

  test('fails when two templates go to one file', () => {
    expect(attach({ secrets: [DB, { ...API_KEY, path: './db.json' }] }))
      .toThrow(`${W}secrets: "./db.json" and "db.json" are both the file "/vault/secrets/db.json"; give each file its own path`);
  });

  test('fails when one file would be the folder of another', () => {
    expect(attach({ secrets: [{ ...DB, path: 'tls' }, { ...API_KEY, path: 'tls/key.pem' }] }))
      .toThrow(`${W}secrets: "tls" is a file, and "tls/key.pem" needs it to be a folder; give the files paths that do not nest`);
  });

  test('fails when there is no file', () => {
    expect(attach({ secrets: [] })).toThrow(`${W}secrets is empty; give at least one file`);
  });

  test('fails when the Vault address is not http(s)', () => {
    expect(attach({ address: 'tcp://vault:8200' }))
      .toThrow(`${W}address "tcp://vault:8200" is not http:// or https:// (it is tcp:); Vault Agent talks HTTP(S) to Vault, for example "https://vault.vault.svc:8200"`);
    expect(attach({ address: 'vault.vault.svc:8200' })).toThrow(`${W}address "vault.vault.svc:8200" is not http:// or https:// (it is vault.vault.svc:)`);
    expect(attach({ address: 'vault' })).toThrow(`${W}address "vault" is not a URL`);
  });

  test('fails when the address holds credentials', () => {
    expect(attach({ address: 'https://admin:hunter2@vault:8200' }))
      .toThrow(`${W}address "https://…@vault:8200" holds credentials; remove them: the agent logs in with the pod's service-account token`);
  });

  test('fails when the address has a path', () => {
    expect(attach({ address: 'https://vault:8200/v1' }))
      .toThrow(`${W}address "https://vault:8200/v1" has a path, query or fragment; give only the scheme, host and port, for example "https://vault:8200"`);
  });

  test('fails when a token is given as a plain string', () => {
    expect(attach({ token: 'hvs.CAESIJ1234567890abcdefghijklmnop' }))
      .toThrow(`${W}token: the agent never takes a Vault token in its options (it would sit in the pod spec or a ConfigMap); `
        + 'it logs in with the pod\'s service-account token through the Kubernetes auth method: give role');
  });

  test('fails when a template holds a token', () => {
    expect(attach(file({ template: SecretTemplate.raw('{{ with secret "x" }}{{ end }}token=hvs.CAESIJ1234567890abcdefghijklmnop') })))
      .toThrow(`${W}secrets: "db.json": SecretTemplate.raw holds what looks like a Vault token ("hvs.CA…"); a token in the options would `
        + 'land in a ConfigMap or the pod spec. The agent logs in with the pod\'s service-account token: give the role, never a token');
  });

  test('fails when the role is a token', () => {
    expect(attach({ role: 'hvs.CAESIJ1234567890abcdefghijklmnop' })).toThrow(`${W}role holds what looks like a Vault token ("hvs.CA…")`);
  });

  test('fails when a raw template holds no action (a secret pasted as text)', () => {
    expect(attach(file({ template: SecretTemplate.raw('password=hunter2') })))
      .toThrow(`${W}secrets: "db.json": SecretTemplate.raw holds no {{ … }} action; a template without one is static text, which would sit in a `
        + 'ConfigMap: put a secret in a Vault path and read it with {{ with secret "…" }}, or use SecretTemplate.kv');
  });

  test('fails when a KV path holds a quote or braces', () => {
    expect(attach(file({ template: SecretTemplate.kv({ path: 'web/"}}{{ env "HOME"' }) })))
      .toThrow(`${W}secrets: "db.json": path "web/\\"}}{{ env \\"HOME\\"" is not a Vault path: segments of letters, digits and "_ - . @ + = :" between "/", `
        + 'no "." or ".." segment (got "\\"}}{{ env \\"HOME\\""); for example "web/api"');
  });

  test('fails when a KV v2 path carries data/', () => {
    expect(attach(file({ template: SecretTemplate.kv({ path: 'data/web/api' }) })))
      .toThrow(`${W}secrets: "db.json": path "data/web/api" starts with "data/"; give the path as \`vault kv get\` takes it, `
        + 'without the mount and "data/" (SecretTemplate.kv adds both): "web/api"');
  });

  test('fails when a version is asked of KV v1', () => {
    expect(attach(file({ template: SecretTemplate.kv({ path: 'web/api', kvVersion: 1, version: 2 }) })))
      .toThrow(`${W}secrets: "db.json": version 2 needs KV version 2 (KV version 1 keeps one version); remove version`);
  });

  test('fails when the database role is not a name', () => {
    expect(attach(file({ template: SecretTemplate.database({ role: 'web/../root' }) })))
      .toThrow(`${W}secrets: "db.json": database role "web/../root" must be a role name (letters, digits, "_ - . @ + = :"), for example "web"`);
  });

  test('fails when perms keep the app out', () => {
    expect(attach(file({ perms: 0o600 })))
      .toThrow(`${W}secrets: "db.json": perms 0o600 lets only the agent read the file; add group read (0o040): the app reads it through the pod's fsGroup`);
  });

  test('fails when the template is not a SecretTemplate', () => {
    expect(attach(file({ template: '{{ with secret "x" }}{{ end }}' })))
      .toThrow(`${W}option secrets[0].template must be a SecretTemplate: SecretTemplate.kv(…), SecretTemplate.database(…) or SecretTemplate.raw(…)`);
  });

  test('fails when authPath does not start with auth/', () => {
    expect(attach({ authPath: 'kubernetes' })).toThrow(`${W}authPath "kubernetes" must start with "auth/", as Vault mounts auth methods: "auth/kubernetes"`);
  });

  test('fails when the token would live less than 10 minutes', () => {
    expect(attach({ tokenExpiration: Duration.minutes(5) })).toThrow(`${W}tokenExpiration 300s must be whole seconds, at least 600s; for example Duration.hours(1)`);
  });

  test('fails when the TLS check is skipped with a CA given', () => {
    const { chart, web } = deployment();
    const ca = VaultCaCertificate.fromConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'vault-ca'));
    expect(() => withSecretsAgent(web, { ...BASE, caCertificate: ca, insecureSkipTlsVerify: true }))
      .toThrow(`${W}insecureSkipTlsVerify: true with caCertificate: the CA would never be checked; remove insecureSkipTlsVerify`);
  });

  test('fails when a CA is given for an http:// address', () => {
    const { chart, web } = deployment();
    const ca = VaultCaCertificate.fromConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'vault-ca'));
    expect(() => withSecretsAgent(web, { ...BASE, address: 'http://vault:8200', caCertificate: ca }))
      .toThrow(`${W}caCertificate with address "http://vault:8200", which is http://: there is no TLS to configure; use an https:// address, or remove caCertificate`);
  });

  test('fails when a Job is told to reload', () => {
    const { chart } = newApp();
    const job = new kplus.Job(chart, 'web', { containers: [APP] });
    expect(() => withSecretsAgent(job, { ...BASE, reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }) }))
      .toThrow('Job "test/web", withSecretsAgent: a Job only gets the one-time render, before the app starts, so nothing is ever re-rendered to reload; remove reload');
  });

  test('fails when prePopulateOnly is told to reload', () => {
    expect(attach({ prePopulateOnly: true, reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }) }))
      .toThrow(`${W}prePopulateOnly renders once, before the app starts, so nothing is ever re-rendered to reload; remove reload`);
  });

  test('fails when a Job asks for the cache', () => {
    const { chart } = newApp();
    const job = new kplus.CronJob(chart, 'web', { containers: [APP], schedule: { expressionString: '0 * * * *' } as any });
    expect(() => withSecretsAgent(job, { ...BASE, cache: true }))
      .toThrow('CronJob "test/web", withSecretsAgent: cache: a CronJob only gets the one-time render, before the app starts, and the cache lives as long as the agent; '
        + 'remove cache, or run the agent beside the app');
  });

  test('fails when cachePort is given without cache', () => {
    expect(attach({ cachePort: 8300 })).toThrow(`${W}cachePort without cache: true; set cache: true, or remove cachePort`);
  });

  test('fails when the reload port is not the app\'s', () => {
    expect(attach({ reload: ConfigReload.httpPost({ port: 9999, path: '/-/reload' }) }))
      .toThrow(`${W}reload port 9999 is not a TCP port an app container declares (they declare 8080 ("app")); `
        + 'pass the app\'s containerPort: the request goes to 127.0.0.1 inside the pod, never to a Service port');
  });

  test('fails when a signal reload lacks the opt-in to a shared process namespace', () => {
    expect(attach({ reload: ConfigReload.signal('SIGHUP', { process: 'nginx' } as any) }))
      .toThrow(`${W}ConfigReload.signal needs shareProcessNamespace: true, an explicit opt-in: the pod then shares one process namespace, `
        + 'so every container sees the others\' processes and command lines, and the agent container runs as the app\'s UID; '
        + 'or use ConfigReload.httpPost if the app has a reload endpoint');
  });

  test('fails when user contradicts a signal reload', () => {
    expect(attach({ user: 100, reload: ConfigReload.signal('SIGHUP', { process: 'nginx', shareProcessNamespace: true }) }))
      .toThrow(`${W}user 100 with ConfigReload.signal: the agent must run as the app's UID 1000 to signal it; remove user`);
  });

  test('fails when user is root', () => {
    expect(attach({ user: 0 })).toThrow(`${W}user 0 must be a non-root UID (a whole number from 1); the restricted profile refuses root`);
  });

  test('fails when containers names no app container', () => {
    expect(attach({ containers: ['web'] })).toThrow(`${W}containers: no app container named "web" (the pod has "app"); add it before attaching the agent`);
  });

  test('fails when the role is missing', () => {
    expect(attach({ role: undefined })).toThrow(`${W}option role is missing; give a string`);
  });

  test('a refused call leaves the pod as it was', () => {
    const { app, web } = deployment();
    expect(() => withSecretsAgent(web, { ...BASE, secrets: [DB, { ...API_KEY, path: 'db.json' }] })).toThrow();
    const spec = podOf(synth(app).manifests);
    expect(spec.initContainers).toBeUndefined();
    expect(spec.volumes).toBeUndefined();
  });
});
