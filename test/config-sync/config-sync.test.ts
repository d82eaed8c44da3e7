import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ConfigReload, ConfigSource, ConfigSync, GitAuth, setDefaultSidecarMode, SidecarMode, withConfigSync, withSidecar,
} from '../../lib';
import { RENDERED_DEFAULTS } from '../util/line';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';
import { APP, RUN_TO_COMPLETION, WORKLOADS } from '../workloads';

const REPO = 'https://github.com/acme/app-config.git';

function gitSource(extra: Partial<Parameters<typeof ConfigSource.git>[0]> = {}) {
  return ConfigSource.git({ repo: REPO, ref: 'main', ...extra });
}

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

const SOURCES: Array<[string, () => ConfigSource, string]> = [
  ['git', () => gitSource(), 'git-sync'],
  ['ConfigMaps', () => ConfigSource.configMaps({ label: 'acme.com/config' }), 'k8s-sidecar'],
];

describe.each(SOURCES)('the init/sidecar split, %s source', (_source, source, engine) => {
  describe.each(WORKLOADS)('on a %s', (kind, make) => {
    if (RUN_TO_COMPLETION.includes(kind)) {
      test.each([SidecarMode.NATIVE, SidecarMode.CLASSIC])('mode %s: only the one-time sync, an init container before the app', (mode) => {
        const { app, chart } = newApp();
        const sync = withConfigSync(make(chart), { source: source(), mountPath: '/etc/app/config', mode });
        const spec = podOf(synth(app).manifests, kind);

        expect(spec.initContainers.map((c: any) => c.name)).toEqual([`${engine}-init`]);
        expect(spec.initContainers[0].restartPolicy).toBeUndefined();
        expect(spec.initContainers[0].startupProbe).toBeUndefined();
        expect(spec.containers.map((c: any) => c.name)).toEqual(['app']);
        expect(byName(spec, 'app').volumeMounts).toEqual([{ name: `${engine}-data`, mountPath: '/etc/app/config', readOnly: true }]);
        expect(sync.mode).toBeUndefined();
        expect(sync.container).toBeUndefined();
        expect(sync.initContainer!.name).toBe(`${engine}-init`);
        expect(restrictedProblems(spec, [`${engine}-init`])).toEqual([]);
        if (engine === 'git-sync') {
          expect(spec.initContainers[0].args).toContain('--one-time');
          expect(spec.initContainers[0].ports).toBeUndefined();
        } else {
          expect(spec.initContainers[0].env).toContainEqual({ name: 'METHOD', value: 'LIST' });
        }
      });
    } else {
      test('native: a native sidecar whose startup probe holds the app until the first sync', () => {
        const { app, chart } = newApp();
        const sync = withConfigSync(make(chart), { source: source(), mountPath: '/etc/app/config' });
        const spec = podOf(synth(app).manifests, kind);

        expect(spec.initContainers.map((c: any) => c.name)).toEqual([engine]);
        const sidecar = spec.initContainers[0];
        expect(sidecar.restartPolicy).toBe('Always');
        const path = engine === 'git-sync' ? '/' : '/healthz';
        expect(sidecar.startupProbe).toMatchObject({ httpGet: { path, port: 9487 }, periodSeconds: 2, failureThreshold: 150 });
        expect(sidecar.livenessProbe).toMatchObject({ httpGet: { path, port: 9487 } });
        expect(sidecar.ports).toEqual([{ containerPort: 9487, name: 'sync-health' }]);
        expect(spec.containers.map((c: any) => c.name)).toEqual(['app']);
        expect(byName(spec, 'app').volumeMounts).toEqual([{ name: `${engine}-data`, mountPath: '/etc/app/config', readOnly: true }]);
        expect(sync.mode).toBe(SidecarMode.NATIVE);
        expect(sync.initContainer).toBeUndefined();
        expect(sync.healthPort).toBe(9487);
        expect(restrictedProblems(spec, [engine])).toEqual([]);
      });

      test('classic: the one-time init container, then a regular container that keeps syncing', () => {
        const { app, chart } = newApp();
        const sync = withConfigSync(make(chart), { source: source(), mountPath: '/etc/app/config', mode: SidecarMode.CLASSIC });
        const spec = podOf(synth(app).manifests, kind);

        expect(spec.initContainers.map((c: any) => c.name)).toEqual([`${engine}-init`]);
        expect(spec.initContainers[0].restartPolicy).toBeUndefined();
        expect(spec.containers.map((c: any) => c.name)).toEqual(['app', engine]);
        expect(byName(spec, engine).restartPolicy).toBeUndefined();
        expect(sync.mode).toBe(SidecarMode.CLASSIC);
        expect(sync.initContainer!.name).toBe(`${engine}-init`);
        // Both write the same folder, as the same user.
        const data = (c: any) => c.volumeMounts.find((m: any) => m.name === `${engine}-data`);
        expect(data(spec.initContainers[0]).mountPath).toBe(data(byName(spec, engine)).mountPath);
        expect(spec.initContainers[0].securityContext.runAsUser).toBe(byName(spec, engine).securityContext.runAsUser);
        expect(restrictedProblems(spec, [engine, `${engine}-init`])).toEqual([]);
      });
    }
  });
});

describe('the folder', () => {
  test('git: the app reads <mountPath>/<link>; the sync writes the emptyDir at /git', () => {
    const { app, web } = deployment();
    const sync = withConfigSync(web, { source: gitSource({ link: 'live' }), mountPath: '/etc/app/config/', sizeLimit: Size.mebibytes(200) });
    expect(sync.configPath).toBe('/etc/app/config/live');
    expect(sync.mountPath).toBe('/etc/app/config');
    const spec = podOf(synth(app).manifests);
    expect(spec.volumes).toContainEqual({ name: 'git-sync-data', emptyDir: { sizeLimit: '200Mi' } });
    expect(spec.volumes).toContainEqual({ name: 'git-sync-tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(byName(spec, 'git-sync').volumeMounts).toEqual(expect.arrayContaining([
      { name: 'git-sync-data', mountPath: '/git', readOnly: false },
      { name: 'git-sync-tmp', mountPath: '/tmp', readOnly: false },
    ]));
    expect(byName(spec, 'git-sync').args).toEqual(expect.arrayContaining(['--root=/git', '--link=live']));
    expect(byName(spec, 'app').volumeMounts).toEqual([{ name: 'git-sync-data', mountPath: '/etc/app/config', readOnly: true }]);
    expect(sync.volume.name).toBe('git-sync-data');
  });

  test('ConfigMaps: the app reads mountPath itself; k8s-sidecar writes FOLDER=/data', () => {
    const { app, web } = deployment();
    const sync = withConfigSync(web, { source: ConfigSource.configMaps({ label: 'cfg' }), mountPath: '/etc/app/config' });
    expect(sync.configPath).toBe('/etc/app/config');
    const spec = podOf(synth(app).manifests);
    expect(byName(spec, 'k8s-sidecar').volumeMounts).toContainEqual({ name: 'k8s-sidecar-data', mountPath: '/data', readOnly: false });
    expect(byName(spec, 'k8s-sidecar').env).toContainEqual({ name: 'FOLDER', value: '/data' });
  });

  test('two app containers both mount it; containers narrows that to the named ones', () => {
    const worker = { ...APP, name: 'worker', ports: [] };
    const both = deployment([APP, worker]);
    withConfigSync(both.web, { source: gitSource(), mountPath: '/etc/app/config' });
    const spec = podOf(synth(both.app).manifests);
    for (const name of ['app', 'worker']) expect(byName(spec, name).volumeMounts).toHaveLength(1);

    const one = deployment([APP, worker]);
    withConfigSync(one.web, { source: gitSource(), mountPath: '/etc/app/config', containers: ['worker'] });
    const narrowed = podOf(synth(one.app).manifests);
    expect(byName(narrowed, 'app').volumeMounts).toBeUndefined();
    expect(byName(narrowed, 'worker').volumeMounts).toHaveLength(1);
  });

  test('fsGroup: the sync program\'s group when the pod has none; the user\'s own is kept', () => {
    const plain = deployment();
    expect(withConfigSync(plain.web, { source: gitSource(), mountPath: '/etc/a' }).fsGroup).toBe(65533);
    expect(podOf(synth(plain.app).manifests).securityContext.fsGroup).toBe(65533);

    const k8s = deployment();
    expect(withConfigSync(k8s.web, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/a' }).fsGroup).toBe(65534);

    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP], securityContext: { fsGroup: 2000 } });
    const sync = withConfigSync(web, { source: gitSource(), mountPath: '/etc/a' });
    expect(sync.fsGroup).toBe(2000);
    const spec = podOf(synth(app).manifests);
    expect(spec.securityContext.fsGroup).toBe(2000);
    expect(byName(spec, 'git-sync').securityContext).toMatchObject({ runAsUser: 65533, runAsGroup: 65533 });
  });

  test('the app\'s Service does not get the health port (classic sync on a Deployment)', () => {
    const { app, web } = deployment();
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/a', mode: SidecarMode.CLASSIC });
    web.exposeViaService({ name: 'web' });
    expect(find(synth(app).manifests, 'Service').spec.ports.map((p: any) => p.port)).toEqual([8080]);
  });

  test('follows setDefaultSidecarMode', () => {
    const app = new App({ outdir: newApp().outdir });
    setDefaultSidecarMode(app, SidecarMode.CLASSIC);
    const chart = new Chart(app, 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(withConfigSync(web, { source: gitSource(), mountPath: '/etc/a' }).mode).toBe(SidecarMode.CLASSIC);
  });
});

describe('credentials: files from Secrets, never env values, never ConfigMaps', () => {
  test('HTTPS: the password is one item of a read-only Secret volume, mode 0440, in the git-sync containers only', () => {
    const { app, chart, web } = deployment();
    const token = new kplus.Secret(chart, 'token', { stringData: { token: 'ghp_example' } });
    withConfigSync(web, {
      source: gitSource({ auth: GitAuth.https({ username: 'git', password: { secret: token, key: 'token' } }) }),
      mountPath: '/etc/app/config',
      mode: SidecarMode.CLASSIC,
    });
    const { manifests } = synth(app);
    const spec = podOf(manifests);
    expect(spec.volumes).toContainEqual({
      name: 'git-sync-auth',
      secret: { secretName: token.name, defaultMode: 0o440, items: [{ key: 'token', path: 'password' }] },
    });
    for (const c of allContainers(spec)) {
      const mount = (c.volumeMounts ?? []).find((m: any) => m.name === 'git-sync-auth');
      if (c.name.startsWith('git-sync')) {
        expect(mount).toEqual({ name: 'git-sync-auth', mountPath: `/etc/git-secret/${token.name}`, readOnly: true });
        expect(c.args).toContain(`--password-file=/etc/git-secret/${token.name}/password`);
        expect(c.args).toContain('--username=git');
      } else {
        expect(mount).toBeUndefined();
      }
      expect(c.env).toBeUndefined();
    }
    expect(manifests.filter((m) => m.kind === 'ConfigMap')).toEqual([]);
    expect(JSON.stringify(spec)).not.toContain('ghp_example');
  });

  test('SSH: key and known_hosts from one Secret, one volume with two items', () => {
    const { app, chart, web } = deployment();
    const deploy = kplus.Secret.fromSecretName(chart, 'deploy', 'deploy-key');
    withConfigSync(web, {
      source: ConfigSource.git({
        repo: 'ssh://git@github.com/acme/app-config.git',
        auth: GitAuth.ssh({ privateKey: { secret: deploy, key: 'id_ed25519' }, knownHosts: { secret: deploy, key: 'known_hosts' } }),
      }),
      mountPath: '/etc/app/config',
    });
    const spec = podOf(synth(app).manifests);
    expect(spec.volumes).toContainEqual({
      name: 'git-sync-auth',
      secret: { secretName: 'deploy-key', defaultMode: 0o440, items: [{ key: 'id_ed25519', path: 'ssh' }, { key: 'known_hosts', path: 'known_hosts' }] },
    });
    expect(byName(spec, 'git-sync').args).toEqual(expect.arrayContaining([
      '--ssh-key-file=/etc/git-secret/deploy-key/ssh',
      '--ssh-known-hosts=true',
      '--ssh-known-hosts-file=/etc/git-secret/deploy-key/known_hosts',
    ]));
  });

  test('SSH: key and known_hosts from two Secrets, two volumes', () => {
    const { app, chart, web } = deployment();
    const key = kplus.Secret.fromSecretName(chart, 'key', 'deploy-key');
    const hosts = kplus.Secret.fromSecretName(chart, 'hosts', 'known-hosts');
    withConfigSync(web, {
      source: ConfigSource.git({
        repo: 'git@github.com:acme/app-config.git',
        auth: GitAuth.ssh({ privateKey: { secret: key, key: 'ssh' }, knownHosts: { secret: hosts, key: 'known_hosts' } }),
      }),
      mountPath: '/etc/app/config',
    });
    const spec = podOf(synth(app).manifests);
    expect(spec.volumes.filter((v: any) => v.secret).map((v: any) => [v.name, v.secret.secretName])).toEqual([
      ['git-sync-auth-1', 'deploy-key'], ['git-sync-auth-2', 'known-hosts'],
    ]);
    expect(byName(spec, 'git-sync').volumeMounts.filter((m: any) => m.name.startsWith('git-sync-auth')).map((m: any) => m.mountPath))
      .toEqual(['/etc/git-secret/deploy-key', '/etc/git-secret/known-hosts']);
  });

  test('the types refuse a plain-string credential', () => {
    const { chart } = deployment();
    const secret = kplus.Secret.fromSecretName(chart, 's', 'creds');
    GitAuth.https({ username: 'git', password: { secret, key: 'token' } });
    // @ts-expect-error a password is a kplus.SecretValue, never a string
    expect(() => GitAuth.https({ username: 'git', password: 'hunter2' })).toThrow(/^GitAuth.https: option password must be a SecretValue/);
    // @ts-expect-error a private key is a kplus.SecretValue, never a string
    expect(() => GitAuth.ssh({ privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----', knownHosts: { secret, key: 'known_hosts' } }))
      .toThrow(/^GitAuth.ssh: option privateKey must be a SecretValue/);
  });
});

describe('reload', () => {
  test('httpPost: git-sync\'s webhook and k8s-sidecar\'s REQ_URL reach the app\'s container port on 127.0.0.1', () => {
    const { app, web } = deployment();
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/a', reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload', successStatus: 204 }) });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/b', reload: ConfigReload.httpPost({ port: 8080, path: '/reload?all=1' }) });
    const spec = podOf(synth(app).manifests);
    expect(byName(spec, 'git-sync').args).toEqual(expect.arrayContaining([
      '--webhook-url=http://127.0.0.1:8080/-/reload', '--webhook-method=POST', '--webhook-success-status=204',
    ]));
    expect(byName(spec, 'k8s-sidecar').env).toEqual(expect.arrayContaining([
      { name: 'REQ_URL', value: 'http://127.0.0.1:8080/reload?all=1' },
      { name: 'REQ_METHOD', value: 'POST' },
      { name: 'REQ_SKIP_INIT', value: 'true' },
    ]));
    expect(spec.shareProcessNamespace).toBe(RENDERED_DEFAULTS.shareProcessNamespace); // what the line writes by itself
  });

  test('signal: shareProcessNamespace, the script in a ConfigMap, the sync runs as the app\'s UID', () => {
    const { app, web } = deployment([{ ...APP, command: ['/usr/sbin/nginx', '-g', 'daemon off;'] }]);
    const sync = withConfigSync(web, { source: gitSource(), mountPath: '/etc/nginx/conf.d', reload: ConfigReload.signal('SIGHUP', { shareProcessNamespace: true }) });
    const { manifests } = synth(app);
    const deploymentManifest = find(manifests, 'Deployment');
    const spec = podSpecOf(deploymentManifest);
    expect(spec.shareProcessNamespace).toBe(true);

    const gitSync = byName(spec, 'git-sync');
    expect(gitSync.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
    expect(gitSync.args).toContain('--exechook-command=/etc/config-sync/reload.sh');
    expect(gitSync.volumeMounts).toContainEqual({ name: 'git-sync-config', mountPath: '/etc/config-sync', readOnly: true });

    const configMap = find(manifests, 'ConfigMap');
    expect(configMap.metadata.name).toBe(sync.reloadScript!.name);
    expect(configMap.data['reload.sh']).toContain("name='nginx'");
    expect(configMap.data['reload.sh']).toContain('kill -s HUP');
    expect(spec.volumes).toContainEqual({ name: 'git-sync-config', configMap: { name: configMap.metadata.name, defaultMode: 0o555 } });
    expect(deploymentManifest.spec.template.metadata.annotations['cdk8s-sidecars/git-sync-config-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(restrictedProblems(spec, ['git-sync'])).toEqual([]);
  });

  test('signal with k8s-sidecar: SCRIPT, on every workload kind with a long-running sync', () => {
    const { app, web } = deployment();
    withConfigSync(web, {
      source: ConfigSource.configMaps({ label: 'c' }),
      mountPath: '/etc/a',
      reload: ConfigReload.signal('SIGUSR2', { process: 'haproxy', shareProcessNamespace: true }),
      mode: SidecarMode.CLASSIC,
    });
    const spec = podOf(synth(app).manifests);
    expect(byName(spec, 'k8s-sidecar').env).toContainEqual({ name: 'SCRIPT', value: '/etc/config-sync/reload.sh' });
    expect(byName(spec, 'k8s-sidecar-init').env.map((e: any) => e.name)).not.toContain('SCRIPT');
    expect(byName(spec, 'k8s-sidecar-init').securityContext.runAsUser).toBe(1000);
  });
});

describe('degenerate inputs', () => {
  test('a bare Pod', () => {
    const { app, chart } = newApp();
    const pod = new kplus.Pod(chart, 'web', { containers: [APP] });
    withConfigSync(pod, { source: gitSource(), mountPath: '/etc/a' });
    expect(podOf(synth(app).manifests, 'Pod').initContainers.map((c: any) => c.name)).toEqual(['git-sync']);
  });

  test('two syncs on one workload, each with its own name, path and health port', () => {
    const { app, web } = deployment();
    const a = withConfigSync(web, { source: gitSource(), mountPath: '/etc/a' });
    const b = withConfigSync(web, { name: 'rules', source: gitSource(), mountPath: '/etc/b' });
    const spec = podOf(synth(app).manifests);
    expect(spec.initContainers.map((c: any) => [c.name, c.ports[0]])).toEqual([
      ['git-sync', { containerPort: 9487, name: 'sync-health' }],
      ['rules', { containerPort: 9488, name: 'sync-health-2' }],
    ]);
    expect([a.healthPort, b.healthPort]).toEqual([9487, 9488]);
    expect(byName(spec, 'rules').args).toContain('--http-bind=:9488');
  });

  test('the default health port moves past a port the app declares', () => {
    const { app, web } = deployment([{ ...APP, ports: [{ number: 9487, name: 'http' }] }]);
    expect(withConfigSync(web, { source: gitSource(), mountPath: '/etc/a' }).healthPort).toBe(9488);
    synth(app);
  });

  test('withSidecar and withConfigSync together', () => {
    const { app, web } = deployment();
    withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.28.0', ports: [{ number: 9102, name: 'metrics' }] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/a' });
    const spec = podOf(synth(app).manifests);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['exporter', 'k8s-sidecar']);
  });

  test('the construct can be used directly, and synthesizes byte-identical YAML twice', () => {
    const once = () => {
      const { app, chart, web } = deployment();
      new ConfigSync(chart, 'config', {
        workload: web,
        source: gitSource({ period: Duration.seconds(30) }),
        mountPath: '/etc/a',
        reload: ConfigReload.signal('SIGHUP', { process: 'web', shareProcessNamespace: true }),
      });
      withConfigSync(web, { source: ConfigSource.secrets({ label: 'c' }), mountPath: '/etc/b', reload: ConfigReload.httpPost({ port: 8080, path: '/r' }) });
      return app.synthYaml();
    };
    expect(once()).toEqual(once());
  });
});

describe('synth-time checks', () => {
  test('fails when the health port clashes with a port the app adds later, with the fix', () => {
    const { app, web } = deployment();
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/a' });
    web.addContainer({ name: 'metrics', image: 'example/metrics:1', ports: [{ number: 9487 }] });
    const message = synthFails(app);
    expect(message).toContain('port 9487/TCP');
    expect(message).toContain('container "git-sync" (withConfigSync (git-sync), native sidecar)');
    expect(message).toContain('container "metrics"');
    expect(message).toContain('pass healthPort to withConfigSync');
  });

  test('fails when healthPort is the app\'s own port', () => {
    const { app, web } = deployment();
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/a', healthPort: 8080 });
    const message = synthFails(app);
    expect(message).toContain('port 8080/TCP');
    expect(message).toContain('pass healthPort to withConfigSync');
  });

  test('fails when the one-time k8s-sidecar of a Job would serve its health port beside a native sidecar started first', () => {
    const { app, chart } = newApp();
    const job = new kplus.Job(chart, 'web', { containers: [APP] });
    withConfigSync(job, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/a', healthPort: 9000 });
    withSidecar(job, { name: 'proxy', image: 'example/proxy:1.0.0', ports: [{ number: 9000, name: 'admin' }], first: true });
    expect(synthFails(app)).toContain('port 9000/TCP: init container "k8s-sidecar-init" (withConfigSync (k8s-sidecar), one-time) '
      + '[k8s-sidecar health endpoint, bound on 0.0.0.0, not declared] listens on it while container "proxy" (withSidecar, native sidecar) '
      + '[containerPort "admin"], started before it, already does; pass healthPort to withConfigSync');
  });

  test('the one-time k8s-sidecar of a Job avoids the ports of native sidecars already there', () => {
    const { app, chart } = newApp();
    const job = new kplus.Job(chart, 'web', { containers: [APP] });
    withSidecar(job, { name: 'proxy', image: 'example/proxy:1.0.0', ports: [{ number: 9487, name: 'admin' }] });
    expect(withConfigSync(job, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/a' }).healthPort).toBe(9488);
    synth(app);
  });

  test('fails when a mount is added later inside the synced folder', () => {
    const { app, chart, web } = deployment();
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/app/config' });
    const extra = kplus.Volume.fromEmptyDir(chart, 'extra', 'extra');
    web.containers[0].mount('/etc/app/config/extra', extra);
    expect(synthFails(app)).toContain('container "app" mounts volume "extra" at "/etc/app/config/extra", inside the folder "/etc/app/config" '
      + 'that container "git-sync" (withConfigSync (git-sync)) keeps current and rewrites; mount it elsewhere, or give the folder another path');
  });
});

describe('bad input is refused at the call', () => {
  const W = 'Deployment "test/web", withConfigSync: ';

  function attach(options: Partial<Parameters<typeof withConfigSync>[1]>, containers: kplus.ContainerProps[] = [APP]) {
    const { web } = deployment(containers);
    return () => withConfigSync(web, { source: gitSource(), mountPath: '/etc/app/config', ...options } as any);
  }

  test('fails when mountPath is relative', () => {
    expect(attach({ mountPath: 'etc/app/config' })).toThrow(`${W}mountPath "etc/app/config" must be an absolute path (starting with "/"), for example "/etc/app/config"`);
  });

  test('fails when mountPath is "/"', () => {
    expect(attach({ mountPath: '/' })).toThrow(`${W}mountPath "/" would hide the app's whole filesystem`);
  });

  test('fails when the app already mounts something at mountPath', () => {
    const { chart, web } = deployment();
    web.containers[0].mount('/etc/app/config', kplus.Volume.fromEmptyDir(chart, 'cfg', 'app-config'));
    expect(() => withConfigSync(web, { source: gitSource(), mountPath: '/etc/app/config/' }))
      .toThrow(`${W}mountPath "/etc/app/config": container "app" already mounts volume "app-config" at "/etc/app/config"; give another mountPath, or move the app's volume`);
  });

  test('fails at synthesis when the app mounts a volume inside mountPath', () => {
    const { app, chart, web } = deployment();
    web.containers[0].mount('/etc/app/config/tls', kplus.Volume.fromEmptyDir(chart, 'tls', 'tls'));
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/app/config' });
    expect(synthFails(app)).toContain('[test/web] container "app" mounts volume "tls" at "/etc/app/config/tls", inside the folder "/etc/app/config" '
      + 'that container "git-sync" (withConfigSync (git-sync)) keeps current and rewrites');
  });

  test('fails when two syncs use one path', () => {
    const { web } = deployment();
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/app/config' });
    expect(() => withConfigSync(web, { name: 'other', source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/app/config' }))
      .toThrow(`${W}mountPath "/etc/app/config": container "app" already mounts the folder of container "git-sync" (withConfigSync (git-sync)) `
        + 'at "/etc/app/config"; give another mountPath, or move the app\'s volume');
  });

  test('fails at synthesis when two syncs nest', () => {
    const { app, web } = deployment();
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/app' });
    withConfigSync(web, { name: 'other', source: gitSource(), mountPath: '/etc/app/extra' });
    expect(synthFails(app)).toContain('[test/web] container "app" mounts volume "other-data" at "/etc/app/extra", inside the folder "/etc/app" '
      + 'that container "git-sync" (withConfigSync (git-sync)) keeps current and rewrites');
  });

  test('fails when the helper is called twice with the same name', () => {
    const { web } = deployment();
    withConfigSync(web, { source: gitSource(), mountPath: '/etc/a' });
    expect(() => withConfigSync(web, { source: gitSource(), mountPath: '/etc/b' }))
      .toThrow(`${W}the workload already has a sidecar named "git-sync"; give the second one another name`);
  });

  test('fails when the name is taken by the app', () => {
    expect(attach({ name: 'app' })).toThrow(`${W}the workload already has a container named "app"; give the sidecar another name`);
  });

  test('fails when the name is not a DNS label', () => {
    expect(attach({ name: 'Git_Sync' })).toThrow(`${W}name "Git_Sync" must be a DNS-1123 label`);
  });

  test('fails when containers names no app container', () => {
    expect(attach({ containers: ['web'] })).toThrow(`${W}containers: no app container named "web" (the pod has "app"); add it before attaching the sync`);
  });

  test('fails when the pod has no app container yet', () => {
    expect(attach({}, [])).toThrow(`${W}the pod has no app container yet; add the app containers before attaching the sync`);
  });

  test('fails when source is not a ConfigSource', () => {
    expect(attach({ source: { repo: REPO } as any })).toThrow(`${W}option source must be a ConfigSource: ConfigSource.git(…), ConfigSource.configMaps(…), `
      + 'ConfigSource.secrets(…) or ConfigSource.configMapsAndSecrets(…) (got an object)');
  });

  test('fails when healthPort is out of range', () => {
    expect(attach({ healthPort: 70000 })).toThrow(`${W}healthPort 70000 must be an integer from 1 to 65535`);
  });

  describe('git source', () => {
    test.each([
      ['http://github.com/acme/c.git', 'uses http://; expected https:// or ssh'],
      ['git://github.com/acme/c.git', 'uses git://; expected https:// or ssh'],
      ['file:///srv/git/c.git', 'uses file://; expected https:// or ssh'],
      ['/srv/git/c.git', 'is not a URL; expected https://host/path, ssh://user@host/path or user@host:path'],
      ['https://github.com/acme/c.git --upload-pack=x', 'must not be empty or hold spaces or control characters'],
      ['--upload-pack=touch /tmp/x', 'must not be empty or hold spaces'],
    ])('fails when the repo URL is not https or ssh: %s', (repo, problem) => {
      expect(attach({ source: ConfigSource.git({ repo }) })).toThrow(`${W}repo "${repo}" ${problem}`);
    });

    test('fails when the repo URL holds a credential', () => {
      expect(attach({ source: ConfigSource.git({ repo: 'https://git:ghp_secret@github.com/acme/c.git' }) }))
        .toThrow('holds credentials; a credential in the URL lands in the pod spec: remove it and pass auth: GitAuth.https');
    });

    test('fails when an SSH repo has no key', () => {
      expect(attach({ source: ConfigSource.git({ repo: 'git@github.com:acme/c.git' }) }))
        .toThrow(`${W}repo "git@github.com:acme/c.git" is an SSH address, which needs a key and known hosts; pass auth: GitAuth.ssh`);
    });

    test('fails when the auth is for the other transport', () => {
      const { chart, web } = deployment();
      const s = kplus.Secret.fromSecretName(chart, 's', 'creds');
      expect(() => withConfigSync(web, {
        source: ConfigSource.git({ repo: REPO, auth: GitAuth.ssh({ privateKey: { secret: s, key: 'ssh' }, knownHosts: { secret: s, key: 'kh' } }) }),
        mountPath: '/etc/a',
      })).toThrow(`${W}repo "${REPO}" is reached over HTTPS, but auth is GitAuth.ssh; use GitAuth.https({ username, password })`);
    });

    test('fails when a password is a plain string (the runtime guard behind the types)', () => {
      expect(() => GitAuth.https({ username: 'git', password: 'hunter2' as any }))
        .toThrow('GitAuth.https: option password must be a SecretValue { secret, key } (got a plain string); a credential written in the manifest '
          + 'is readable by anyone who can read the workload: put it in a Secret and pass { secret, key }');
    });

    test('fails when an SSH key is a plain string', () => {
      const { chart, web } = deployment();
      const s = kplus.Secret.fromSecretName(chart, 's', 'creds');
      expect(() => withConfigSync(web, {
        source: ConfigSource.git({ repo: 'git@github.com:a/b.git', auth: GitAuth.ssh({ privateKey: 'KEY' as any, knownHosts: { secret: s, key: 'kh' } }) }),
        mountPath: '/etc/a',
      })).toThrow('GitAuth.ssh: option privateKey must be a SecretValue { secret, key } (got a plain string); a credential written in the manifest');
    });

    test('fails when a credential is not a SecretValue', () => {
      expect(() => GitAuth.https({ username: 'git', password: { name: 'x' } as any }))
        .toThrow('GitAuth.https: unknown option "name" in password; the options are secret, key');
    });

    test('fails when the username holds a colon', () => {
      const { chart, web } = deployment();
      const s = kplus.Secret.fromSecretName(chart, 's', 'creds');
      expect(() => withConfigSync(web, {
        source: ConfigSource.git({ repo: REPO, auth: GitAuth.https({ username: 'git:pw', password: { secret: s, key: 'token' } }) }),
        mountPath: '/etc/a',
      })).toThrow(`${W}GitAuth.https: username "git:pw" must be a non-empty name without spaces or ":"`);
    });

    test.each(['', 'main branch', 'feature..x', '-x', 'refs/heads/', 'a~1', 'x.lock'])('fails when the ref is not one git accepts: "%s"', (ref) => {
      expect(attach({ source: gitSource({ ref }) })).toThrow(`${W}ref "${ref}" is not a branch, tag or commit name git accepts`);
    });

    test('fails when depth is negative', () => {
      expect(attach({ source: gitSource({ depth: -1 }) })).toThrow(`${W}depth -1 must be an integer of 0 or more`);
    });

    test('fails when period is below git-sync\'s 10ms', () => {
      expect(attach({ source: gitSource({ period: Duration.millis(5) }) })).toThrow(`${W}period 5ms is below git-sync's minimum of 10ms`);
    });

    test.each(['.hidden', 'a/b', '', 'has space'])('fails when link is not a plain file name: "%s"', (link) => {
      expect(attach({ source: gitSource({ link }) })).toThrow(`${W}link "${link}" must be a plain file name`);
    });
  });

  describe('ConfigMap/Secret source', () => {
    test.each(['', 'UPPER/x', 'a/b/c', '-x', 'x'.repeat(64)])('fails when the label is not a label key: "%s"', (label) => {
      expect(attach({ source: ConfigSource.configMaps({ label }) })).toThrow(`${W}ConfigSource.configMaps: label "${label}" is not a label key`);
    });

    test('fails when labelValue is not a label value', () => {
      expect(attach({ source: ConfigSource.secrets({ label: 'x', labelValue: 'a b' }) })).toThrow(`${W}ConfigSource.secrets: labelValue "a b" is not a label value`);
    });

    test('fails when fileMode does not let the sidecar rewrite its files', () => {
      expect(attach({ source: ConfigSource.configMaps({ label: 'x', fileMode: 0o440 }) }))
        .toThrow(`${W}ConfigSource.configMaps: fileMode 0o440 must let the owner read and write (0o600): k8s-sidecar rewrites its own files`);
    });

    test('fails when fileMode hides the files from the app', () => {
      expect(attach({ source: ConfigSource.configMaps({ label: 'x', fileMode: 0o600 }) }))
        .toThrow(`${W}ConfigSource.configMaps: fileMode 0o600 lets only the sidecar read the files; add group read (0o040, the pod's fsGroup)`);
    });

    test('fails when the pod mounts its token into every container and the sync reads Secrets', () => {
      const { chart } = newApp();
      const web = new kplus.Deployment(chart, 'web', { containers: [APP], automountServiceAccountToken: true });
      expect(() => withConfigSync(web, { source: ConfigSource.secrets({ label: 'x' }), mountPath: '/etc/a' }))
        .toThrow(`${W}the pod sets automountServiceAccountToken: true, so every container, the app included, would get the token`);
    });
  });

  describe('reload', () => {
    test('fails when the reload port is not one the app declares (a Service port, say)', () => {
      expect(attach({ reload: ConfigReload.httpPost({ port: 80, path: '/-/reload' }) }))
        .toThrow(`${W}reload port 80 is not a TCP port an app container declares (they declare 8080 ("app")); `
          + 'pass the app\'s containerPort: the request goes to 127.0.0.1 inside the pod, never to a Service port');
    });

    test('fails when the reload port belongs to a sidecar, not the app', () => {
      const { web } = deployment();
      withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.28.0', ports: [{ number: 9102, name: 'metrics' }] });
      expect(() => withConfigSync(web, { source: gitSource(), mountPath: '/etc/a', reload: ConfigReload.httpPost({ port: 9102, path: '/' }) }))
        .toThrow(`${W}reload port 9102 is not a TCP port an app container declares`);
    });

    test('fails when the reload path is not a URL path', () => {
      expect(attach({ reload: ConfigReload.httpPost({ port: 8080, path: 'reload now' }) }))
        .toThrow(`${W}reload path "reload now" must start with "/" and hold only URL path characters`);
    });

    test('fails when the success status is not an HTTP status', () => {
      expect(attach({ reload: ConfigReload.httpPost({ port: 8080, path: '/r', successStatus: 42 }) }))
        .toThrow(`${W}reload successStatus 42 must be an HTTP status (100-599), or 0 to accept any answer`);
    });

    test('fails when a Job asks for a reload', () => {
      const { chart } = newApp();
      const job = new kplus.Job(chart, 'web', { containers: [APP] });
      expect(() => withConfigSync(job, { source: gitSource(), mountPath: '/etc/a', reload: ConfigReload.httpPost({ port: 8080, path: '/r' }) }))
        .toThrow('Job "test/web", withConfigSync: a Job only gets the one-time sync, before the app starts, so there is nothing to reload; remove reload');
    });

    test('fails when signal is not acknowledged with shareProcessNamespace: true', () => {
      expect(attach({ reload: ConfigReload.signal('SIGHUP', { process: 'nginx' } as any) }))
        .toThrow(`${W}ConfigReload.signal needs shareProcessNamespace: true, an explicit opt-in`);
    });

    test('fails when the signal is not a reload signal', () => {
      expect(attach({ reload: ConfigReload.signal('SIGTERM' as any, { process: 'nginx', shareProcessNamespace: true }) }))
        .toThrow(`${W}reload signal "SIGTERM" is not one an app reloads on; use SIGHUP, SIGUSR1, SIGUSR2`);
    });

    test('fails when the app\'s UID is unknown', () => {
      expect(attach({ reload: ConfigReload.signal('SIGHUP', { process: 'nginx', shareProcessNamespace: true }) }, [{ name: 'app', image: 'x:1' }]))
        .toThrow(`${W}ConfigReload.signal: the UID of container "app" is not set; a process may only signal processes of its own UID`);
    });

    test('fails when the process name is unknown', () => {
      expect(attach({ reload: ConfigReload.signal('SIGHUP', { shareProcessNamespace: true }) }))
        .toThrow(`${W}ConfigReload.signal: container "app" has no command to take the process name from; pass process`);
    });

    test.each(["ng'inx", 'a-name-of-16-chr'])('fails when the process name cannot be a /proc comm: %s', (process) => {
      expect(attach({ reload: ConfigReload.signal('SIGHUP', { process, shareProcessNamespace: true }) }))
        .toThrow(`${W}ConfigReload.signal: process "${process}" must be 1 to 15 letters`);
    });

    test('fails when the signal would need git-sync over SSH to run as another UID', () => {
      const { chart, web } = deployment();
      const s = kplus.Secret.fromSecretName(chart, 's', 'creds');
      expect(() => withConfigSync(web, {
        source: ConfigSource.git({ repo: 'git@github.com:a/b.git', auth: GitAuth.ssh({ privateKey: { secret: s, key: 'ssh' }, knownHosts: { secret: s, key: 'kh' } }) }),
        mountPath: '/etc/a',
        reload: ConfigReload.signal('SIGHUP', { process: 'web', shareProcessNamespace: true }),
      })).toThrow(`${W}ConfigReload.signal: git over SSH needs an /etc/passwd entry for git-sync's UID`);
    });

    test('fails when the signal would share a process namespace with a sync that reads Secrets', () => {
      expect(attach({ source: ConfigSource.configMapsAndSecrets({ label: 'x' }), reload: ConfigReload.signal('SIGHUP', { process: 'web', shareProcessNamespace: true }) }))
        .toThrow(`${W}ConfigReload.signal with Secrets: the sync container would run as the app's UID in a shared process namespace`);
    });
  });
});

describe('bad input, continued', () => {
  test('fails when the pod already has a volume of the folder\'s name, before the pod is touched', () => {
    const { chart, web } = deployment();
    web.addVolume(kplus.Volume.fromEmptyDir(chart, 'mine', 'git-sync-data'));
    expect(() => withConfigSync(web, { source: gitSource(), mountPath: '/etc/a' }))
      .toThrow('the pod already has a volume named "git-sync-data" that cdk8s-sidecars did not make');
    expect(web.securityContext.fsGroup).toBeUndefined();
  });

  test('fails when sizeLimit is zero', () => {
    const { web } = deployment();
    expect(() => withConfigSync(web, { source: gitSource(), mountPath: '/etc/a', sizeLimit: Size.mebibytes(0) }))
      .toThrow('Deployment "test/web", withConfigSync: sizeLimit must be positive, for example Size.mebibytes(200)');
  });
});

describe('a refused call leaves the app as it was', () => {
  test.each([
    ['a bad repo', { source: ConfigSource.git({ repo: 'http://x/y.git' }) }],
    ['a reload to an undeclared port', { reload: ConfigReload.httpPost({ port: 81, path: '/r' }) }],
    ['a clashing mountPath', { mountPath: '/etc/app/config/' }],
  ])('%s: no construct, no container, no volume, no fsGroup, no ServiceAccount', (_what, options) => {
    const { app, chart, web } = deployment();
    web.containers[0].mount('/etc/app/config', kplus.Volume.fromEmptyDir(chart, 'cfg', 'app-config'));
    const childrenBefore = web.node.children.length;
    expect(() => withConfigSync(web, { source: ConfigSource.configMaps({ label: 'c' }), mountPath: '/etc/other', ...options } as any)).toThrow();
    expect(web.node.children.length).toBe(childrenBefore);
    expect(web.initContainers).toEqual([]);
    expect(web.containers.map((c) => c.name)).toEqual(['app']);
    expect(web.securityContext.fsGroup).toBeUndefined();
    expect(web.serviceAccount).toBeUndefined();
    const { manifests } = synth(app);
    expect(manifests.map((m) => m.kind)).toEqual(['Deployment']);
  });
});
