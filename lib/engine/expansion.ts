/**
 * Kubernetes expands `$(NAME)` in a container's `command`, `args` and env `value` from the
 * container's env, and turns `$$` into `$`; any other `$` stays. So a literal value (a regular
 * expression ending in `$`, say) passes through unchanged only with every `$` doubled.
 * @see https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
 */
export function literalForKubernetes(value: string): string {
  return value.replace(/\$/g, '$$$$');
}
