import { javascript, typescript } from 'projen';

const project = new typescript.TypeScriptProject({
  name: 'cdk8s-sidecars',
  description: 'Typed sidecars for cdk8s-plus-28 workloads: log shippers, proxies, config sync, with whole-pod checks at synth time.',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  license: 'Apache-2.0',
  copyrightOwner: 'cdk8s-sidecars authors',
  minNodeVersion: '20.0.0',

  srcdir: 'lib',
  libdir: 'build',
  entrypoint: 'build/index.js',
  entrypointTypes: 'build/index.d.ts',
  tsconfig: { compilerOptions: { target: 'ES2022', lib: ['es2022'] } },
  testdir: 'test',
  sampleCode: false,

  // TypeScript 7 has no JavaScript compiler API; ts-node and ts-jest need 5.x.
  typescriptVersion: '~5.9.3',

  // One copy of each class in a user's app: peers, and the current releases for our own tests.
  peerDeps: ['cdk8s@^2.68.12', 'cdk8s-plus-28@^2.5.6', 'constructs@^10.3.0'],
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    'cdk8s@2.70.106', 'cdk8s-plus-28@2.5.6', 'constructs@10.8.1',
    // Manifests in tests are checked against the Kubernetes API: a strict JSON schema generated
    // from kubernetes-types (unknown fields rejected) and kubernetes-models' validators (enums, formats).
    'kubernetes-types@1.29.0', 'ts-json-schema-generator@^2', 'ajv@^8', 'kubernetes-models@^4.5.1',
    'fast-check@^4', 'yaml@^2',
  ],

  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  jestOptions: {
    // `npm test` never rewrites snapshots; `npm run test:update` does, on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
    },
  },
});

// Tests live under test/ only (lib/ holds no tests); replace projen's wider default.
project.package.file.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);

project.synth();
