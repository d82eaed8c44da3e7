import { DependencyType, JsonFile, javascript, typescript } from 'projen';

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
  // fast-check 4 publishes its types for node16 resolution; tests, examples and benchmarks use it.
  tsconfigDev: { compilerOptions: { module: 'node16', moduleResolution: javascript.TypeScriptModuleResolution.NODE16 } },
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
    // API.md from TSDoc (a plain TypeScript library: no jsii-docgen).
    'typedoc@^0.28.20', 'typedoc-plugin-markdown@^4.14.1',
  ],

  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  tsJestOptions: {
    transformOptions: {
      // node16 resolution (for fast-check 4's types) is a "hybrid module kind" to ts-jest, which
      // warns on every file (TS151002); the tests are CommonJS either way.
      diagnostics: typescript.TsJestDiagnostics.custom({ ignoreCodes: [151002] }),
    },
  },
  jestOptions: {
    // jest 30 and eslint-import-resolver-typescript 4 depend on unrs-resolver, whose per-platform
    // optional packages npm 11.16+ leaves out of package-lock.json when a registry lacks some of
    // them, and `npm ci` then rejects its own lock file (npm/cli#9846). jest 29 resolves with
    // plain Node modules.
    jestVersion: '^29.7.0',
    // `npm test` never rewrites snapshots; `npm run test:update` does, on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      // The coverage table is about the library, not the tests' own helpers.
      collectCoverageFrom: ['lib/**/*.ts'],
    },
  },
});

// See jestVersion: the 3.8 line of eslint's TypeScript resolver uses enhanced-resolve, not
// unrs-resolver (projen's eslint component adds it unversioned; this pins it).
// Class fields as assignments in the constructor, not ES2022 defines: with defines every declared
// field of a construct is defined anew on each construction, a measurable cost for a fleet of
// workloads (bench/RESULTS.md). projen's options do not list the flag.
project.tsconfig?.file.addOverride('compilerOptions.useDefineForClassFields', false);
project.tsconfigDev?.file.addOverride('compilerOptions.useDefineForClassFields', false);
project.deps.addDependency('eslint-import-resolver-typescript@~3.8.7', DependencyType.BUILD);
project.deps.addDependency('@types/jest@^29.5.14', DependencyType.BUILD);
project.deps.addDependency('ts-jest@^29.4.15', DependencyType.BUILD);
project.deps.addDependency('jest-util@^29.7.0', DependencyType.BUILD); // a peer of ts-jest

// Examples (and benchmarks) are type-checked and linted like tests.
for (const dir of ['examples', 'bench']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromTypescriptConfigs([project.tsconfig!]),
    include: ['**/*.ts'],
    compilerOptions: { noEmit: true, rootDir: '..' },
  });
  project.eslint?.addLintPattern(dir);
  project.eslint?.allowDevDeps(`${dir}/**`);
}

// API.md: generated from the TSDoc of lib/ by typedoc, committed; `npm test` fails when stale.
new JsonFile(project, 'typedoc.json', {
  marker: false, // typedoc refuses unknown keys such as projen's "//" marker
  obj: {
    entryPoints: ['lib/index.ts'],
    tsconfig: 'tsconfig.json',
    plugin: ['typedoc-plugin-markdown'],
    router: 'module',
    entryFileName: 'API.md',
    readme: 'none',
    excludeInternal: true,
    excludePrivate: true,
    disableSources: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    sort: ['kind', 'alphabetical'],
  },
});
project.npmignore?.exclude('/typedoc.json', '/API.md', '/examples/', '/.ci/', '/bench/', '/docs/');
const docgen = project.addTask('docgen', {
  description: 'Generate API.md from the TSDoc of lib/',
  steps: [
    { exec: 'rm -rf .api-md && typedoc --out .api-md --logLevel Warn --treatWarningsAsErrors' },
    { exec: 'mv .api-md/API.md API.md && rm -rf .api-md' },
  ],
});
project.postCompileTask.spawn(docgen);
const apiCheck = project.addTask('api:check', {
  description: 'Fail when API.md is not what the TSDoc of lib/ generates',
  exec: 'bash test/api/check.sh',
});
project.gitignore.exclude('/.api-md/', '/bench/.out/');

// npx projen shapes: the option shapes of every public …Options/…Props interface, generated from
// the TypeScript types into lib/engine/option-shapes.generated.ts (committed and shipped, like
// API.md), which the call-time checker for JavaScript callers reads (lib/engine/input.ts).
// test/engine/option-shapes.test.ts fails when the file is not current.
project.addTask('shapes', {
  description: 'Generate lib/engine/option-shapes.generated.ts from the options interfaces',
  exec: 'ts-node --project test/tsconfig.json tools/option-shapes.ts',
});

// npm run synth: every example to plain Kubernetes YAML in dist/.
project.addTask('synth', {
  description: 'Synthesize every example under examples/ to dist/<example>.k8s.yaml',
  exec: 'ts-node --project examples/tsconfig.json examples/synth.ts',
});

// npm run bench: synth cost against hand-written cdk8s-plus and kustomize, written to bench/RESULTS.md.
// Never part of npm test: timings belong in a report, not in assertions.
project.addTask('bench', {
  description: 'Benchmarks (bench/): ratios against hand-written cdk8s-plus and kustomize, to bench/RESULTS.md',
  steps: [
    { exec: 'rm -rf bench/.out && tsc -p bench/tsconfig.json --noEmit false --outDir bench/.out' },
    { exec: 'node bench/.out/bench/run.js' },
  ],
});

// The tarball installs into a fresh cdk8s app and works there.
const packageSmoke = project.addTask('test:package', {
  description: 'npm pack, install the tarball into a fresh cdk8s app (offline), compile and synthesize there',
  exec: 'bash test/package/smoke.sh',
});

project.testTask.spawn(project.compileTask);
project.testTask.spawn(apiCheck);
project.testTask.spawn(packageSmoke);

// The layers (CONTRIBUTING.md): cdk8s-plus is imported in the adapter only, so that a build for
// another cdk8s-plus line changes one module; no import cycles (test/architecture.test.ts also
// catches cycles through type-only imports, which import/no-cycle skips).
project.eslint?.addRules({ 'import/no-cycle': 'error' });
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  excludedFiles: ['lib/engine/kplus.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ group: ['cdk8s-plus-*'], message: 'import cdk8s-plus through lib/engine/kplus.ts, the one adapter' }],
    }],
  },
});

// The inner loop: every suite but the real programs (test/real/), without coverage, and with
// ts-jest transpiling only (the full `npm test` type-checks the tests; `tsc` checks lib/).
const jestConfig = project.package.manifest.jest;
new JsonFile(project, 'test/jest-fast.json', {
  marker: false, // jest warns about unknown keys such as projen's "//" marker
  obj: {
    ...jestConfig,
    rootDir: '..',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    collectCoverage: false,
    reporters: ['default'],
    testPathIgnorePatterns: ['/node_modules/', '/test/real/'],
    transform: {
      '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.fast.json', diagnostics: { ignoreCodes: [151002] } }],
    },
  },
});
// ts-jest transpiles each file alone (no type checks) when the tsconfig sets isolatedModules.
new JsonFile(project, 'test/tsconfig.fast.json', {
  obj: { extends: './tsconfig.json', compilerOptions: { isolatedModules: true } },
});
project.addTask('test:fast', {
  description: 'Every test but the real-program suites (test/real/), without coverage or type checks: the inner loop',
  env: { CDK8S_SIDECARS_FAST: '1' },
  exec: 'jest --ci --config test/jest-fast.json',
  receiveArgs: true,
});

// Tests live under test/ only (lib/ holds no tests); replace projen's wider default.
project.package.file.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);

project.synth();
