/**
 * The whole-pod rule internal-paths.ts: a path a program calls on an app port from inside the
 * pod (withConfigSync's, withSecretsAgent's reload POST) must not be reachable from outside
 * through a withProxy in front of that port.
 */
import * as kplus from 'cdk8s-plus-28';
import { ConfigReload, ConfigSource, SecretTemplate, withConfigSync, withProxy, withSecretsAgent } from '../../../lib';
import { newApp, synth, synthFails } from '../../util/synth';
import { APP } from '../../workloads';

const SYNC = { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web' };
const AGENT = {
  address: 'https://vault.vault.svc:8200',
  role: 'web',
  secrets: [{ path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }), reload: ConfigReload.httpPost({ port: 8080, path: '/keys/reload' }) }],
};

function web() {
  const { app, chart } = newApp();
  return { app, web: new kplus.Deployment(chart, 'web', { containers: [APP] }) };
}

describe('internal paths', () => {
  test('a sound pod passes: withProxy after the helpers blocks the paths they registered', () => {
    const { app, web: w } = web();
    withConfigSync(w, { ...SYNC, reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }) });
    withSecretsAgent(w, AGENT);
    const proxy = withProxy(w);
    expect(() => synth(app)).not.toThrow();
    expect(proxy.internalPaths).toEqual(['/-/reload', '/keys/reload']);
  });

  test('a path below one the user blocks is covered; so is one in another letter case', () => {
    const { app, web: w } = web();
    withProxy(w, { internalPaths: ['/KEYS'] });
    withSecretsAgent(w, AGENT);
    expect(() => synth(app)).not.toThrow();
  });

  test('fails when withSecretsAgent registers its reload POST after withProxy', () => {
    const { app, web: w } = web();
    withProxy(w);
    withSecretsAgent(w, AGENT);
    expect(synthFails(app)).toBe('Validation failed with the following errors:\n  '
      + '[test/web] reload POST "/keys/reload" on the app\'s port 8080 (container "vault-agent", withSecretsAgent (Vault Agent)) is reachable from outside '
      + 'through container "proxy" (withProxy (Envoy)), which forwards every other path to that port; call withProxy after withSecretsAgent so that it blocks '
      + 'the paths registered before it, or add "/keys/reload" to its internalPaths');
  });

  test('fails when a path only begins like a blocked one ("/-/reloaded" is not below "/-/reload")', () => {
    const { app, web: w } = web();
    withProxy(w, { internalPaths: ['/-/reload'] });
    withConfigSync(w, { ...SYNC, reload: ConfigReload.httpPost({ port: 8080, path: '/-/reloaded' }) });
    expect(synthFails(app)).toContain('[test/web] reload POST "/-/reloaded" on the app\'s port 8080 (container "k8s-sidecar", withConfigSync (k8s-sidecar)) is reachable');
  });
});
