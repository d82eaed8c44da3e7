import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { fluentBitProblems, vectorProblems } from './engine-schemas';
import { pathProblems, shipped } from './helpers';
import { LogBuffer, LogMetadata, LogMultiline, LogOutput, LogParser, LogShipperEngine, TlsCa, withLogShipper, withSidecar } from '../../lib';
import { newApp, synth } from '../util/synth';

function web(chart: any) {
  return new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }] });
}
const PREFIX = 'Deployment "test/web", withLogShipper: ';

function attach(options: any, setup?: (d: kplus.Deployment, chart: any) => void): () => unknown {
  const { chart } = newApp();
  const d = web(chart);
  setup?.(d, chart);
  return () => withLogShipper(d, options);
}

describe('bad input is refused at the call', () => {
  const secret = () => kplus.Secret.fromSecretName(newApp().chart, 's', 'creds');

  test('fails when logPath is relative', () => {
    expect(attach({ logPath: 'var/log/app' })).toThrow(`${PREFIX}logPath "var/log/app" must be an absolute path (starting with "/"); give the absolute folder the app writes its log files into, for example "/var/log/app"`);
  });

  test('fails when logPath is the root', () => {
    expect(attach({ logPath: '/' })).toThrow(`${PREFIX}logPath "/" is the root of the container`);
  });

  test('fails when logPath is where the shipper keeps its own files', () => {
    expect(attach({ logPath: '/var/lib/log-shipper/x' })).toThrow(`${PREFIX}logPath "/var/lib/log-shipper/x" overlaps "/var/lib/log-shipper", where the shipper keeps its own files`);
  });

  test('fails when logPath holds a glob or quoting character', () => {
    expect(attach({ logPath: '/var/log/*' })).toThrow(`${PREFIX}logPath "/var/log/*" holds a space, glob or quoting character`);
  });

  test('fails when the app already mounts another volume at logPath', () => {
    expect(attach({ logPath: '/data/logs/' }, (d, chart) => {
      d.containers[0].mount('/data/logs', kplus.Volume.fromEmptyDir(chart, 'v', 'app-data'));
    })).toThrow(`${PREFIX}logPath "/data/logs": container "app" already mounts volume "app-data" at "/data/logs"; give another logPath, or move the app's volume`);
  });

  test('fails when include leaves the folder or uses syntax the engines read differently', () => {
    expect(attach({ logPath: '/var/log/app', include: '../*.log' })).toThrow(`${PREFIX}include "../*.log" is not a glob relative to logPath`);
    expect(attach({ logPath: '/var/log/app', include: '**/*.log' })).toThrow('include "**/*.log" is not a glob relative to logPath');
    expect(attach({ logPath: '/var/log/app', include: '*.log,*.txt' })).toThrow('include "*.log,*.txt" is not a glob relative to logPath');
  });

  test('fails when an output URL does not parse', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'loki monitoring 3100' })] }))
      .toThrow(`${PREFIX}outputs[0] (loki): url "loki monitoring 3100" does not parse as a URL; give an absolute URL such as "http://loki.monitoring:3100"`);
  });

  test('fails when an output URL has an unsupported scheme', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.stdout(), LogOutput.elasticsearch({ url: 'ftp://es:9200' })] }))
      .toThrow(`${PREFIX}outputs[1] (elasticsearch): url "ftp://es:9200" has the scheme "ftp"; the shipper speaks http and https only`);
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'loki:3100' })] }))
      .toThrow('url "loki:3100" has the scheme "loki"; the shipper speaks http and https only');
  });

  test('fails when an output URL holds credentials', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'https://user:pw@logs.example.com' })] }))
      .toThrow('url "https://user:pw@logs.example.com" holds credentials, which would be written into a ConfigMap; remove them and pass username/password as kplus.SecretValue');
  });

  test('fails when a Loki URL has a query string', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://loki:3100/?x=1' })] })).toThrow('has a query string; remove it');
  });

  test('fails when a CA is given for an http URL', () => {
    const { chart } = newApp();
    const ca = TlsCa.fromConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'ca'), 'ca.crt');
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://loki:3100', ca })] }))
      .toThrow('outputs[0] (loki): a ca is given but the URL "http://loki:3100" is not https; use an https URL, or drop the ca');
  });

  test('fails when username comes without password', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.elasticsearch({ url: 'https://es:9200', username: { secret: secret(), key: 'u' } })] }))
      .toThrow('outputs[0] (elasticsearch): give username and password together (basic auth needs both)');
  });

  test('fails when basic auth and a bearer token are both given', () => {
    const s = secret();
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'https://l', username: { secret: s, key: 'u' }, password: { secret: s, key: 'p' }, bearerToken: { secret: s, key: 't' } })] }))
      .toThrow('give either username/password or bearerToken, not both');
  });

  test('fails when a password is a plain string', () => {
    expect(() => LogOutput.loki({ url: 'https://l', username: 'admin', password: 'hunter2' as any }))
      .toThrow('LogOutput.loki: option password must be a SecretValue { secret, key } (got a plain string); a credential written in the manifest');
  });

  test('fails when a password is a plain string, reported before "give both"', () => {
    expect(() => LogOutput.http({ url: 'https://l', password: 'hunter2' as any })).toThrow('LogOutput.http: option password must be a SecretValue');
  });

  test('fails when a plain user name holds ":"', () => {
    const { chart } = newApp();
    const creds = kplus.Secret.fromSecretName(chart, 's', 'creds');
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.elasticsearch({ url: 'https://es', username: 'a:b', password: { secret: creds, key: 'p' } })] }))
      .toThrow('outputs[0] (elasticsearch) username "a:b" must be 1 to 253 letters, digits and _ . @ + - (no ":", which ends a basic-auth user name); or pass it from a Secret as { secret, key }');
  });

  test('fails when a raw block holds a literal credential', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.raw({ fluentBit: { name: 'datadog', apikey: 'abc123' } })] }))
      .toThrow('outputs[0] (raw): "apikey" looks like a credential written in the block, which would land in the ConfigMap; pass it in secrets and write ${NAME} instead');
    expect(attach({ logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, outputs: [LogOutput.raw({ vector: { type: 'http', uri: 'https://x', auth: { strategy: 'bearer', token: 'abc' } } })] }))
      .toThrow('"auth.token" looks like a credential written in the block, which would land in the ConfigMap; pass it in secrets and write SECRET[credentials.NAME] instead');
  });

  test('fails when a raw output has no block for the engine', () => {
    expect(attach({ logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, outputs: [LogOutput.raw({ fluentBit: { name: 'null' } })] }))
      .toThrow('outputs[0] (raw): no vector block for the Vector engine; add one to LogOutput.raw, or use the engine it was written for');
  });

  test('fails when a raw Vector block sets inputs', () => {
    expect(attach({ logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, outputs: [LogOutput.raw({ vector: { type: 'blackhole', inputs: ['x'] } })] }))
      .toThrow('the Vector block sets "inputs"; remove it');
  });

  test('fails when outputs is empty', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [] })).toThrow(`${PREFIX}outputs is empty`);
  });

  test('fails when two s3 outputs of Fluent Bit use different keys', () => {
    const s = secret();
    const keys = (p: string) => ({ accessKeyId: { secret: s, key: `${p}-id` }, secretAccessKey: { secret: s, key: `${p}-key` } });
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.s3({ bucket: 'aaa', region: 'eu-west-1', ...keys('a') }), LogOutput.s3({ bucket: 'bbb', region: 'eu-west-1', ...keys('b') })] }))
      .toThrow('two s3 outputs use different access keys, but Fluent Bit reads them from the one AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment');
  });

  test('fails when an S3 bucket or region is malformed', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.s3({ bucket: 'Acme_Logs', region: 'eu-west-1' })] })).toThrow('bucket "Acme_Logs" is not an S3 bucket name');
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.s3({ bucket: 'acme', region: 'Frankfurt' })] })).toThrow('region "Frankfurt" is not an AWS region name');
  });

  test('fails when an Elasticsearch index name is invalid', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.elasticsearch({ url: 'http://es:9200', index: 'Logs*' })] })).toThrow('index "Logs*" is not an index name');
  });

  test('fails when a regex parser has no named group, or does not compile', () => {
    expect(attach({ logPath: '/var/log/app', parser: LogParser.regex('^\\S+ .*$') }))
      .toThrow(`${PREFIX}parser regex /^\\S+ .*$/ has no named group; name the parts that become fields, for example (?<level>\\w+)`);
    expect(attach({ logPath: '/var/log/app', parser: LogParser.regex('^(?<a>[') })).toThrow('parser regex /^(?<a>[/ does not compile');
  });

  test('fails when a Vector regex uses lookaround, backreferences or a single quote', () => {
    const vector = (pattern: string) => attach({ logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, parser: LogParser.regex(pattern) });
    expect(vector('^(?<a>\\w+)(?=x)')).toThrow('uses lookaround, which Vector\'s regex engine (Rust regex crate) does not support');
    expect(vector('^(?<a>\\w)\\1')).toThrow('uses a backreference');
    expect(vector("^(?<a>it's)")).toThrow('holds a single quote, which ends a VRL regex literal; write \\x27 instead');
    // Fluent Bit (Onigmo) takes them.
    expect(attach({ logPath: '/var/log/app', parser: LogParser.regex('^(?<a>\\w+)(?=x)') })).not.toThrow();
  });

  test('fails when a multiline start pattern holds ${ (Fluent Bit would substitute it)', () => {
    expect(attach({ logPath: '/var/log/app', multiline: LogMultiline.startPattern('^\\${') })).toThrow('holds "${", which Fluent Bit would read as an environment variable');
  });

  test('fails when a field name is reserved or malformed', () => {
    expect(attach({ logPath: '/var/log/app', fields: { log: 'x' } })).toThrow(`${PREFIX}field name "log" is not allowed`);
    expect(attach({ logPath: '/var/log/app', fields: { 'team-name': 'x' } })).toThrow('field name "team-name" is not allowed');
  });

  test('fails when a fixed field or label value could be read as syntax', () => {
    expect(attach({ logPath: '/var/log/app', fields: { team: 'a, b' } })).toThrow(`${PREFIX}field "team" "a, b" is not a plain value: fixed values may hold letters, digits and _ . : / @ + - (1 to 253 characters)`);
    expect(attach({ logPath: '/var/log/app', fields: { team: '${HOME}' } })).toThrow('field "team" "${HOME}" is not a plain value');
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://l:3100', labels: { env: 'prod"}' } })] }))
      .toThrow('outputs[0] (loki): label "env" "prod\\"}" is not a plain value');
  });

  test('fails when a Loki label name is invalid or the labels are empty', () => {
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://l:3100', labels: { 'app.kubernetes.io/name': 'x' } })] }))
      .toThrow('label name "app.kubernetes.io/name" is not a Loki label name');
    expect(attach({ logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://l:3100', labels: {} })] })).toThrow('labels is empty; Loki needs at least one stream label');
  });

  test('fails when a pod label key is not a label key', () => {
    expect(attach({ logPath: '/var/log/app', fields: { x: LogMetadata.podLabel('not a key') } })).toThrow('field "x": "not a key" is not a Kubernetes label key');
  });

  test('fails when a Vector disk buffer is below Vector\'s minimum', () => {
    expect(attach({ logPath: '/var/log/app', engine: LogShipperEngine.VECTOR, buffer: LogBuffer.filesystem({ maxSize: Size.mebibytes(100) }) }))
      .toThrow('but Vector\'s disk buffers hold at least 268435488 bytes (256MiB) per sink');
  });

  test('fails when the health port is out of range', () => {
    expect(attach({ logPath: '/var/log/app', healthPort: 70000 })).toThrow(`${PREFIX}healthPort 70000 must be an integer from 1 to 65535`);
  });

  test('fails when appContainers names a container the pod does not have', () => {
    expect(attach({ logPath: '/var/log/app', appContainers: ['worker'] }))
      .toThrow(`${PREFIX}appContainers names "worker", but the pod has no such container (it has "app"); add the container before attaching the log shipper`);
  });

  test('fails when the pod has no app container yet', () => {
    const { chart } = newApp();
    const d = new kplus.Deployment(chart, 'web', {});
    expect(() => withLogShipper(d, { logPath: '/var/log/app' })).toThrow(`${PREFIX}the pod has no app container yet; add the app containers before attaching the log shipper`);
  });

  test('fails when two shippers ship the same folder', () => {
    const { chart } = newApp();
    const d = web(chart);
    withLogShipper(d, { logPath: '/var/log/app' });
    expect(() => withLogShipper(d, { logPath: '/var/log/app/', name: 'second', healthPort: 2021, engine: LogShipperEngine.VECTOR }))
      .toThrow(`${PREFIX}logPath "/var/log/app": container "app" already mounts the folder of container "log-shipper" (withLogShipper (Fluent Bit)) at "/var/log/app"; give another logPath, or move the app's volume`);
  });

  test('fails when a second shipper reuses the name', () => {
    const { chart } = newApp();
    const d = web(chart);
    withLogShipper(d, { logPath: '/var/log/app' });
    expect(() => withLogShipper(d, { logPath: '/var/log/other', healthPort: 2021 }))
      .toThrow('Deployment "test/web", withLogShipper: the workload already has a sidecar named "log-shipper"; give the second one another name');
  });

  test('fails when the name is taken by another sidecar', () => {
    const { chart } = newApp();
    const d = web(chart);
    withSidecar(d, { name: 'log-shipper', image: 'busybox:1.37' });
    expect(() => withLogShipper(d, { logPath: '/var/log/app' })).toThrow('the workload already has a sidecar named "log-shipper"');
  });

  test('fails when the name is not a DNS label', () => {
    expect(attach({ logPath: '/var/log/app', name: 'Log_Shipper' })).toThrow(`${PREFIX}name "Log_Shipper" must be a DNS-1123 label`);
  });
});

describe('the checks of these tests catch what they should', () => {
  function shippedDefault(engine = LogShipperEngine.FLUENT_BIT) {
    const { app, chart } = newApp();
    withLogShipper(web(chart), { logPath: '/var/log/app', engine, outputs: [LogOutput.loki({ url: 'http://loki:3100' })] });
    const { manifests } = synth(app);
    return { manifests, s: shipped(manifests) };
  }

  test('a misspelt Fluent Bit key, an unknown plugin and a bad enum value are reported', () => {
    const { s } = shippedDefault();
    const config = structuredClone(s.config);
    config.pipeline.inputs[0].read_from_heads = 'true';
    config.pipeline.outputs[0].line_format = 'xml';
    config.pipeline.outputs.push({ name: 'lokii', match: '*' });
    config.service.http_prot = 2020;
    expect(fluentBitProblems(config)).toEqual([
      'service: unknown key "http_prot"',
      'pipeline.inputs[0] (tail): unknown key "read_from_heads"',
      'pipeline.outputs[0] (loki): "line_format" is "xml", expected one of json, key_value',
      'pipeline.outputs[1]: unknown plugin "lokii"',
    ]);
  });

  test('a misspelt Vector key, a dangling input and an unknown secret backend are reported', () => {
    const { s } = shippedDefault(LogShipperEngine.VECTOR);
    const config = structuredClone(s.config);
    config.sources.app_logs.read_form = 'beginning';
    config.sinks.loki_0.inputs = ['nope'];
    config.sinks.loki_0.labels.x = 'SECRET[vault.x]';
    expect(vectorProblems(config)).toEqual([
      'sources.app_logs (file): unknown key "read_form"',
      'sinks.loki_0: input "nope" is not a source or transform',
      'SECRET[vault.x] names no secret backend',
    ]);
  });

  test('a path outside the mounts, a read-only state and an unknown ${VAR} are reported', () => {
    const { s, manifests } = shippedDefault();
    const config = structuredClone(s.config);
    config.pipeline.inputs[0].path = '/var/log/elsewhere/*.log';
    config.pipeline.inputs[0].db = '/tmp/tail.db';
    const shipper = structuredClone(s.shipper);
    shipper.volumeMounts.find((m: any) => m.mountPath === '/var/lib/log-shipper').readOnly = true;
    const text = `${s.text}\n# \${NOT_SET}`;
    expect(pathProblems({ ...s, config, shipper, text, spec: { ...s.spec, initContainers: [shipper] } }, manifests)).toEqual([
      '${NOT_SET} is not an environment variable of the shipper',
      'log files /var/log/elsewhere/*.log: nothing mounted at /var/log/elsewhere in the shipper',
      '/tmp/tail.db: written by the shipper, but nothing is mounted there (the root filesystem is read-only)',
      '/var/lib/log-shipper/storage: written by the shipper, but /var/lib/log-shipper is mounted read-only',
    ]);
  });

  test('a Vector SECRET whose file is missing from the volume is reported', () => {
    const { s, manifests } = shippedDefault(LogShipperEngine.VECTOR);
    const text = s.text.replace('SECRET[pod_info.pod_name]', 'SECRET[pod_info.pod_nam]');
    expect(pathProblems({ ...s, text }, manifests)).toContain('SECRET[pod_info.pod_nam]: no file "pod_nam" in the volume mounted at /etc/log-shipper-pod-info');
  });
});

test('a refused call leaves the workload as it was: no construct, container or volume', () => {
  const { chart } = newApp();
  const d = web(chart);
  withLogShipper(d, { logPath: '/var/log/app' });
  const constructs = chart.node.findAll().length;
  const volumes = d.volumes.length;
  // Refused late: after the model and the ConfigMap, when the sidecar's name is taken.
  expect(() => withLogShipper(d, { logPath: '/var/log/other' })).toThrow('the workload already has a sidecar named "log-shipper"');
  expect(chart.node.findAll().length).toBe(constructs);
  expect(d.volumes.length).toBe(volumes);
  expect(d.initContainers.map((c) => c.name)).toEqual(['log-shipper']);
});
