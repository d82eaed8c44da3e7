/**
 * Issue #16, "Nothing invalid gets through": the engine-wide classes of input, refused at the
 * call (wrong by itself) or at synth (wrong in the pod), through the public API. The engine's
 * checkContainer sees every container of every helper, so each class is shown through
 * withSidecar and through at least one helper.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ConfigSource, LogBuffer, LogOutput, LogShipperEngine, ProxyEngine, SidecarOptions, withConfigSync, withLogShipper, withProxy, withSidecar,
} from '../../lib';
import { find, newApp, synth, synthFails } from '../util/synth';
import { APP } from '../workloads';

const OK: SidecarOptions = { name: 'side', image: 'registry.example/side:1.0.0' };
const PREFIX = 'Deployment "test/web", sidecar "side": ';

function web() {
  const { app, chart } = newApp();
  const deployment = new kplus.Deployment(chart, 'web', { containers: [APP] });
  return { app, chart, web: deployment };
}

function sidecarFails(change: Partial<SidecarOptions>): string {
  const { web: deployment } = web();
  let message: string | undefined;
  try {
    withSidecar(deployment, { ...OK, ...change });
  } catch (e) {
    message = (e as Error).message;
  }
  if (message === undefined) throw new Error('expected the call to be refused');
  // A refused call leaves the pod as it was.
  expect(deployment.initContainers).toHaveLength(0);
  expect(deployment.containers).toHaveLength(1);
  return message;
}

describe('1. image references', () => {
  const CASES: Array<[string, string, string]> = [
    ['the image has a scheme', 'https://ghcr.io/acme/tool:1.0', 'image "https://ghcr.io/acme/tool:1.0" starts with a scheme ("https://"); an image reference has none: give "ghcr.io/acme/tool:1.0"'],
    ['the image holds a space', 'ghcr.io/acme/tool :1.0', 'image "ghcr.io/acme/tool :1.0" holds whitespace or a control character; an image reference has none: remove it'],
    ['the image holds a newline', 'ghcr.io/acme/tool:1.0\nimage: evil', 'image "ghcr.io/acme/tool:1.0\\nimage: evil" holds whitespace or a control character; an image reference has none: remove it'],
    ['the image holds NUL', 'tool:1.0\u0000', 'image "tool:1.0\\u0000" holds whitespace or a control character'],
    ['the repository path has capitals', 'ghcr.io/Acme/Tool:1.0', 'image "ghcr.io/Acme/Tool:1.0" has the repository path "Acme/Tool" with capital letters; repository paths are lowercase: give "ghcr.io/acme/tool:1.0"'],
    ['the tag starts with a dot', 'ghcr.io/acme/tool:.1', 'image "ghcr.io/acme/tool:.1" has the tag ".1"; a tag is 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"'],
    ['the tag is longer than 128 characters', `tool:${'a'.repeat(129)}`, 'has the tag "aaaa'],
    ['the digest is short', 'ghcr.io/acme/tool@sha256:abc', 'image "ghcr.io/acme/tool@sha256:abc" has the digest "sha256:abc", which is not "sha256:" and 64 lowercase hex digits'],
    ['a path component ends with a separator', 'ghcr.io/acme-/tool:1', 'has the path component "acme-"; a component is lowercase letters and digits, joined by ".", "_", "__" or "-"'],
    ['the registry host is not a host', 'ghcr_io.x:99999x/tool:1', 'has the registry host "ghcr_io.x:99999x"'],
  ];
  test.each(CASES)('fails when %s', (_what, image, message) => {
    const got = sidecarFails({ image });
    expect(got.startsWith(PREFIX)).toBe(true);
    expect(got).toContain(message);
  });

  test('fails when the image is not a string', () => {
    const { web: d } = web();
    expect(() => withSidecar(d, { ...OK, image: 42 as unknown as string })).toThrow('Deployment "test/web", withSidecar: option image must be a string (got the number 42)');
  });

  test('fails when a helper is given an image with a scheme', () => {
    const { web: d } = web();
    expect(() => withLogShipper(d, { logPath: '/var/log/app', image: 'docker://cr.fluentbit.io/fluent/fluent-bit:4.0.3' })).toThrow(
      'Deployment "test/web", withLogShipper: image "docker://cr.fluentbit.io/fluent/fluent-bit:4.0.3" starts with a scheme ("docker://"); an image reference has none: give "cr.fluentbit.io/fluent/fluent-bit:4.0.3"');
  });

  test.each([
    'nginx', 'nginx:1.27', 'library/nginx:1.27-alpine', 'localhost:5000/tool:dev', 'registry.example:443/a/b/c:1.0.0',
    `ghcr.io/acme/tool@sha256:${'a'.repeat(64)}`, `ghcr.io/acme/tool:1.0@sha256:${'0'.repeat(64)}`, 'a__b/c--d/e.f:g_h', '[::1]:5000/tool:1',
  ])('accepts %s', (image) => {
    const { web: d } = web();
    expect(() => withSidecar(d, { ...OK, image })).not.toThrow();
  });
});

describe('2. environment variable names', () => {
  const CASES: Array<[string, string, string]> = [
    ['a name starts with a digit', '1BAD', 'environment variable "1BAD" may hold only letters, digits, "_", "-" and ".", and must not start with a digit (Kubernetes 1.28); rename it'],
    ['a name holds a colon', 'ConnectionStrings:Default', 'environment variable "ConnectionStrings:Default" may hold only letters, digits, "_", "-" and ".", and must not start with a digit (Kubernetes 1.28); rename it, or pass relaxedEnvNames: true to withSidecar if every cluster you apply to runs Kubernetes 1.32 or later'],
    ['a name holds "="', 'A=B', 'environment variable "A=B" may hold only letters'],
    ['a name is empty', '', 'environment variable "" is empty; rename it'],
    ['a name starts with ".."', '..x', 'environment variable "..x" must not be "." or start with ".."'],
    ['a name holds a newline', 'A\nB', 'environment variable "A\\nB" may hold only'],
    ['a name is __proto__', '__proto__', 'environment variable "__proto__" is "__proto__", which cdk8s-plus keeps in a plain object and silently drops; choose another name'],
  ];
  test.each(CASES)('fails when %s', (_what, name, message) => {
    const envVariables: Record<string, kplus.EnvValue> = {};
    Object.defineProperty(envVariables, name, { value: kplus.EnvValue.fromValue('x'), enumerable: true });
    expect(sidecarFails({ envVariables })).toContain(message);
  });

  test('fails when a relaxed name holds "=" even with relaxedEnvNames', () => {
    expect(sidecarFails({ envVariables: { 'A=B': kplus.EnvValue.fromValue('x') }, relaxedEnvNames: true }))
      .toContain('environment variable "A=B" may hold only printable ASCII characters other than "=" (the relaxed rule); rename it');
  });

  test('accepts the 1.28 rule\'s "-" and ".", and the relaxed rule when asked', () => {
    const { app, web: d } = web();
    withSidecar(d, { ...OK, envVariables: { 'my.env-name': kplus.EnvValue.fromValue('1'), '_X': kplus.EnvValue.fromValue('2') } });
    withSidecar(d, {
      name: 'dotnet',
      image: 'mcr.microsoft.com/dotnet/tool:8.0',
      relaxedEnvNames: true,
      envVariables: { 'ConnectionStrings:Default': kplus.EnvValue.fromValue('x') },
    });
    const pod = find(synth(app).manifests, 'Deployment').spec.template.spec;
    expect(pod.initContainers[1].env).toEqual([{ name: 'ConnectionStrings:Default', value: 'x' }]);
  });
});

describe('3. resource quantities', () => {
  const CASES: Array<[string, kplus.ContainerResources, string]> = [
    ['a cpu amount is negative', { cpu: { request: kplus.Cpu.millis(-5) } }, 'resources.cpu.request is negative ("-5m"); give an amount of 0 or more, for example kplus.Cpu.millis(100)'],
    ['a cpu amount is NaN', { cpu: { limit: kplus.Cpu.units(NaN) } }, 'resources.cpu.limit is "NaN", not a number of cores or millicores; give for example kplus.Cpu.millis(100)'],
    ['a memory amount is NaN', { memory: { request: Size.mebibytes(NaN) } }, 'resources.memory.request is not a number; give for example Size.mebibytes(128)'],
    ['a memory amount is not whole mebibytes', { memory: { limit: Size.kibibytes(1500) } }, 'resources.memory.limit is not a whole number of mebibytes'],
    ['ephemeral storage is not whole gibibytes', { ephemeralStorage: { request: Size.mebibytes(500) } }, 'resources.ephemeralStorage.request is not a whole number of gibibytes, which cdk8s-plus writes it in; give for example Size.gibibytes(1)'],
    ['a cpu limit is below its request', { cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(100) } }, 'resources.cpu.limit 100m is below its request 500m, which the API server refuses; raise the limit or lower the request'],
    ['a memory limit is below its request', { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(256) } }, 'resources.memory.limit 256Mi is below its request 512Mi'],
  ];
  test.each(CASES)('fails when %s', (_what, resources, message) => {
    expect(sidecarFails({ resources })).toContain(message);
  });

  test('fails when a helper is given a limit below its request', () => {
    const { web: d } = web();
    expect(() => withProxy(d, { resources: { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(1) } } })).toThrow(
      'Deployment "test/web", withProxy: resources.cpu.limit 1000m is below its request 2000m, which the API server refuses; raise the limit or lower the request');
  });

  test('a request alone keeps the default limit, raised to the request when below it', () => {
    const { app, web: d } = web();
    withSidecar(d, { ...OK, resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(512) } } });
    withSidecar(d, { name: 'other', image: 'o:1', resources: { memory: { limit: Size.mebibytes(32) } } });
    const [side, other] = find(synth(app).manifests, 'Deployment').spec.template.spec.initContainers;
    expect(side.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    // A limit alone below the default request brings the request down to it.
    expect(other.resources.requests.memory).toBe('32Mi');
    expect(other.resources.limits.memory).toBe('32Mi');
  });

  test('fails when a memory buffer does not fit under the shipper\'s memory limit', () => {
    const { web: d } = web();
    expect(() => withLogShipper(d, { logPath: '/var/log/app', buffer: LogBuffer.memory({ maxSize: Size.mebibytes(100) }) })).toThrow(
      'Deployment "test/web", withLogShipper: buffer LogBuffer.memory holds up to 100MiB, which with Fluent Bit\'s own ~48MiB is more than its memory limit 128Mi: '
      + 'it would be OOM-killed as the buffer fills; raise resources.memory.limit to at least Size.mebibytes(148), give a smaller maxSize, or use LogBuffer.filesystem()');
  });

  test('a memory buffer fits once the limit is raised', () => {
    const { web: d } = web();
    expect(() => withLogShipper(d, {
      logPath: '/var/log/app',
      engine: LogShipperEngine.FLUENT_BIT,
      buffer: LogBuffer.memory({ maxSize: Size.mebibytes(100) }),
      resources: { memory: { limit: Size.mebibytes(160) } },
    })).not.toThrow();
  });
});

describe('4. ports', () => {
  test.each([
    ['a hostPort is out of range', { ports: [{ number: 9000, hostPort: 70000 }], allowOutsideRestrictedProfile: true }, 'port 9000: hostPort 70000 must be an integer from 1 to 65535'],
    ['a hostPort is given without the opt-in', { ports: [{ number: 9000, hostPort: 30000 }] }, 'port 9000: hostPort 30000 takes a port of the node, which the restricted profile forbids; remove hostPort (reach the pod through a Service), or pass allowOutsideRestrictedProfile: true to withSidecar if the program really needs it'],
    ['a port is below 1024 without NET_BIND_SERVICE', { ports: [{ number: 80 }] }, 'port 80 is below 1024, which the container cannot bind as a non-root user without the NET_BIND_SERVICE capability; give a port of 1024 or more, or add the capability: securityContext: { capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] } }'],
    ['a bound port is below 1024 without NET_BIND_SERVICE', { boundPorts: [{ number: 53, purpose: 'dns' }] }, 'bound port (dns) 53 is below 1024'],
    // cdk8s-plus's deprecated `port` declares a port too: refused at the call, like portNumber.
    ['the deprecated port is out of range', { port: -1 } as Partial<SidecarOptions>, 'port -1 must be an integer from 1 to 65535'],
  ] as Array<[string, Partial<SidecarOptions>, string]>)('fails when %s', (_what, change, message) => {
    expect(sidecarFails(change)).toContain(message);
  });

  test('a port below 1024 is fine with NET_BIND_SERVICE', () => {
    const { web: d } = web();
    const capabilities = { drop: [kplus.Capability.ALL], add: [kplus.Capability.NET_BIND_SERVICE] };
    expect(() => withSidecar(d, { ...OK, ports: [{ number: 80 }], securityContext: { capabilities } })).not.toThrow();
  });

  test('fails when a helper\'s health port is below 1024', () => {
    const { web: d } = web();
    expect(() => withLogShipper(d, { logPath: '/var/log/app', healthPort: 80 })).toThrow(
      'Deployment "test/web", withLogShipper: port 80 is below 1024, which the container cannot bind as a non-root user without the NET_BIND_SERVICE capability; give a port of 1024 or more: pass healthPort to withLogShipper');
  });

  test('fails when the proxy\'s admin port is below 1024 without allowPrivilegedPort', () => {
    const { web: d } = web();
    expect(() => withProxy(d, { adminPort: 901 })).toThrow(
      'Deployment "test/web", withProxy: bound port (Envoy admin) 901 is below 1024, which the container cannot bind as a non-root user without the NET_BIND_SERVICE capability; give a port of 1024 or more: pass another adminPort to withProxy');
  });

  test('the proxy\'s admin port below 1024 gets NET_BIND_SERVICE with allowPrivilegedPort', () => {
    const { app, web: d } = web();
    withProxy(d, { adminPort: 901, allowPrivilegedPort: true });
    const proxy = find(synth(app).manifests, 'Deployment').spec.template.spec.initContainers[0];
    expect(proxy.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
  });

  test('fails at synth when a sidecar\'s probe targets a port no container declares or binds', () => {
    const { app, web: d } = web();
    withSidecar(d, { ...OK, ports: [{ number: 9000, name: 'metrics' }], readiness: kplus.Probe.fromHttpGet('/ready', { port: 9001 }) });
    expect(synthFails(app)).toContain('[test/web] the readinessProbe (httpGet) of container "side" (withSidecar, native sidecar) targets port 9001, which no container of the pod '
      + 'declares or binds; declare it on the container that listens there (ports), list it in boundPorts, or probe the port the program listens on');
  });

  test('fails at synth when a sidecar\'s tcp probe targets a port no container declares or binds', () => {
    const { app, web: d } = web();
    withSidecar(d, { ...OK, ports: [{ number: 9000 }], liveness: kplus.Probe.fromTcpSocket({ port: 9100 }) });
    expect(synthFails(app)).toContain('the livenessProbe (tcpSocket) of container "side" (withSidecar, native sidecar) targets port 9100');
  });

  test('a probe at a bound port, or at another container\'s port, is fine', () => {
    const { app, web: d } = web();
    withSidecar(d, {
      ...OK,
      boundPorts: [{ number: 9001 }],
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 9001 }),
      liveness: kplus.Probe.fromTcpSocket({ port: 8080 }),
    });
    expect(() => synth(app)).not.toThrow();
  });
});

describe('5. paths', () => {
  test.each([
    ['a shared volume path holds NUL', { sharedVolumes: [{ name: 'logs', path: '/logs\u0000x' }] }, 'shared volume "logs": path "/logs\\u0000x" must not hold NUL or control characters'],
    ['a shared volume path holds a newline', { sharedVolumes: [{ name: 'logs', path: '/logs\nx' }] }, 'path "/logs\\nx" must not hold NUL or control characters'],
    ['two shared volumes take one path written with "."', { sharedVolumes: [{ name: 'a', path: '/data' }, { name: 'b', path: '/./data/.' }] }, 'shared volume "b": the sidecar already mounts something at "/data"'],
  ] as Array<[string, Partial<SidecarOptions>, string]>)('fails when %s', (_what, change, message) => {
    expect(sidecarFails(change)).toContain(message);
  });

  test('fails when a second shipper reads /var/log/./app, the folder of the first', () => {
    const { web: d } = web();
    withLogShipper(d, { logPath: '/var/log/app' });
    expect(() => withLogShipper(d, { logPath: '/var/log/./app', name: 'second', healthPort: 2021 })).toThrow(/logPath "\/var\/log\/app"/);
  });

  test('fails when a sync mounts over a folder already mounted, written with "."', () => {
    const { web: d } = web();
    withConfigSync(d, { source: ConfigSource.git({ repo: 'https://git.example/config.git' }), mountPath: '/etc/app' });
    expect(() => withConfigSync(d, { source: ConfigSource.git({ repo: 'https://git.example/other.git' }), mountPath: '/etc/./app/', name: 'sync-2', healthPort: 9500 }))
      .toThrow(/mountPath "\/etc\/app"/);
  });

  test('paths are mounted normalized', () => {
    const { app, web: d } = web();
    withSidecar(d, { ...OK, sharedVolumes: [{ name: 'logs', path: '/var/./logs/', appPath: '//srv//logs/.' }] });
    const pod = find(synth(app).manifests, 'Deployment').spec.template.spec;
    expect(pod.initContainers[0].volumeMounts).toEqual([{ name: 'logs', mountPath: '/var/logs', readOnly: false }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'logs', mountPath: '/srv/logs', readOnly: false }]);
  });
});

describe('6. $(VAR) expansion', () => {
  test('helper arguments reach the program as written', () => {
    const { app, web: d } = web();
    withConfigSync(d, { source: ConfigSource.git({ repo: 'https://git.example/$(HOME)/x$$y.git', ref: 'main' }), mountPath: '/etc/app' });
    const sync = find(synth(app).manifests, 'Deployment').spec.template.spec.initContainers[0];
    expect(sync.args[0]).toBe('--repo=https://git.example/$$(HOME)/x$$$y.git'); // the kubelet reads "$$" as "$" and leaves "$y" as it is
  });

  test('helper env values reach the program as written', () => {
    const { app, web: d } = web();
    withConfigSync(d, { source: ConfigSource.configMaps({ label: 'config', labelValue: 'x' }), mountPath: '/etc/app' });
    const env = find(synth(app).manifests, 'Deployment').spec.template.spec.initContainers[0].env;
    expect(env.every((e: { value?: string }) => e.value === undefined || !/(^|[^$])\$\(/.test(e.value))).toBe(true);
  });

  test('withSidecar leaves the user\'s own $(VAR) alone', () => {
    const { app, web: d } = web();
    withSidecar(d, { ...OK, args: ['--pod=$(POD_NAME)'], envVariables: { URL: kplus.EnvValue.fromValue('http://$(HOST)/') } });
    const side = find(synth(app).manifests, 'Deployment').spec.template.spec.initContainers[0];
    expect(side.args).toEqual(['--pod=$(POD_NAME)']);
    expect(side.env).toEqual([{ name: 'URL', value: 'http://$(HOST)/' }]);
  });
});

describe('7. security overrides', () => {
  const UNRESTRICTED = 'pass allowOutsideRestrictedProfile: true to withSidecar if the program really needs it';
  test.each([
    ['privileged is asked for', { privileged: true }, `securityContext sets privileged: true, which the Pod Security Standards "restricted" profile forbids (namespaces that enforce it refuse the pod); remove it, or ${UNRESTRICTED}`],
    ['root is asked for', { user: 0 }, 'securityContext sets user 0 (root) with ensureNonRoot: true, a pod the kubelet refuses to start (CreateContainerConfigError); run as a non-root user'],
    ['privilege escalation is asked for', { allowPrivilegeEscalation: true }, 'securityContext sets allowPrivilegeEscalation: true, which the Pod Security Standards "restricted" profile forbids'],
    ['ensureNonRoot is turned off', { ensureNonRoot: false }, 'securityContext sets ensureNonRoot: false, which'],
    ['a capability other than NET_BIND_SERVICE is added', { capabilities: { drop: [kplus.Capability.ALL], add: [kplus.Capability.NET_ADMIN] } }, 'securityContext sets added capabilities NET_ADMIN, which'],
    ['seccomp is unconfined', { seccompProfile: { type: kplus.SeccompProfileType.UNCONFINED } }, 'securityContext sets seccompProfile Unconfined, which'],
  ] as Array<[string, kplus.ContainerSecurityContextProps, string]>)('fails when %s', (_what, securityContext, message) => {
    expect(sidecarFails({ securityContext })).toContain(message);
  });

  test.each([
    ['privileged goes with allowPrivilegeEscalation: false, even opted in', { privileged: true, allowPrivilegeEscalation: false }, 'securityContext sets privileged: true with allowPrivilegeEscalation: false, which the API server refuses (a privileged container always can escalate); remove allowPrivilegeEscalation'],
    ['root goes with ensureNonRoot: true, even opted in', { user: 0, ensureNonRoot: true }, 'securityContext sets user 0 (root) with ensureNonRoot: true, a pod the kubelet refuses to start (CreateContainerConfigError); run as a non-root user, or pass ensureNonRoot: false'],
  ] as Array<[string, kplus.ContainerSecurityContextProps, string]>)('fails when %s', (_what, securityContext, message) => {
    expect(sidecarFails({ securityContext, allowOutsideRestrictedProfile: true })).toContain(message);
  });

  test('opted in, root and privileged get the settings the API server and the kubelet accept', () => {
    const { app, web: d } = web();
    withSidecar(d, { ...OK, allowOutsideRestrictedProfile: true, securityContext: { user: 0, privileged: true } });
    const side = find(synth(app).manifests, 'Deployment').spec.template.spec.initContainers[0];
    expect(side.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, privileged: true, allowPrivilegeEscalation: true });
  });
});

describe('10. messages', () => {
  test('show control characters escaped, never raw', () => {
    const message = sidecarFails({ ports: [{ number: 9000, name: 'a\tb' }] });
    expect(message).toContain('port name "a\\tb" is not an IANA service name');
    // eslint-disable-next-line no-control-regex
    expect(message).not.toMatch(/[\x00-\x1f]/);
  });

  test('name the program\'s own option when its generated volume name is taken', () => {
    const { web: d } = web();
    d.addVolume(kplus.Volume.fromEmptyDir(d, 'own', 'proxy-config'));
    expect(() => withProxy(d, { engine: ProxyEngine.ENVOY })).toThrow(
      'Deployment "test/web", withProxy: the pod already has a volume named "proxy-config" that cdk8s-sidecars did not make (used by the pod); '
      + 'the program\'s volumes are named after it ("proxy-…"): pass another name, or rename the pod\'s volume');
  });
});

describe('credentials as users expect them', () => {
  test('a user name may be a plain string; the password stays in the Secret', () => {
    const { app, chart, web: d } = web();
    const secret = kplus.Secret.fromSecretName(chart, 'es-creds', 'es-creds');
    withLogShipper(d, { logPath: '/var/log/app', outputs: [LogOutput.elasticsearch({ url: 'https://es:9200', username: 'shipper', password: { secret, key: 'password' } })] });
    const { manifests } = synth(app);
    const config = find(manifests, 'ConfigMap').data['fluent-bit.yaml'];
    expect(config).toContain('http_user: shipper');
    expect(config).not.toContain('password:');
    const env = find(manifests, 'Deployment').spec.template.spec.initContainers[0].env;
    expect(env.find((e: any) => e.valueFrom?.secretKeyRef?.name === 'es-creds')).toBeDefined();
  });
});
