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

  test('terminates TLS with the files of the Secret mounted read-only, read by file-based SDS that watches the Secret\'s folder', () => {
    const { bootstrap, container, spec, manifests } = synthEnvoy({}, true);
    const socket = bootstrap.static_resources.listeners[0].filter_chains[0].transport_socket;
    const tls = socket.typed_config.common_tls_context;
    const mount = container.volumeMounts.find((m: any) => m.name === 'proxy-tls');
    const configMount = container.volumeMounts.find((m: any) => m.name === 'proxy-config');
    expect(mount.readOnly).toBe(true);
    expect(spec.volumes.find((v: any) => v.name === 'proxy-tls').secret).toBeDefined();
    // Certificates given in the bootstrap are never read again: none there.
    expect(tls.tls_certificates).toBeUndefined();
    expect(tls.tls_certificate_sds_secret_configs).toEqual([{
      name: 'proxy-tls',
      sds_config: {
        path_config_source: { path: `${configMount.mountPath}/tls-certificate.yaml`, watched_directory: { path: configMount.mountPath } },
        resource_api_version: 'V3',
      },
    }]);
    // The SDS file is in the same ConfigMap, mounted where the bootstrap looks for it.
    const sds = parse(find(manifests, 'ConfigMap', 'proxy-config').data['tls-certificate.yaml']);
    expect(sds).toEqual({
      resources: [{
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
        'name': 'proxy-tls',
        'tls_certificate': {
          certificate_chain: { filename: `${mount.mountPath}/tls.crt` },
          private_key: { filename: `${mount.mountPath}/tls.key` },
          // The folder where the kubelet moves the new ..data symlink in on renewal.
          watched_directory: { path: mount.mountPath },
        },
      }],
    });
    expect(tls.alpn_protocols).toEqual(['h2', 'http/1.1']);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/proxy-healthz', port: 8443, scheme: 'HTTPS' });
  });

  test('speaks HTTP/2 to a gRPC app and HTTP/1.1 otherwise', () => {
    const options = (b: any) => b.static_resources.clusters[0].typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    expect(options(synthEnvoy({ upstreamProtocol: UpstreamProtocol.GRPC }).bootstrap).explicit_http_config).toEqual({
      http2_protocol_options: { initial_stream_window_size: 65536, initial_connection_window_size: 1048576 },
    });
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
    expect(defaults.access_log).toEqual([expect.objectContaining({
      name: 'envoy.access_loggers.stdout',
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog' },
    })]);
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

describe('Envoy in production', () => {
  test('WebSocket upgrades get a filter chain of the router alone: the body limit\'s buffer filter never holds an upgrade', () => {
    const hcm = hcmOf(synthEnvoy({ maxRequestBodySize: Size.mebibytes(1) }).bootstrap);
    expect(hcm.http_filters.map((f: any) => f.name)).toEqual(['envoy.filters.http.buffer', 'envoy.filters.http.router']);
    expect(hcm.upgrade_configs).toEqual([{ upgrade_type: 'websocket', filters: [hcm.http_filters[1]] }]);
    expect(JSON.stringify(hcm.upgrade_configs)).not.toContain('buffer');
    // Without a body limit too: upgrades never take the HTTP chain.
    const plain = hcmOf(synthEnvoy().bootstrap);
    expect(plain.upgrade_configs[0].filters.map((f: any) => f.name)).toEqual(['envoy.filters.http.router']);
  });

  test('does not log the probes: the access log skips requests for the health path, with or without a query', () => {
    const hcm = hcmOf(synthEnvoy({ healthPath: '/-/ready' }).bootstrap);
    expect(hcm.access_log[0].filter).toEqual({
      and_filter: {
        filters: [
          { header_filter: { header: { name: ':path', string_match: { exact: '/-/ready' }, invert_match: true } } },
          { header_filter: { header: { name: ':path', string_match: { prefix: '/-/ready?' }, invert_match: true } } },
        ],
      },
    });
    // The health route matches the same requests: the path without its query.
    expect(hcm.route_config.virtual_hosts[0].routes[0].match).toEqual({ path: '/-/ready' });
  });

  test('sheds load before the memory limit: fixed_heap at 80% of it, shrink at 0.95, stop accepting requests at 0.98, a connection limit', () => {
    const { bootstrap } = synthEnvoy();
    expect(bootstrap.overload_manager).toEqual({
      refresh_interval: '0.25s',
      resource_monitors: [
        {
          name: 'envoy.resource_monitors.fixed_heap',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig',
            'max_heap_size_bytes': Math.floor(256 * 1024 * 1024 * 0.8),
          },
        },
        {
          name: 'envoy.resource_monitors.global_downstream_max_connections',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
            'max_active_downstream_connections': 8192, // 256 MiB / 32 KiB
          },
        },
      ],
      actions: [
        { name: 'envoy.overload_actions.shrink_heap', triggers: [{ name: 'envoy.resource_monitors.fixed_heap', threshold: { value: 0.95 } }] },
        { name: 'envoy.overload_actions.stop_accepting_requests', triggers: [{ name: 'envoy.resource_monitors.fixed_heap', threshold: { value: 0.98 } }] },
      ],
    });
  });

  test('sizes the heap by the memory limit given; a memory request alone keeps the default limit (256Mi), and the heap with it', () => {
    const monitors = (memory: kplus.ContainerResources['memory']) =>
      synthEnvoy({ resources: { memory } }).bootstrap.overload_manager.resource_monitors.map((m: any) => m.typed_config);
    const [heap, connections] = monitors({ request: Size.mebibytes(128), limit: Size.gibibytes(1) });
    expect(heap.max_heap_size_bytes).toBe(858993459); // floor(0.8 GiB)
    expect(connections.max_active_downstream_connections).toBe(32768);
    expect(monitors({ request: Size.mebibytes(128) })[0].max_heap_size_bytes).toBe(214748364); // floor(0.8 × 256Mi)
  });

  test('limits HTTP/2 clients to Envoy\'s edge values, and each connection\'s buffers to 32 KiB both ways', () => {
    const { bootstrap } = synthEnvoy();
    expect(hcmOf(bootstrap).http2_protocol_options).toEqual({
      max_concurrent_streams: 100, initial_stream_window_size: 65536, initial_connection_window_size: 1048576,
    });
    expect(bootstrap.static_resources.listeners[0].per_connection_buffer_limit_bytes).toBe(32768);
    expect(bootstrap.static_resources.clusters[0].per_connection_buffer_limit_bytes).toBe(32768);
  });

  test('trusts no X-Forwarded-* by default; trustedProxyHops sets xff_num_trusted_hops', () => {
    const defaults = hcmOf(synthEnvoy().bootstrap);
    expect(defaults.use_remote_address).toBe(true);
    expect(defaults.xff_num_trusted_hops).toBeUndefined();
    const behindIngress = hcmOf(synthEnvoy({ trustedProxyHops: 1 }).bootstrap);
    expect(behindIngress.use_remote_address).toBe(true);
    expect(behindIngress.xff_num_trusted_hops).toBe(1);
    expect(hcmOf(synthEnvoy({ trustedProxyHops: 2 }).bootstrap).xff_num_trusted_hops).toBe(2);
  });

  test('writes no file: no emptyDir, the root filesystem read-only', () => {
    const { container, spec } = synthEnvoy({}, true);
    expect(container.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/etc/proxy/config', '/etc/proxy/tls']);
    expect(spec.volumes.filter((v: any) => v.emptyDir)).toEqual([]);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
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
