/**
 * withProxy with Envoy (the default engine): what its bootstrap, read back from the synthesized
 * ConfigMap, means, and the pod it runs in. Whether Envoy's v3 API accepts the bootstrap (fields,
 * required fields, `@type`s, value rules) is judged by Envoy's own protos in
 * test/real/envoy-api.test.ts (tools/envoy-validate), not here.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { UpstreamProtocol, withProxy } from '../../lib';
import { podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';

function synthEnvoy(options: Parameters<typeof withProxy>[1] = {}, tls = false) {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', {
    containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, securityContext: { user: 1000 } }],
  });
  const secret = tls ? new kplus.TlsSecret(chart, 'tls', { tlsCert: 'cert', tlsKey: 'key' }) : undefined;
  const proxy = withProxy(web, { ...options, ...(secret ? { tls: { secret } } : {}) });
  const { manifests } = synth(app);
  const spec = podSpecOf(find(manifests, 'Deployment'));
  const container = spec.initContainers.find((c: any) => c.name === 'proxy');
  const configMap = find(manifests, 'ConfigMap', 'proxy-config');
  const bootstrap = parse(configMap.data['envoy.yaml']);
  return { proxy, manifests, spec, container, bootstrap };
}

const hcmOf = (b: any) => b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;

describe('Envoy bootstrap', () => {
  const variants: Array<[string, Parameters<typeof withProxy>[1], boolean]> = [
    ['defaults', {}, false],
    ['TLS', { port: 8443 }, true],
    ['gRPC upstream', { upstreamProtocol: UpstreamProtocol.GRPC }, false],
    ['body limit, no access log, custom timeouts', {
      maxRequestBodySize: Size.mebibytes(8),
      accessLogs: false,
      connectTimeout: Duration.millis(250),
      requestTimeout: Duration.minutes(5),
      idleTimeout: Duration.seconds(30),
    }, false],
    ['everything', { port: 9443, adminPort: 15000, upstreamProtocol: UpstreamProtocol.GRPC, maxRequestBodySize: Size.kibibytes(64), healthPath: '/-/ready' }, true],
  ];

  test('the router is the last HTTP filter (Envoy refuses a terminal filter anywhere else)', () => {
    for (const [, options, tls] of variants) {
      const filters = hcmOf(synthEnvoy(options, tls).bootstrap).http_filters;
      expect(filters.at(-1).name).toBe('envoy.filters.http.router');
    }
  });

  test('listens on the declared port, forwards to the app\'s port on 127.0.0.1, admin on 127.0.0.1 only', () => {
    const { bootstrap, container } = synthEnvoy({ port: 9000, adminPort: 9911 });
    const listener = bootstrap.static_resources.listeners[0];
    expect(listener.address.socket_address).toEqual({ address: '0.0.0.0', port_value: 9000 });
    expect(container.ports).toEqual([{ containerPort: 9000, name: 'proxy-http', protocol: 'TCP' }]);
    const cluster = bootstrap.static_resources.clusters[0];
    expect(cluster.type).toBe('STATIC');
    expect(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 8080 });
    expect(hcmOf(bootstrap).route_config.virtual_hosts[0].routes[1].route.cluster).toBe(cluster.name);
    expect(bootstrap.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9911 });
    expect(container.ports.map((p: any) => p.containerPort)).not.toContain(9911);
  });

  test('answers the health path itself, before the app\'s route', () => {
    const routes = hcmOf(synthEnvoy({ healthPath: '/-/healthy' }).bootstrap).route_config.virtual_hosts[0].routes;
    expect(routes[0]).toEqual({ name: 'proxy-health', match: { path: '/-/healthy' }, direct_response: { status: 200, body: { inline_string: 'ok\n' } } });
    expect(routes[1].match).toEqual({ prefix: '/' });
  });

  test('terminates TLS with the files of the Secret mounted read-only, HTTP/2 and HTTP/1.1 by ALPN', () => {
    const { bootstrap, container, spec } = synthEnvoy({}, true);
    const socket = bootstrap.static_resources.listeners[0].filter_chains[0].transport_socket;
    const tls = socket.typed_config.common_tls_context;
    const mount = container.volumeMounts.find((m: any) => m.name === 'proxy-tls');
    expect(mount.readOnly).toBe(true);
    expect(spec.volumes.find((v: any) => v.name === 'proxy-tls').secret).toBeDefined();
    expect(tls.tls_certificates).toEqual([{
      certificate_chain: { filename: `${mount.mountPath}/tls.crt` },
      private_key: { filename: `${mount.mountPath}/tls.key` },
    }]);
    expect(tls.alpn_protocols).toEqual(['h2', 'http/1.1']);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/proxy-healthz', port: 8443, scheme: 'HTTPS' });
  });

  test('speaks HTTP/2 to a gRPC app and HTTP/1.1 otherwise', () => {
    const options = (b: any) => b.static_resources.clusters[0].typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    expect(options(synthEnvoy({ upstreamProtocol: UpstreamProtocol.GRPC }).bootstrap).explicit_http_config).toEqual({ http2_protocol_options: {} });
    expect(options(synthEnvoy().bootstrap).explicit_http_config).toEqual({ http_protocol_options: {} });
  });

  test('maps timeouts, the body limit and access logs', () => {
    const { bootstrap } = synthEnvoy({
      connectTimeout: Duration.millis(250),
      requestTimeout: Duration.minutes(5),
      idleTimeout: Duration.seconds(30),
      maxRequestBodySize: Size.mebibytes(8),
      accessLogs: false,
    });
    const hcm = hcmOf(bootstrap);
    expect(bootstrap.static_resources.clusters[0].connect_timeout).toBe('0.25s');
    expect(hcm.route_config.virtual_hosts[0].routes[1].route.timeout).toBe('300s');
    expect(hcm.stream_idle_timeout).toBe('30s');
    expect(hcm.common_http_protocol_options.idle_timeout).toBe('30s');
    expect(hcm.http_filters[0]).toEqual({
      name: 'envoy.filters.http.buffer',
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer', 'max_request_bytes': 8 * 1024 * 1024 },
    });
    expect(hcm.access_log).toBeUndefined();
    const defaults = hcmOf(synthEnvoy().bootstrap);
    expect(defaults.access_log).toEqual([{ name: 'envoy.access_loggers.stdout', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog' } }]);
    expect(defaults.http_filters.map((f: any) => f.name)).toEqual(['envoy.filters.http.router']);
  });

  test('runs /usr/local/bin/envoy directly on the mounted bootstrap, as the image\'s user 101, restricted', () => {
    const { container, spec } = synthEnvoy();
    expect(container.image).toMatch(/^docker\.io\/envoyproxy\/envoy:v1\.\d+\.\d+$/);
    expect(container.command).toEqual(['/usr/local/bin/envoy']);
    const configMount = container.volumeMounts.find((m: any) => m.name === 'proxy-config');
    expect(configMount.readOnly).toBe(true);
    expect(container.args.slice(0, 2)).toEqual(['-c', `${configMount.mountPath}/envoy.yaml`]);
    expect(container.args).toEqual(expect.arrayContaining(['--disable-hot-restart', '--concurrency', '1']));
    expect(container.restartPolicy).toBe('Always');
    expect(container.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101, readOnlyRootFilesystem: true });
    expect(restrictedProblems(spec, ['proxy'])).toEqual([]);
  });
});

describe('Envoy admin port in the pod\'s port ledger', () => {
  test('fails when an app container added later listens on the admin port', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }] });
    withProxy(web);
    web.addContainer({ name: 'metrics', image: 'ghcr.io/acme/metrics:1.0.0', portNumber: 9901 });
    const message = synthFails(app);
    expect(message).toContain('port 9901/TCP');
    expect(message).toContain('container "proxy" (withProxy (Envoy), native sidecar) [Envoy admin, bound on 127.0.0.1, not declared]');
    expect(message).toContain('container "metrics"');
    expect(message).toContain('pass another adminPort to withProxy');
  });
});
