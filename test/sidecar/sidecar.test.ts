import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { setDefaultSidecarMode, Sidecar, SidecarMode, withSidecar } from '../../lib';
import { RENDERED_DEFAULTS } from '../util/line';
import { podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';
import { APP, RUN_TO_COMPLETION, WORKLOADS } from '../workloads';

const EXPORTER = {
  name: 'exporter',
  image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
  ports: [{ number: 9102, name: 'metrics' }],
};

function podSpec(manifests: any[], kind: string): any {
  return podSpecOf(find(manifests, kind));
}

describe.each(WORKLOADS)('withSidecar on a %s', (kind, make) => {
  test('adds a native sidecar: an init container with restartPolicy Always, before the app', () => {
    const { app, chart } = newApp();
    const workload = make(chart);
    const sidecar = withSidecar(workload, EXPORTER);

    const spec = podSpec(synth(app).manifests, kind);
    expect(spec.initContainers).toHaveLength(1);
    expect(spec.initContainers[0]).toMatchObject({ name: 'exporter', restartPolicy: 'Always', image: EXPORTER.image });
    expect(spec.containers.map((c: any) => c.name)).toEqual(['app']);
    expect(sidecar.mode).toBe(SidecarMode.NATIVE);
    expect(sidecar.container.name).toBe('exporter');
    expect(restrictedProblems(spec, ['exporter'])).toEqual([]);
  });

  if (RUN_TO_COMPLETION.includes(kind)) {
    test('fails when a classic sidecar would keep the Job from completing', () => {
      const { app, chart } = newApp();
      withSidecar(make(chart), { ...EXPORTER, mode: SidecarMode.CLASSIC });
      const message = synthFails(app);
      expect(message).toContain('[test/web]');
      expect(message).toContain(`container "exporter" (withSidecar, classic sidecar) on a ${kind} never exits, so the ${kind} would never complete`);
      expect(message).toContain('mode: SidecarMode.NATIVE');
    });
  } else {
    test('adds a classic sidecar: a regular container beside the app', () => {
      const { app, chart } = newApp();
      const sidecar = withSidecar(make(chart), { ...EXPORTER, mode: SidecarMode.CLASSIC });
      const spec = podSpec(synth(app).manifests, kind);
      expect(spec.initContainers).toBeUndefined();
      expect(spec.containers.map((c: any) => c.name)).toEqual(['app', 'exporter']);
      expect(spec.containers[1].restartPolicy).toBeUndefined();
      expect(sidecar.mode).toBe(SidecarMode.CLASSIC);
      expect(restrictedProblems(spec, ['exporter'])).toEqual([]);
    });
  }
});

describe('defaults a sidecar gets', () => {
  function synthSidecar(options: Partial<Parameters<typeof withSidecar>[1]> = {}) {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { ...EXPORTER, ...options });
    return podSpec(synth(app).manifests, 'Deployment');
  }

  test('small explicit requests and limits instead of cdk8s-plus 1 CPU / 512Mi', () => {
    const side = synthSidecar().initContainers[0];
    expect(side.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  test('resources given replace the default per resource', () => {
    const side = synthSidecar({ resources: { memory: { request: Size.mebibytes(32), limit: Size.mebibytes(48) } } }).initContainers[0];
    expect(side.resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '500m', memory: '48Mi' } });
  });

  test('the restricted security context, with a non-root UID and IfNotPresent pulls', () => {
    const side = synthSidecar().initContainers[0];
    expect(side.imagePullPolicy).toBe('IfNotPresent');
    expect(side.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('a UID given is kept, and the rest of the restricted context stays', () => {
    const side = synthSidecar({ securityContext: { user: 101, group: 101 } }).initContainers[0];
    expect(side.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
  });

  test('a UID given without a GID gives the group of the same number', () => {
    const side = synthSidecar({ securityContext: { user: 1001 } }).initContainers[0];
    expect(side.securityContext).toMatchObject({ runAsUser: 1001, runAsGroup: 1001 });
  });

  test('attaching a sidecar turns on no process sharing, host namespace or service-account token', () => {
    const spec = synthSidecar();
    expect(spec.shareProcessNamespace).toBe(RENDERED_DEFAULTS.shareProcessNamespace); // what the line writes by itself
    expect(spec.hostNetwork).toBe(false);
    expect(spec.hostPID).toBeUndefined();
    expect(spec.hostIPC).toBeUndefined();
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('everything kplus.ContainerProps takes reaches the container', () => {
    const side = synthSidecar({
      command: ['/bin/exporter'],
      args: ['--log.level=debug'],
      workingDir: '/work',
      envVariables: { LEVEL: kplus.EnvValue.fromValue('debug') },
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 9102 }),
      startup: kplus.Probe.fromTcpSocket({ port: 9102 }),
    }).initContainers[0];
    expect(side).toMatchObject({
      command: ['/bin/exporter'],
      args: ['--log.level=debug'],
      workingDir: '/work',
      env: [{ name: 'LEVEL', value: 'debug' }],
      readinessProbe: { httpGet: { path: '/ready', port: 9102 } },
      startupProbe: { tcpSocket: { port: 9102 } },
    });
  });
});

describe('native sidecar order', () => {
  test('sidecars follow attach order, after init containers added before them', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP], initContainers: [{ name: 'migrate', image: 'migrate:1' }] });
    withSidecar(web, { name: 'one', image: 'one:1' });
    withSidecar(web, { name: 'two', image: 'two:1' });
    const spec = podSpec(synth(app).manifests, 'Deployment');
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['migrate', 'one', 'two']);
  });

  test('first: true goes before every other init container; several keep their attach order', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP], initContainers: [{ name: 'migrate', image: 'migrate:1' }] });
    withSidecar(web, { name: 'one', image: 'one:1' });
    withSidecar(web, { name: 'mesh', image: 'mesh:1', first: true });
    withSidecar(web, { name: 'logs', image: 'logs:1', first: true });
    web.addInitContainer({ name: 'late', image: 'late:1' });
    const spec = podSpec(synth(app).manifests, 'Deployment');
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['mesh', 'logs', 'migrate', 'one', 'late']);
  });

  test('a startup probe is kept on the native sidecar, so it holds the app until ready', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { ...EXPORTER, startup: kplus.Probe.fromHttpGet('/ready', { port: 9102 }) });
    const side = podSpec(synth(app).manifests, 'Deployment').initContainers[0];
    expect(side.startupProbe).toMatchObject({ httpGet: { path: '/ready', port: 9102 } });
  });
});

describe('setDefaultSidecarMode', () => {
  test('an app-wide classic default applies to sidecars without a mode', () => {
    const { app, outdir } = newApp();
    const fresh = new App({ outdir });
    setDefaultSidecarMode(fresh, SidecarMode.CLASSIC);
    const chart = new Chart(fresh, 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(withSidecar(web, EXPORTER).mode).toBe(SidecarMode.CLASSIC);
    expect(withSidecar(web, { name: 'native', image: 'n:1', mode: SidecarMode.NATIVE }).mode).toBe(SidecarMode.NATIVE);
    const spec = podSpec(synth(fresh).manifests, 'Deployment');
    expect(spec.containers.map((c: any) => c.name)).toEqual(['app', 'exporter']);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['native']);
    void app;
  });

  test('the nearest setting wins: a chart can go back to native', () => {
    const { app } = newApp();
    setDefaultSidecarMode(app, SidecarMode.CLASSIC);
    const legacy = new Chart(app, 'legacy');
    const modern = new Chart(app, 'modern');
    setDefaultSidecarMode(modern, SidecarMode.NATIVE);
    expect(withSidecar(new kplus.Deployment(legacy, 'web', { containers: [APP] }), EXPORTER).mode).toBe(SidecarMode.CLASSIC);
    expect(withSidecar(new kplus.Deployment(modern, 'web', { containers: [APP] }), EXPORTER).mode).toBe(SidecarMode.NATIVE);
  });

  test('fails when set after sidecars were attached under the same scope', () => {
    const { app, chart } = newApp();
    withSidecar(new kplus.Deployment(chart, 'web', { containers: [APP] }), EXPORTER);
    expect(() => setDefaultSidecarMode(app, SidecarMode.CLASSIC)).toThrow(
      /sidecars were already attached under "<app>" with the previous default; call setDefaultSidecarMode right after creating the App or Chart/);
  });
});

describe('shared volumes', () => {
  test('an emptyDir mounted in the sidecar and, read-only at another path, in every app container', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP, { ...APP, name: 'worker', ports: [] }] });
    const sidecar = withSidecar(web, {
      ...EXPORTER,
      sharedVolumes: [{ name: 'spool', path: '/spool', appPath: '/var/spool/app', appReadOnly: true, sizeLimit: Size.mebibytes(100), medium: kplus.EmptyDirMedium.MEMORY }],
    });
    const spec = podSpec(synth(app).manifests, 'Deployment');
    expect(spec.volumes).toEqual([{ name: 'spool', emptyDir: { medium: 'Memory', sizeLimit: '100Mi' } }]);
    expect(spec.initContainers[0].volumeMounts).toEqual([{ name: 'spool', mountPath: '/spool', readOnly: false }]);
    for (const c of spec.containers) {
      expect(c.volumeMounts).toEqual([{ name: 'spool', mountPath: '/var/spool/app', readOnly: true }]);
    }
    expect(sidecar.volumes.map((v) => v.name)).toEqual(['spool']);
    expect(sidecar.sharedVolumes[0].appContainers.map((c) => c.name)).toEqual(['app', 'worker']);
  });

  test('only the app containers named; [] keeps the volume to the sidecar', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP, { ...APP, name: 'worker', ports: [] }] });
    withSidecar(web, {
      ...EXPORTER,
      sharedVolumes: [
        { name: 'spool', path: '/spool', appContainers: ['worker'] },
        { name: 'state', path: '/state', appContainers: [] },
      ],
    });
    const spec = podSpec(synth(app).manifests, 'Deployment');
    expect(spec.containers[0].volumeMounts).toBeUndefined();
    expect(spec.containers[1].volumeMounts).toEqual([{ name: 'spool', mountPath: '/spool', readOnly: false }]);
    expect(spec.initContainers[0].volumeMounts.map((m: any) => m.name)).toEqual(['spool', 'state']);
  });

  test('asking twice for one shared volume returns the same volume, never two of one name', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const one = withSidecar(web, { name: 'writer', image: 'w:1', sharedVolumes: [{ name: 'data', path: '/out', sizeLimit: Size.mebibytes(10) }] });
    const two = withSidecar(web, { name: 'reader', image: 'r:1', sharedVolumes: [{ name: 'data', path: '/in', readOnly: true, appContainers: [] }] });
    expect(two.volumes[0]).toBe(one.volumes[0]);
    const spec = podSpec(synth(app).manifests, 'Deployment');
    expect(spec.volumes).toEqual([{ name: 'data', emptyDir: { sizeLimit: '10Mi' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/out', readOnly: false }]);
  });

  test('never adds a shared volume to a volumeMounts array the caller passed, which other containers may share', () => {
    // cdk8s-plus keeps props.volumeMounts as the container's own list and mount() pushes into it.
    const { app, chart } = newApp();
    const config = new kplus.ConfigMap(chart, 'config', { data: { 'app.yaml': 'a: 1' } });
    const appMounts: kplus.VolumeMount[] = [{ path: '/etc/app', volume: kplus.Volume.fromConfigMap(chart, 'app-config', config), readOnly: true }];
    const appProps: kplus.ContainerProps = { ...APP, volumeMounts: appMounts };
    const web = new kplus.Deployment(chart, 'web', { containers: [appProps] });
    new kplus.Deployment(chart, 'api', { containers: [appProps] });
    const agentMounts: kplus.VolumeMount[] = [];
    withSidecar(web, { name: 'writer', image: 'w:1', volumeMounts: agentMounts, sharedVolumes: [{ name: 'data', path: '/out' }] });
    withSidecar(web, { name: 'other', image: 'o:1', volumeMounts: agentMounts });
    expect(appMounts).toHaveLength(1);
    expect(agentMounts).toEqual([]);
    const { manifests } = synth(app);
    const [webSpec, apiSpec] = manifests.filter((m) => m.kind === 'Deployment').map((m) => m.spec.template.spec);
    expect(webSpec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/etc/app', '/out']);
    expect(webSpec.initContainers.map((c: any) => (c.volumeMounts ?? []).map((m: any) => m.mountPath))).toEqual([['/out'], []]);
    expect(apiSpec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/etc/app']);
    expect(apiSpec.volumes.map((v: any) => v.name)).not.toContain('data');
  });
});

describe('Services', () => {
  test('a classic sidecar\'s ports stay out of exposeViaService()', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { ...EXPORTER, mode: SidecarMode.CLASSIC });
    web.exposeViaService({ name: 'web' });
    const service = find(synth(app).manifests, 'Service');
    expect(service.spec.ports).toEqual([{ port: 8080, targetPort: 8080, name: 'http' }]);
  });

  test('a sidecar port reaches the Service when asked for explicitly', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { ...EXPORTER, mode: SidecarMode.CLASSIC });
    web.exposeViaService({ ports: [{ port: 9102, name: 'metrics' }] });
    const service = find(synth(app).manifests, 'Service');
    expect(service.spec.ports).toEqual([{ port: 9102, name: 'metrics' }]);
  });

  test('a native sidecar\'s ports stay out of exposeViaService()', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, EXPORTER);
    web.exposeViaService();
    const service = find(synth(app).manifests, 'Service');
    expect(service.spec.ports).toEqual([{ port: 8080, targetPort: 8080, name: 'http' }]);
  });
});

describe('the Sidecar construct', () => {
  test('can be instantiated directly under any scope', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const sidecar = new Sidecar(chart, 'metrics', { workload: web, ...EXPORTER });
    expect(sidecar.node.path).toBe('test/metrics');
    expect(sidecar.workload).toBe(web);
    expect(podSpec(synth(app).manifests, 'Deployment').initContainers[0].name).toBe('exporter');
  });

  test('without a workload, its scope is the workload', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const sidecar = new Sidecar(web, 'metrics', EXPORTER);
    expect(sidecar.workload).toBe(web);
    expect(podSpec(synth(app).manifests, 'Deployment').initContainers[0].name).toBe('exporter');
  });

  test('fails when given no workload under a scope that is not one, naming the scope', () => {
    const { chart } = newApp();
    expect(() => new Sidecar(chart, 'metrics', EXPORTER)).toThrow(
      'Sidecar "test/metrics": no workload given and the scope "test" is not one; pass workload (a Deployment, StatefulSet, '
      + 'DaemonSet, Job, CronJob or Pod, or an ApiObject of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod), or create it inside the workload');
    expect(chart.node.tryFindChild('metrics')).toBeUndefined();
  });

  test('its container can be adjusted after the call', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const sidecar = withSidecar(web, EXPORTER);
    sidecar.container.env.addVariable('EXTRA', kplus.EnvValue.fromValue('1'));
    sidecar.container.addPort({ number: 9103, name: 'debug' });
    const side = podSpec(synth(app).manifests, 'Deployment').initContainers[0];
    expect(side.env).toEqual([{ name: 'EXTRA', value: '1' }]);
    expect(side.ports.map((p: any) => p.name)).toEqual(['metrics', 'debug']);
  });
});

test('the same program synthesizes byte-identical YAML', () => {
  const build = () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { ...EXPORTER, sharedVolumes: [{ name: 'spool', path: '/spool' }] });
    withSidecar(web, { name: 'second', image: 's:1', first: true });
    return app.synthYaml();
  };
  expect(build()).toEqual(build());
});
