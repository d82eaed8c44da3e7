/**
 * withProxy through the public API: every workload kind, degenerate pods, the options, the
 * errors at the call and at synthesis, and the Service wiring.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ProxyEngine, setDefaultSidecarMode, SidecarMode, withProxy, withSidecar } from '../../lib';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';

const APP = { name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, securityContext: { user: 1000 } };

const KINDS: Array<[string, (chart: Chart) => kplus.AbstractPod]> = [
  ['Deployment', (c) => new kplus.Deployment(c, 'web', { containers: [APP] })],
  ['StatefulSet', (c) => new kplus.StatefulSet(c, 'web', { containers: [APP], service: new kplus.Service(c, 'headless', { clusterIP: 'None', ports: [{ port: 8080 }] }) })],
  ['DaemonSet', (c) => new kplus.DaemonSet(c, 'web', { containers: [APP] })],
  ['Job', (c) => new kplus.Job(c, 'web', { containers: [APP] })],
  ['CronJob', (c) => new kplus.CronJob(c, 'web', { containers: [APP], schedule: { expressionString: '0 * * * *' } as any })],
  ['Pod', (c) => new kplus.Pod(c, 'web', { containers: [APP] })],
];

const proxyOf = (manifest: any) => allContainers(podSpecOf(manifest)).find((c: any) => c.name === 'proxy');

describe.each(KINDS)('on a %s', (kind, make) => {
  test.each([['Envoy', ProxyEngine.ENVOY], ['nginx', ProxyEngine.NGINX]])('attaches a %s proxy that passes the restricted profile, exposed through a Service', (_n, engine) => {
    const { app, chart } = newApp();
    const workload = make(chart);
    const proxy = withProxy(workload, { engine, port: 8443 });
    proxy.exposeViaService({ name: 'web' });
    const { manifests } = synth(app);
    const manifest = manifests.find((m) => m.kind === kind)!;
    const spec = podSpecOf(manifest);
    const container = proxyOf(manifest);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['proxy']);
    expect(container.restartPolicy).toBe('Always');
    expect(container.ports).toEqual([{ containerPort: 8443, name: 'proxy-http', protocol: 'TCP' }]);
    expect(restrictedProblems(spec, ['proxy'])).toEqual([]);
    const service = find(manifests, 'Service', 'web');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8443, protocol: 'TCP', targetPort: 'proxy-http' }]);
    const podLabels = kind === 'Pod' ? manifest.metadata.labels : (kind === 'CronJob' ? manifest.spec.jobTemplate.spec.template.metadata.labels : manifest.spec.template.metadata.labels);
    for (const [k, v] of Object.entries(service.spec.selector)) expect(podLabels[k]).toBe(v);
  });
});

describe('withProxy', () => {
  test('puts the configuration in a ConfigMap mounted read-only, with a checksum that rolls the pods', () => {
    const render = (timeout: number) => {
      const { app, chart } = newApp();
      const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
      withProxy(web, { requestTimeout: Duration.seconds(timeout) });
      const { manifests } = synth(app);
      return find(manifests, 'Deployment').spec.template.metadata.annotations['cdk8s-sidecars/proxy-config-sha256'];
    };
    expect(render(60)).toMatch(/^[0-9a-f]{64}$/);
    expect(render(60)).toBe(render(60));
    expect(render(61)).not.toBe(render(60));
  });

  test('nginx writes only to its emptyDir at /tmp; the root filesystem stays read-only', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const proxy = withProxy(web, { engine: ProxyEngine.NGINX });
    const { manifests } = synth(app);
    const spec = podSpecOf(find(manifests, 'Deployment'));
    const container = proxyOf(find(manifests, 'Deployment'));
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsUser: 101, runAsGroup: 101 });
    expect(container.command).toEqual(['nginx']);
    expect(container.args).toEqual(['-c', '/etc/proxy/config/nginx.conf', '-e', 'stderr', '-g', 'daemon off;']);
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(spec.volumes.find((v: any) => v.name === tmp.name).emptyDir).toEqual({ sizeLimit: '64Mi' });
    // The app does not get the proxy's temp folder.
    expect(spec.containers[0].volumeMounts ?? []).toEqual([]);
    for (const line of proxy.config.split('\n').filter((l) => /_path|^pid/.test(l.trim()))) {
      expect(line).toMatch(/"\/tmp\//);
    }
    expect(proxy.config).not.toMatch(/^\s*user\s/m);
  });

  test('targets the app\'s only port by default, and a given one among several', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(withProxy(web).targetPort).toBe(8080);
    const api = new kplus.Deployment(chart, 'api', {
      containers: [{ ...APP, portNumber: undefined, ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }],
    });
    expect(withProxy(api, { targetPort: 8080 }).targetPort).toBe(8080);
  });

  test('sizes Envoy\'s threads and nginx\'s workers by the CPU limit', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const envoy = withProxy(web, { resources: { cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(2500) } } });
    expect(envoy.container.args).toEqual(expect.arrayContaining(['--concurrency', '3']));
    const api = new kplus.Deployment(chart, 'api', { containers: [APP] });
    expect(withProxy(api, { engine: ProxyEngine.NGINX }).config).toContain('worker_processes 1;');
  });

  test('a port below 1024 with the opt-in adds only NET_BIND_SERVICE', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withProxy(web, { port: 443, allowPrivilegedPort: true });
    const { manifests } = synth(app);
    const container = proxyOf(find(manifests, 'Deployment'));
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(restrictedProblems(podSpecOf(find(manifests, 'Deployment')), ['proxy'])).toEqual([]);
  });

  test('in classic mode the proxy is a regular container, kept out of the Deployment\'s own Service', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withProxy(web, { mode: SidecarMode.CLASSIC });
    web.exposeViaService({ name: 'direct' });
    const { manifests } = synth(app);
    const spec = podSpecOf(find(manifests, 'Deployment'));
    expect(spec.containers.map((c: any) => c.name)).toEqual(['app', 'proxy']);
    expect(find(manifests, 'Service', 'direct').spec.ports.map((p: any) => p.port)).toEqual([8080]);
  });

  test('follows setDefaultSidecarMode', () => {
    const app = new App({ outdir: newApp().outdir });
    setDefaultSidecarMode(app, SidecarMode.CLASSIC);
    const chart = new Chart(app, 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(withProxy(web).mode).toBe(SidecarMode.CLASSIC);
  });

  test('two app containers: the proxy forwards to the one whose port it is given', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP, { name: 'admin', image: 'ghcr.io/acme/admin:1.0.0', portNumber: 9000 }] });
    const proxy = withProxy(web, { engine: ProxyEngine.NGINX, targetPort: 9000 });
    synth(app);
    expect(proxy.config).toContain('proxy_pass http://127.0.0.1:9000;');
  });

  test('beside withSidecar and a second proxy of another name', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.28.0', ports: [{ number: 9102, name: 'metrics' }] });
    withProxy(web, { port: 8443 });
    withProxy(web, { name: 'internal', port: 8444, adminPort: 9902, engine: ProxyEngine.ENVOY, portName: 'internal-http' });
    const { manifests } = synth(app);
    const spec = podSpecOf(find(manifests, 'Deployment'));
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['proxy', 'internal', 'exporter']);
    expect(restrictedProblems(spec, ['proxy', 'internal', 'exporter'])).toEqual([]);
  });
});

describe('Service wiring', () => {
  test('exposeViaService: a Service on another port that targets the proxy\'s named port', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const secret = new kplus.TlsSecret(chart, 'tls', { tlsCert: 'c', tlsKey: 'k' });
    const proxy = withProxy(web, { tls: { secret } });
    const service = proxy.exposeViaService({ name: 'web', port: 443, serviceType: kplus.ServiceType.LOAD_BALANCER });
    expect(service).toBeInstanceOf(kplus.Service);
    const { manifests } = synth(app);
    const manifest = find(manifests, 'Service', 'web');
    expect(manifest.spec.type).toBe('LoadBalancer');
    expect(manifest.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'proxy-https' }]);
    expect(manifest.spec.ports.map((p: any) => p.targetPort)).not.toContain(8080);
  });

  test('retargetService: a Service the user already has now reaches the proxy, same name and port', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ ...APP, portNumber: undefined, ports: [{ number: 8080, name: 'http' }] }] });
    const existing = web.exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 8080, name: 'http' }] });
    withProxy(web, { port: 8443 }).retargetService(existing);
    const { manifests } = synth(app);
    expect(find(manifests, 'Service', 'web').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'proxy-http' }]);
  });

  test('fails when retargetService gets a Service that does not target the app\'s port', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const other = new kplus.Service(chart, 'other', { ports: [{ port: 80, targetPort: 3000 }] });
    expect(() => withProxy(web).retargetService(other)).toThrow(
      'Deployment "test/web", withProxy: Service "test/other" has no port that targets the app\'s port 8080 (its target ports: 3000); use proxy.exposeViaService() for a new Service');
  });

  test('two Services from one proxy', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const proxy = withProxy(web);
    proxy.exposeViaService({ name: 'a' });
    proxy.exposeViaService({ name: 'b', port: 80 });
    const { manifests } = synth(app);
    expect(find(manifests, 'Service', 'b').spec.ports[0]).toMatchObject({ port: 80, targetPort: 'proxy-http' });
  });
});

describe('bad input', () => {
  const web = () => {
    const { app, chart } = newApp();
    return { app, chart, web: new kplus.Deployment(chart, 'web', { containers: [APP] }) };
  };

  test('fails when the proxy port is the app\'s port', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { port: 8080 })).toThrow(
      'Deployment "test/web", withProxy: port 8080 is the app\'s own port (the target port); the proxy must listen on another port: pass port (for example 8081)');
  });

  test('fails at synthesis when the proxy port is another container\'s port', () => {
    const { app, chart } = newApp();
    const w = new kplus.Deployment(chart, 'web', { containers: [APP, { name: 'side', image: 'ghcr.io/acme/side:1.0.0', ports: [{ number: 9000, name: 'side' }] }] });
    withProxy(w, { port: 9000, targetPort: 8080 });
    expect(synthFails(app)).toContain('[test/web] port 9000/TCP: container "proxy" (withProxy (Envoy), native sidecar) [containerPort "proxy-http"] '
      + 'and container "side" [containerPort "side"] both listen on it, and the containers of a pod share one network namespace; pass another port to withProxy');
  });

  test('fails at synthesis when the proxy port is a port in the ledger', () => {
    const { app, web: w } = web();
    withSidecar(w, { name: 'statsd', image: 'quay.io/prometheus/statsd-exporter:v0.28.0', boundPorts: [{ number: 9125, purpose: 'statsd' }] });
    withProxy(w, { port: 9125 });
    expect(synthFails(app)).toContain('[test/web] port 9125/TCP: container "proxy" (withProxy (Envoy), native sidecar) [containerPort "proxy-http"] '
      + 'and container "statsd" (withSidecar, native sidecar) [statsd, bound on 0.0.0.0, not declared] both listen on it');
  });

  test('fails when the proxy port is the Envoy admin port', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { port: 9901 })).toThrow('Deployment "test/web", withProxy: port 9901 is also the Envoy admin port; pass another port or adminPort');
  });

  test('fails at synthesis when the Envoy admin port is the app\'s port', () => {
    const { app, web: w } = web();
    withProxy(w, { adminPort: 8080 });
    expect(synthFails(app)).toContain('[test/web] port 8080/TCP: container "proxy" (withProxy (Envoy), native sidecar) [Envoy admin, bound on 127.0.0.1, not declared] '
      + 'and container "app" [containerPort] both listen on it, and the containers of a pod share one network namespace; pass another adminPort to withProxy');
  });

  test('fails when adminPort is given for nginx', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { engine: ProxyEngine.NGINX, adminPort: 9901 })).toThrow(
      'withProxy: adminPort is for Envoy\'s admin interface; nginx has none: remove adminPort, or use engine: ProxyEngine.ENVOY');
  });

  test('fails when a container added later takes the proxy port (at synthesis, no file written)', () => {
    const { app, web: w } = web();
    withProxy(w, { port: 8443 });
    w.addContainer({ name: 'late', image: 'ghcr.io/acme/late:1.0.0', portNumber: 8443 });
    const message = synthFails(app);
    expect(message).toContain('port 8443/TCP: container "proxy" (withProxy (Envoy), native sidecar) [containerPort "proxy-http"] and container "late" [containerPort] both listen on it');
    expect(message).toContain('pass another port to withProxy');
  });

  test('fails when the target port is not declared by the app', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { targetPort: 3000 })).toThrow(
      'Deployment "test/web", withProxy: targetPort 3000 is not a TCP port of the app (it declares 8080 of container "app"); pass one of those, or declare the port on the app container (portNumber or ports)');
  });

  test('fails when the app declares no port', () => {
    const { chart } = newApp();
    const w = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2' }] });
    expect(() => withProxy(w)).toThrow(
      'Deployment "test/web", withProxy: the app containers ("app") declare no TCP port, so the proxy does not know where to forward; declare the app\'s port on its container (portNumber or ports), or pass targetPort');
  });

  test('fails when the app declares several ports and no targetPort is given', () => {
    const { chart } = newApp();
    const w = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }] });
    expect(() => withProxy(w)).toThrow(
      'Deployment "test/web", withProxy: the app declares several ports (8080 ("http") of container "app", 9090 ("metrics") of container "app"); pass targetPort to say which one the proxy forwards to');
  });

  test('fails when the pod has no app container yet', () => {
    const { chart } = newApp();
    const pod = new kplus.Pod(chart, 'bare');
    expect(() => withProxy(pod)).toThrow('Pod "test/bare", withProxy: the pod has no app container yet; add the app container (with its port) before attaching the proxy');
  });

  test('fails when the TLS Secret is not of the TLS type', () => {
    const { chart, web: w } = web();
    const opaque = new kplus.Secret(chart, 'opaque', { stringData: { 'tls.crt': 'c', 'tls.key': 'k' } });
    expect(() => withProxy(w, { tls: { secret: opaque } })).toThrow(
      `Deployment "test/web", withProxy: tls.secret "${opaque.name}" is of type "Opaque", not "kubernetes.io/tls"; create it with new kplus.TlsSecret(…) (keys tls.crt and tls.key), or pass kplus.Secret.fromSecretName(…) for one made elsewhere`);
    const basic = new kplus.BasicAuthSecret(chart, 'basic', { username: 'u', password: 'p' });
    expect(() => withProxy(w, { tls: { secret: basic } })).toThrow('is of type "kubernetes.io/basic-auth", not "kubernetes.io/tls"');
  });

  test('takes an imported Secret on trust, and one of type kubernetes.io/tls made with kplus.Secret', () => {
    const { chart, web: w } = web();
    expect(() => withProxy(w, { tls: { secret: kplus.Secret.fromSecretName(chart, 'imported', 'web-tls') } })).not.toThrow();
    const { chart: c2, web: w2 } = web();
    const typed = new kplus.Secret(c2, 'typed', { type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } });
    expect(() => withProxy(w2, { tls: { secret: typed } })).not.toThrow();
  });

  test('fails when the port is below 1024 without the opt-in', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { port: 443 })).toThrow(
      'Deployment "test/web", withProxy: port 443 is below 1024, which a non-root proxy cannot bind; pass a port of 1024 or more (a Service can still listen on 443: see exposeViaService), or pass allowPrivilegedPort: true to add NET_BIND_SERVICE');
  });

  test('fails when the port is out of range', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { port: 70000 })).toThrow('Deployment "test/web", withProxy: port 70000 must be an integer from 1 to 65535');
  });

  test('fails when the health path could inject configuration', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { engine: ProxyEngine.NGINX, healthPath: '/x"; } server { listen 1;' })).toThrow(
      'Deployment "test/web", withProxy: healthPath "/x\\"; } server { listen 1;" is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/" (for example "/proxy-healthz")');
    expect(() => withProxy(w, { healthPath: 'healthz' })).toThrow('is not a plain absolute path');
  });

  test.each([['Envoy', ProxyEngine.ENVOY], ['nginx', ProxyEngine.NGINX]])('fails when the health path is "/" (%s), which would take over the app\'s root page', (_n, engine) => {
    const { app, web: w } = web();
    expect(() => withProxy(w, { engine, healthPath: '/' })).toThrow(
      'Deployment "test/web", withProxy: healthPath "/" is the app\'s root page: the proxy would answer every request for "/" itself with "ok" '
      + 'and the app would never see one; give a path of the proxy\'s own (for example "/proxy-healthz")');
    // Nothing was added.
    expect(podSpecOf(find(synth(app).manifests, 'Deployment')).initContainers ?? []).toEqual([]);
  });

  test('fails when trustedProxyHops is NaN', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { trustedProxyHops: Number.NaN })).toThrow('Deployment "test/web", withProxy: option trustedProxyHops must be a number (got the number NaN)');
  });

  test.each([-1, 1.5, 2 ** 32])('fails when trustedProxyHops is %p', (hops) => {
    const { web: w } = web();
    expect(() => withProxy(w, { trustedProxyHops: hops })).toThrow(
      `Deployment "test/web", withProxy: trustedProxyHops ${hops} must be a whole number of proxies, 0 or more; `
      + 'give 0 when clients reach the proxy directly, 1 behind one ingress controller or load balancer');
  });

  test('fails when trustedProxyHops is more than 1 with nginx', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { engine: ProxyEngine.NGINX, trustedProxyHops: 2 })).toThrow(
      'Deployment "test/web", withProxy: trustedProxyHops 2 with nginx: nginx trusts X-Forwarded-For by the address of each hop (set_real_ip_from), not by a count, '
      + 'so it can take the client only from the last hop; pass trustedProxyHops: 1 or 0, or use engine: ProxyEngine.ENVOY (xff_num_trusted_hops)');
    expect(withProxy(w, { engine: ProxyEngine.NGINX, trustedProxyHops: 1 }).config).toContain('real_ip_recursive off;');
  });

  test('fails when a timeout is zero', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { requestTimeout: Duration.seconds(0) })).toThrow(
      'Deployment "test/web", withProxy: requestTimeout 0 seconds must be at least 1 millisecond; give a longer duration (for long-lived streams, for example Duration.hours(1))');
  });

  test('fails when a timeout is longer than a protobuf Duration holds', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { idleTimeout: Duration.days(20_000 * 365) })).toThrow(
      'Deployment "test/web", withProxy: idleTimeout 7300000 days is longer than the 10,000 years (315,576,000,000 s) a protobuf Duration holds');
  });

  test('fails when the body limit does not fit Envoy\'s buffer filter', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { maxRequestBodySize: Size.gibibytes(4) })).toThrow(
      'Deployment "test/web", withProxy: maxRequestBodySize 4194304KiB must be more than 0 and less than 4GiB; leave it unset for no limit');
  });

  test('fails when the port name is not an IANA service name', () => {
    const { web: w } = web();
    expect(() => withProxy(w, { portName: 'Proxy_HTTPS' })).toThrow(
      'Deployment "test/web", withProxy: portName "Proxy_HTTPS" is not an IANA service name: it may hold only lowercase letters, digits and "-"');
  });

  test('fails when withProxy is called twice with one name', () => {
    const { web: w } = web();
    withProxy(w);
    expect(() => withProxy(w, { port: 9443 })).toThrow(
      'Deployment "test/web", withProxy: the workload already has a sidecar named "proxy"; give the second one another name');
  });

  test('fails when the proxy name is taken by an app container', () => {
    const { chart } = newApp();
    const w = new kplus.Deployment(chart, 'web', { containers: [APP, { name: 'proxy', image: 'ghcr.io/acme/p:1.0.0' }] });
    expect(() => withProxy(w)).toThrow('Deployment "test/web", withProxy: the workload already has a container named "proxy"; give the sidecar another name');
  });
});
