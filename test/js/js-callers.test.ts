/**
 * JavaScript callers (no compiler): each mistake is refused at the call with the library's own
 * message naming the option and what was expected. The cases live in caller.js, a plain
 * JavaScript file, run here against lib/ and, when build/ is present and current, against the
 * compiled package as a JavaScript user loads it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as lib from '../../lib';
import { LINE } from '../util/line';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run, emitted } = require('./caller.js') as {
  run: (l: unknown, k: unknown, c: unknown) => Array<[string, string | undefined, string | undefined]>;
  emitted: (l: unknown, k: unknown, c: unknown) => Array<[string, string]>;
};

const EXPECTED: Record<string, string> = {
  'an unknown option (tsl for tls)': 'Deployment "test/web", withProxy: unknown option "tsl"; did you mean "tls"?',
  'an unknown option (output for outputs)': 'Deployment "test/web", withLogShipper: unknown option "output"; did you mean "outputs"?',
  'a name that is a number': 'Deployment "test/web", withSidecar: option name must be a string (got the number 42)',
  'a port that is a string': 'Deployment "test/web", withProxy: option port must be a number (got the string "8443")',
  'ports that is not an array': 'Deployment "test/web", withSidecar: option ports must be an array of a ContainerPort { number, hostIp?, hostPort?, name?, protocol? } (got an object)',
  'sharedVolumes that is not an array': 'Deployment "test/web", withSidecar: option sharedVolumes must be an array of a SharedVolumeOptions { name, path, readOnly?, appPath?, appReadOnly?, appContainers?, … } (got the string "logs")',
  'a plain string for an EnvValue': 'Deployment "test/web", withSidecar: option envVariables.A must be an EnvValue: EnvValue.fromConfigMap(…), '
    + 'EnvValue.fromSecretValue(…), EnvValue.fromValue(…), EnvValue.fromFieldRef(…), EnvValue.fromResource(…) or EnvValue.fromProcess(…) (got the string "b")',
  'a plain string for a SecretValue': 'GitAuth.https: option password must be a SecretValue { secret, key } (got a plain string); a credential written in the manifest is readable by anyone who can read the workload: put it in a Secret and pass { secret, key }',
  'no options object': 'Deployment "test/web", withSidecar: the options must be an object with name, image (got undefined)',
  'null options': 'Deployment "test/web", withLogShipper: the options must be an object with logPath (got null)',
  'an unknown engine': 'Deployment "test/web", withProxy: option engine must be a ProxyEngine: ProxyEngine.ENVOY or ProxyEngine.NGINX (got the string "haproxy")',
  'an unknown mode': 'Deployment "test/web", withSidecar: option mode must be SidecarMode.NATIVE or SidecarMode.CLASSIC (got the string "sidecar")',
  'no workload': `Sidecar "s": expected a workload of cdk8s-plus-${LINE.number} (a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod), or an ApiObject of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod, got undefined; pass the workload the sidecar joins`,
  'a construct without props': 'Deployment "test/web", withSidecar: the options must be an object with name, image (got undefined)',
  'an unknown key in a factory': 'LogOutput.loki: unknown option "urll"; did you mean "url"?',
  'plain response headers for SecurityHeaders': 'Deployment "test/web", withProxy: option responseHeaders must be a SecurityHeaders: SecurityHeaders.recommended(…) or SecurityHeaders.of(…) (got an object)',
  'an unknown key in SecurityHeaders.recommended': 'SecurityHeaders.recommended: unknown option "csp"; the options are frameAncestors, referrerPolicy, contentSecurityPolicy, strictTransportSecurity, includeSubDomains, additionalHeaders',
  'a string for removeRequestHeaders': 'Deployment "test/web", withProxy: option removeRequestHeaders must be an array of a string (got the string "X-Forwarded-User")',
  'faults switched on with a string': 'Deployment "test/web", withProxy: option faults.enabled must be true or false (got the string "yes")',
  'faults without the switch': 'Deployment "test/web", withProxy: option faults.enabled is missing; give true or false',
  'a rate limit as a number': 'Deployment "test/web", withProxy: option rateLimit must be a ProxyRateLimit { requestsPerSecond, burst? } (got the number 10)',
  'an internal path that is not a string': 'Deployment "test/web", withProxy: option internalPaths[0] must be a string (got the number 42)',
  'a buffer size that is not a Size': 'LogBuffer.memory: option maxSize must be a Size: Size.kibibytes(…), Size.mebibytes(…), Size.gibibytes(…), '
    + 'Size.tebibytes(…) or Size.pebibyte(…) (got the number 64)',
  'a loopback port that is a string': 'CacheListener.loopback: option port must be a number (got the string "6380")',
  'a KV version that is a string': 'SecretTemplate.kv: option version must be a number (got the string "2")',
  'an unknown key in an exporter': 'TelemetryExporter.debug: unknown option "verbose"; the options are verbosity, signals',
  'a scrape port that is a string': 'TelemetrySource.prometheus: option port must be a number (got the string "9090")',
  'a CA key that is not a string': 'TlsCa.fromSecret: key must be a string, a key of the Secret (got an object)',
  'a pod label key that is not a string': 'LogMetadata.podLabel: the label key must be a string (got an array)',
  'a self-metrics port that cannot become text': 'Deployment "test/web", withTelemetry: selfMetrics port an object must be an integer from 1 to 65535',
  '1. an image with a scheme': 'Deployment "test/web", sidecar "s": image "https://registry.example/s:1.0.0" starts with a scheme ("https://"); '
    + 'an image reference has none: give "registry.example/s:1.0.0"',
  '1. a helper image with whitespace': 'Deployment "test/web", withProxy: image "envoyproxy/envoy:v1 .0" holds whitespace or a control character; an image reference has none: remove it',
  '2. an environment variable name starting with a digit': 'Deployment "test/web", sidecar "s": environment variable "1A" may hold only letters, digits, "_", "-" and ".", '
    + 'and must not start with a digit (Kubernetes 1.28); rename it, or pass relaxedEnvNames: true to withSidecar if every cluster you apply to runs Kubernetes 1.32 or later',
  '3. a memory limit below its request': 'Deployment "test/web", sidecar "s": resources.memory.limit 128Mi is below its request 256Mi, which the API server refuses; '
    + 'raise the limit or lower the request',
  '4. a hostPort out of range': 'Deployment "test/web", sidecar "s": port 9000: hostPort 70000 must be an integer from 1 to 65535',
  '4. a health port below 1024': 'Deployment "test/web", withLogShipper: port 80 is below 1024, which the container cannot bind as a non-root user without the '
    + 'NET_BIND_SERVICE capability; give a port of 1024 or more: pass healthPort to withLogShipper',
  '5. a path with ".."': 'Deployment "test/web", withLogShipper: logPath "/var/log/../etc" must not contain ".."; give the absolute folder the app writes its log files into, '
    + 'for example "/var/log/app"',
  '7. privileged without the opt-in': 'Deployment "test/web", sidecar "s": securityContext sets privileged: true, which the Pod Security Standards "restricted" profile forbids '
    + '(namespaces that enforce it refuse the pod); remove it, or pass allowOutsideRestrictedProfile: true to withSidecar if the program really needs it',
  '8. a git host starting with "-"': 'Deployment "test/web", withConfigSync: repo "ssh://-oProxyCommand=x/repo.git" has the host "-oProxyCommand=x", '
    + 'which starts with "-" and would be read as an option (CVE-2017-1000117)',
  '8. an abbreviated commit hash as ref': 'Deployment "test/web", withConfigSync: ref "fc287bd" looks like an abbreviated commit hash, which git-sync cannot fetch '
    + '("couldn\'t find remote ref"); give the full 40-character hash (git rev-parse fc287bd), or for a branch or tag named like this, "refs/heads/fc287bd" or "refs/tags/fc287bd"',
  '10. a control character in a value': 'Deployment "test/web", withLogShipper: appContainers names "a\\nb", but the pod has no such container (it has "app"); '
    + 'add the container before attaching the log shipper',
};

/** What the classes that are emitted rather than refused put in the pod (caller.js `emitted`). */
const EMITTED: Record<string, string> = {
  '6. a repo URL holding $(HOME)': '--repo=https://git.example/$$(HOME)/c.git',
  '7. root and privileged, opted in': JSON.stringify({
    allowPrivilegeEscalation: true,
    capabilities: { drop: ['ALL'] },
    privileged: true,
    readOnlyRootFilesystem: true,
    runAsGroup: 0,
    runAsNonRoot: false,
    runAsUser: 0,
    seccompProfile: { type: 'RuntimeDefault' },
  }),
};

describe('a JavaScript caller against lib/', () => {
  const results = run(lib, kplus, cdk8s);
  test.each(results)('fails when given %s', (name, kind, message) => {
    expect(kind).toBe('Error');
    expect(message).toBe(EXPECTED[name]);
  });

  test('every case is expected', () => {
    expect(results.map(([name]) => name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test('every #16 class that refuses has a case here', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 10]) expect(results.some(([name]) => name.startsWith(`${n}. `))).toBe(true);
  });

  const values = emitted(lib, kplus, cdk8s);
  test.each(values)('emits %s as the API server and the kubelet accept it', (name, value) => {
    expect(value).toBe(EMITTED[name]);
  });

  test('every emitted case is expected', () => {
    expect(values.map(([name]) => name).sort()).toEqual(Object.keys(EMITTED).sort());
  });
});

const build = path.join(__dirname, '..', '..', 'build', 'index.js');
const fresh = fs.existsSync(build) && fs.existsSync(path.join(__dirname, '..', '..', 'build', 'engine', 'input.js'));
// build/ is the cdk8s-plus-28 entry: checked on that line's run (the line runs of -31/-32/-33 map lib/ only).
(fresh && LINE.number === 28 ? test : test.skip)('the same calls from plain JavaScript against the compiled package (build/)', () => {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'caller.js')], { encoding: 'utf8' });
  expect(out).not.toContain('FAIL');
  for (const message of Object.values(EXPECTED)) expect(out).toContain(message);
  for (const [name, value] of Object.entries(EMITTED)) expect(out).toContain(`emitted ${name}: ${value}`);
});
