import { restrictedProblems } from './restricted';

const compliant = {
  name: 'side',
  image: 'x',
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 1000,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

describe('the restricted-profile check', () => {
  test('accepts a compliant container', () => {
    expect(restrictedProblems({ containers: [compliant] })).toEqual([]);
  });

  test.each([
    ['privilege escalation is allowed', { allowPrivilegeEscalation: true }, /allowPrivilegeEscalation/],
    ['it may run as root', { runAsNonRoot: false }, /runAsNonRoot/],
    ['it runs as UID 0', { runAsUser: 0 }, /runAsUser/],
    ['capabilities are not dropped', { capabilities: {} }, /drop must include ALL/],
    ['a capability other than NET_BIND_SERVICE is added', { capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } }, /NET_ADMIN/],
    ['seccomp is unconfined', { seccompProfile: { type: 'Unconfined' } }, /seccompProfile/],
    ['it is privileged', { privileged: true }, /privileged/],
  ])('fails when %s', (_what, change, message) => {
    const c = { ...compliant, securityContext: { ...compliant.securityContext, ...change } };
    expect(restrictedProblems({ containers: [c] }).join('\n')).toMatch(message);
  });

  test('fails when the pod uses a hostPath volume or host namespaces', () => {
    const problems = restrictedProblems({ hostNetwork: true, containers: [compliant], volumes: [{ name: 'h', hostPath: { path: '/' } }] });
    expect(problems.join('\n')).toMatch(/host namespaces/);
    expect(problems.join('\n')).toMatch(/hostPath volumes are forbidden/);
  });
});
