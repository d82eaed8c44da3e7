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
const { run } = require('./caller.js') as { run: (l: unknown, k: unknown, c: unknown) => Array<[string, string | undefined, string | undefined]> };

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
});

const build = path.join(__dirname, '..', '..', 'build', 'index.js');
const fresh = fs.existsSync(build) && fs.existsSync(path.join(__dirname, '..', '..', 'build', 'engine', 'input.js'));
// build/ is the cdk8s-plus-28 entry: checked on that line's run (the line runs of -31/-32/-33 map lib/ only).
(fresh && LINE.number === 28 ? test : test.skip)('the same calls from plain JavaScript against the compiled package (build/)', () => {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'caller.js')], { encoding: 'utf8' });
  expect(out).not.toContain('FAIL');
  for (const message of Object.values(EXPECTED)) expect(out).toContain(message);
});
