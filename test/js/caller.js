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

module.exports = { run };

if (require.main === module) {
  const results = run(require('../../build'), require('cdk8s-plus-28'), require('cdk8s'));
  let bad = 0;
  for (const [name, kind, message] of results) {
    const ok = kind === 'Error' && typeof message === 'string';
    if (!ok) bad++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${kind ?? 'accepted'}: ${message ?? ''}`);
  }
  process.exit(bad === 0 ? 0 : 1);
}
