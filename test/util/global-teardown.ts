/** Jest global teardown: stops the programs the global setup started, if any. */
import { RUNNING } from './global-setup';
import { KUBE_API_ENV, RunningKubeApi } from './kube-apiserver';

export default async function globalTeardown(): Promise<void> {
  const running = (globalThis as any)[RUNNING] as RunningKubeApi | undefined;
  if (!running) return;
  delete (globalThis as any)[RUNNING];
  delete process.env[KUBE_API_ENV];
  await running.stop();
}
