import { describeContainer, PodView } from './pod-view';
import { quote } from './syntax';

/**
 * Flags and environment variables a program's container must never carry (git-sync's `--git`
 * and `--password`), checked over the pod as it stands at synth: the user may have edited the
 * container through the handle the helper returned (`sync.container.env.addVariable(…)`).
 * An `envFrom` source could carry any of them unseen, so it is refused on such containers too.
 */
export function checkForbiddenSettings(pod: PodView): string[] {
  const problems: string[] = [];
  for (const record of pod.forbidden) {
    const view = pod.containers.find((c) => c.name === record.container);
    if (!view) continue;
    const who = describeContainer(view);
    const args = [...(view.spec.command ?? []), ...(view.spec.args ?? [])].map(String);
    const env = { names: (view.spec.env ?? []).map((e) => e?.name), fromSources: (view.spec.envFrom ?? []).length > 0 };
    for (const setting of record.settings) {
      if (setting.flag !== undefined) {
        const bare = setting.flag.replace(/^-+/, '');
        const found = args.find((a) => a === `--${bare}` || a === `-${bare}` || a.startsWith(`--${bare}=`) || a.startsWith(`-${bare}=`));
        if (found !== undefined) {
          problems.push(`${who} is given the flag "--${bare}": ${setting.reason}; remove it`);
        }
      }
      if (setting.env !== undefined && env.names.includes(setting.env)) {
        problems.push(`${who} has the environment variable ${quote(setting.env)}: ${setting.reason}; remove it`);
      }
    }
    if (env.fromSources && record.settings.some((s) => s.env !== undefined)) {
      problems.push(`${who} reads environment variables from a ConfigMap or Secret (envFrom), which could set `
        + `${record.settings.filter((s) => s.env !== undefined).map((s) => s.env).join(', ')} unseen; remove the envFrom source`);
    }
  }
  return problems;
}
