/**
 * Jest global setup: starts a real kube-apiserver and etcd (test/util/kube-apiserver.ts) when the
 * run includes a suite under test/real/, and nothing otherwise.
 *
 * Whether it does: the test sequencer (test/util/real-suites-sequencer.js) sees the exact list of
 * test files jest selected, after every filter on the command line, and counts those under
 * test/real/ into CDK8S_SIDECARS_REAL_SUITES before this runs. With CDK8S_SIDECARS_FAST set (the
 * `test:fast` task) nothing starts either, whatever was selected.
 */
import { FAST_ENV, isFast, KUBE_API_ENV, RunningKubeApi, startKubeApi } from './kube-apiserver';

/** Shared with the global teardown, which runs in the same process. */
export const RUNNING = '__cdk8sSidecarsKubeApi';

export default async function globalSetup(): Promise<void> {
  const realSuites = process.env.CDK8S_SIDECARS_REAL_SUITES;
  if (isFast()) {
    console.log(`\nglobal setup: ${FAST_ENV} is set; no real API server`);
    return;
  }
  if (realSuites === '0') return; // no suite under test/real/ in this run
  const started = Date.now();
  const running: RunningKubeApi = await startKubeApi();
  (globalThis as any)[RUNNING] = running;
  process.env[KUBE_API_ENV] = running.infoFile;
  console.log(`\nglobal setup: kube-apiserver ${running.info.kubernetesVersion} (etcd ${running.info.etcdVersion}) at ${running.info.url}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
