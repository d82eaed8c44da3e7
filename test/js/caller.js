/**
 * A JavaScript caller, with no compiler to help: every mistake here must be refused with the
 * library's own message, never a TypeError from deep inside, never a silent fallback.
 *
 * `run(lib, kplus, cdk8s)` returns [name, message] for each case. test/js/js-callers.test.ts runs
 * it against lib/ (through ts-jest); `node test/js/caller.js` runs it against the compiled
 * package in build/ (`npx tsc` first), the way a JavaScript user calls it.
 */
'use strict';

function run(lib, kplus, cdk8s) {
  const cases = [
    ['an unknown option (tsl for tls)', (web) => lib.withProxy(web, { tsl: {} })],
    ['an unknown option (output for outputs)', (web) => lib.withLogShipper(web, { logPath: '/var/log/app', output: [] })],
    ['a name that is a number', (web) => lib.withSidecar(web, { name: 42, image: 'x:1' })],
    ['a port that is a string', (web) => lib.withProxy(web, { port: '8443' })],
    ['ports that is not an array', (web) => lib.withSidecar(web, { name: 's', image: 'x:1', ports: { number: 80 } })],
    ['sharedVolumes that is not an array', (web) => lib.withSidecar(web, { name: 's', image: 'x:1', sharedVolumes: 'logs' })],
    ['a plain string for an EnvValue', (web) => lib.withSidecar(web, { name: 's', image: 'x:1', envVariables: { A: 'b' } })],
    ['a plain string for a SecretValue', () => lib.GitAuth.https({ username: 'git', password: 'hunter2' })],
    ['no options object', (web) => lib.withSidecar(web)],
    ['null options', (web) => lib.withLogShipper(web, null)],
    ['an unknown engine', (web) => lib.withProxy(web, { engine: 'haproxy' })],
    ['an unknown mode', (web) => lib.withSidecar(web, { name: 's', image: 'x:1', mode: 'sidecar' })],
    ['no workload', () => lib.withSidecar(undefined, { name: 's', image: 'x:1' })],
    ['a construct without props', (web) => new lib.Sidecar(web, 's')],
    ['an unknown key in a factory', () => lib.LogOutput.loki({ urll: 'http://loki:3100' })],
    ['plain response headers for SecurityHeaders', (web) => lib.withProxy(web, { responseHeaders: { 'X-Frame-Options': 'DENY' } })],
    ['an unknown key in SecurityHeaders.recommended', () => lib.SecurityHeaders.recommended({ csp: "default-src 'self'" })],
    ['a string for removeRequestHeaders', (web) => lib.withProxy(web, { removeRequestHeaders: 'X-Forwarded-User' })],
    ['faults switched on with a string', (web) => lib.withProxy(web, { faults: { enabled: 'yes', abort: { status: 503, percentage: 1 } } })],
    ['faults without the switch', (web) => lib.withProxy(web, { faults: { abort: { status: 503, percentage: 1 } } })],
    ['a rate limit as a number', (web) => lib.withProxy(web, { rateLimit: 10 })],
    ['an internal path that is not a string', (web) => lib.withProxy(web, { internalPaths: [42] })],
    // Every option factory checks its options at the call, before a helper reads them.
    ['a buffer size that is not a Size', () => lib.LogBuffer.memory({ maxSize: 64 })],
    ['a loopback port that is a string', () => lib.CacheListener.loopback({ port: '6380' })],
    ['a KV version that is a string', () => lib.SecretTemplate.kv({ path: 'web/api', version: '2' })],
    ['an unknown key in an exporter', () => lib.TelemetryExporter.debug({ verbose: 'detailed' })],
    ['a scrape port that is a string', () => lib.TelemetrySource.prometheus({ port: '9090' })],
    ['a CA key that is not a string', () => lib.TlsCa.fromSecret(kplus.Secret.fromSecretName(new cdk8s.App(), 'ca', 'ca'), { key: 'ca.crt' })],
    ['a pod label key that is not a string', () => lib.LogMetadata.podLabel(['app'])],
    ['a self-metrics port that cannot become text', (web) => lib.withTelemetry(web, { selfMetrics: lib.TelemetrySelfMetrics.local(Object.create(null)) })],
    // Issue #16's other classes, as a JavaScript caller meets them: the same refusals as in TypeScript.
    ['1. an image with a scheme', (web) => lib.withSidecar(web, { name: 's', image: 'https://registry.example/s:1.0.0' })],
    ['1. a helper image with whitespace', (web) => lib.withProxy(web, { image: 'envoyproxy/envoy:v1 .0' })],
    ['2. an environment variable name starting with a digit', (web) => lib.withSidecar(web, {
      name: 's', image: 'x:1', envVariables: { '1A': kplus.EnvValue.fromValue('b') },
    })],
    ['3. a memory limit below its request', (web) => lib.withSidecar(web, {
      name: 's', image: 'x:1', resources: { memory: { request: cdk8s.Size.mebibytes(256), limit: cdk8s.Size.mebibytes(128) } },
    })],
    ['4. a hostPort out of range', (web) => lib.withSidecar(web, { name: 's', image: 'x:1', ports: [{ number: 9000, hostPort: 70000 }] })],
    ['4. a health port below 1024', (web) => lib.withLogShipper(web, { logPath: '/var/log/app', healthPort: 80 })],
    ['5. a path with ".."', (web) => lib.withLogShipper(web, { logPath: '/var/log/../etc' })],
    ['7. privileged without the opt-in', (web) => lib.withSidecar(web, { name: 's', image: 'x:1', securityContext: { privileged: true } })],
    ['8. a git host starting with "-"', (web) => lib.withConfigSync(web, {
      source: lib.ConfigSource.git({ repo: 'ssh://-oProxyCommand=x/repo.git' }), mountPath: '/etc/app',
    })],
    ['8. an abbreviated commit hash as ref', (web) => lib.withConfigSync(web, {
      source: lib.ConfigSource.git({ repo: 'https://git.example/c.git', ref: 'fc287bd' }), mountPath: '/etc/app',
    })],
    ['10. a control character in a value', (web) => lib.withLogShipper(web, { logPath: '/var/log/app', appContainers: ['a\nb'] })],
  ];
  return cases.map(([name, call]) => {
    const app = new cdk8s.App({ outdir: require('os').tmpdir() });
    const chart = new cdk8s.Chart(app, 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }] });
    try {
      call(web);
      return [name, undefined, undefined];
    } catch (e) {
      return [name, e.constructor.name, e.message];
    }
  });
}

/**
 * What a JavaScript caller's values become in the manifest, for the classes that are emitted
 * rather than refused: [name, value read from the synthesized pod].
 */
function emitted(lib, kplus, cdk8s) {
  const cases = [
    // 6. $(VAR) expansion: the kubelet reads "$$" as "$", so git-sync gets the repo as written.
    ['6. a repo URL holding $(HOME)', (web) => lib.withConfigSync(web, {
      source: lib.ConfigSource.git({ repo: 'https://git.example/$(HOME)/c.git' }), mountPath: '/etc/app',
    }), (pod) => pod.initContainers[0].args[0]],
    // 7. opted in: root and privileged in the combination the API server and kubelet accept.
    ['7. root and privileged, opted in', (web) => lib.withSidecar(web, {
      name: 's', image: 'x:1', allowOutsideRestrictedProfile: true, securityContext: { user: 0, privileged: true },
    }), (pod) => JSON.stringify(pod.initContainers[0].securityContext)],
  ];
  return cases.map(([name, call, read]) => {
    const app = new cdk8s.App({ outdir: require('os').tmpdir() });
    const chart = new cdk8s.Chart(app, 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }] });
    call(web);
    const deployment = cdk8s.Testing.synth(chart).find((m) => m.kind === 'Deployment');
    return [name, read(deployment.spec.template.spec)];
  });
}

module.exports = { run, emitted };

if (require.main === module) {
  const results = run(require('../../build'), require('cdk8s-plus-28'), require('cdk8s'));
  let bad = 0;
  for (const [name, kind, message] of results) {
    const ok = kind === 'Error' && typeof message === 'string';
    if (!ok) bad++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${kind ?? 'accepted'}: ${message ?? ''}`);
  }
  for (const [name, value] of emitted(require('../../build'), require('cdk8s-plus-28'), require('cdk8s'))) {
    console.log(`emitted ${name}: ${value}`);
  }
  process.exit(bad === 0 ? 0 : 1);
}
