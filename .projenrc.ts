import { DependencyType, JsonFile, javascript, typescript } from 'projen';

/**
 * The cdk8s-plus lines the library is built for: one source (lib/), one build per line. The
 * default entry (`cdk8s-sidecars`) is cdk8s-plus-28; every other line has its own entry,
 * `cdk8s-sidecars/plus-XX`, emitted from build/ by tools/lines/emit.js (post-compile). `peer` is
 * the range users may install (an optional peer: nothing is pulled in), `tested` the release
 * our own tests use.
 */
const LINES = [
  { line: 28, peer: '^2.5.6', tested: '2.5.6' },
  { line: 31, peer: '^2.6.43', tested: '2.6.43' },
  { line: 32, peer: '^2.5.92', tested: '2.5.92' },
  { line: 33, peer: '^2.5.57', tested: '2.5.57' },
];

const project = new typescript.TypeScriptProject({
  name: 'cdk8s-sidecars',
  description: 'Typed sidecars for cdk8s-plus workloads (cdk8s-plus-28, -31, -32, -33): log shippers, proxies, config sync, with whole-pod checks at synth time.',
  // The repository's public address: to be confirmed when the repository is published.
  repository: 'https://github.com/cdk8s-sidecars/cdk8s-sidecars.git',
  homepage: 'https://github.com/cdk8s-sidecars/cdk8s-sidecars#readme',
  keywords: ['cdk8s', 'cdk8s-plus', 'kubernetes', 'sidecar', 'native-sidecar', 'fluent-bit', 'vector', 'envoy', 'nginx', 'git-sync', 'log-shipping', 'proxy'],
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
  // No source maps in the package: they would point stack frames at lib/*.ts, which the package
  // does not ship (and at the cdk8s-plus-28 adapter from every other line's build); the
  // compiled JavaScript (ES2022, not minified) reads well enough in a stack trace.
  tsconfig: { compilerOptions: { target: 'ES2022', lib: ['es2022'], inlineSourceMap: false, inlineSources: false } },
  // fast-check 4 publishes its types for node16 resolution; tests, examples and benchmarks use it.
  tsconfigDev: { compilerOptions: { module: 'node16', moduleResolution: javascript.TypeScriptModuleResolution.NODE16 } },
  testdir: 'test',
  sampleCode: false,

  // TypeScript 7 has no JavaScript compiler API; ts-node and ts-jest need 5.x.
  typescriptVersion: '~5.9.3',

  // One copy of each class in a user's app: peers, and the current releases for our own tests.
  peerDeps: ['cdk8s@^2.68.12', 'constructs@^10.3.0', ...LINES.map((l) => `cdk8s-plus-${l.line}@${l.peer}`)],
  peerDependencyOptions: { pinnedDevDependency: false },
  // The `cdk8s-sidecars check` command reads multi-document YAML: js-yaml parses Helm-sized input
  // about ten times faster than yaml 2 (bench/RESULTS.md, the check command's section), and cdk8s's
  // yaml 2 is a bundled dependency (its own copy, which no other package can require).
  deps: ['js-yaml@^4'],
  devDeps: [
    'cdk8s@2.70.106', 'cdk8s-plus-28@2.5.6', 'constructs@10.8.1',
    // Every other cdk8s-plus line the library is built for (LINES below), at the release tested.
    ...LINES.filter((l) => l.line !== 28).map((l) => `cdk8s-plus-${l.line}@${l.tested}`),
    // The real `cdk8s` CLI, for the quick start test (test/package/cli.sh).
    'cdk8s-cli@2.207.60',
    // Manifests in tests are checked against the Kubernetes API: a strict JSON schema generated
    // from kubernetes-types (unknown fields rejected) and kubernetes-models' validators (enums, formats).
    'kubernetes-types@1.29.0', 'ts-json-schema-generator@^2', 'ajv@^8', 'kubernetes-models@^4.5.1',
    'fast-check@^4', 'yaml@^2', '@types/js-yaml@^4',
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

// Every cdk8s-plus line is an optional peer: npm installs none of them for the user, who has
// one already (cdk8s init brings the newest) and imports the entry of that line.
project.package.addField('peerDependenciesMeta', Object.fromEntries(LINES.map((l) => [`cdk8s-plus-${l.line}`, { optional: true }])));

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
project.npmignore?.exclude('/typedoc.json', '/.ci/');
// What the package ships: the builds, and every document the README links to, so that the links
// work in node_modules too (test/package/smoke.sh checks each relative link of the shipped
// Markdown). README.md, LICENSE and package.json always ship.
project.package.addField('files', [
  'build/**/*.js', 'build/**/*.d.ts',
  'API.md', 'CONTRIBUTING.md', 'docs/*.md', 'examples/*.ts', 'bench/RESULTS.md', 'bench/*.svg',
]);
project.package.addVersion('0.1.0');
const docgen = project.addTask('docgen', {
  description: 'Generate API.md from the TSDoc of lib/',
  steps: [
    { exec: 'rm -rf .api-md && typedoc --out .api-md --logLevel Warn --treatWarningsAsErrors' },
    { exec: 'mv .api-md/API.md API.md && rm -rf .api-md' },
  ],
});
project.postCompileTask.spawn(docgen);

// One build per cdk8s-plus line (LINES): build/ is the cdk8s-plus-28 build, the default entry;
// tools/lines/emit.js copies it to build/plus-XX/ with the adapter's import rewritten (compile). `exports`
// serves the entries to Node.js and to TypeScript's node16/bundler resolution; `typesVersions`
// serves the types to TypeScript's older `node` resolution, which `cdk8s init typescript-app`
// uses (it ignores `exports`).
const otherLines = LINES.filter((l) => l.line !== 28);
// Part of compile (not post-compile): `npm test` compiles before the package test, and
// `npx projen compile && npm pack` is how to build a tarball by hand.
project.compileTask.exec(`node tools/lines/emit.js ${otherLines.map((l) => l.line).join(' ')}`);
project.package.addField('exports', {
  '.': { types: './build/index.d.ts', default: './build/index.js' },
  ...Object.fromEntries(otherLines.map((l) => [`./plus-${l.line}`, { types: `./build/plus-${l.line}/index.d.ts`, default: `./build/plus-${l.line}/index.js` }])),
  // The cdk8s validation plugin (lib/check/plugin.ts): loads no cdk8s-plus, so one build serves
  // every line. cdk8s-cli loads it by path (cdk8s.yaml `package: ./node_modules/cdk8s-sidecars/build/check/plugin.js`).
  './plugin': { types: './build/check/plugin.d.ts', default: './build/check/plugin.js' },
  './package.json': './package.json',
});
project.package.addField('typesVersions', {
  '*': {
    ...Object.fromEntries(otherLines.map((l) => [`plus-${l.line}`, [`build/plus-${l.line}/index.d.ts`]])),
    plugin: ['build/check/plugin.d.ts'],
  },
});
// `npx cdk8s-sidecars check <files>`: the whole-pod rules over plain YAML (lib/check/cli.ts; loads
// no cdk8s-plus, like the plugin).
project.addBins({ 'cdk8s-sidecars': 'build/check/cli.js' });
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
// npm run bench:check: the check command on 10,000 pod templates against a peer that validates
// Kubernetes YAML (kubernetes-models, a devDependency), to its section of bench/RESULTS.md.
project.addTask('bench:check', {
  description: 'Benchmark (bench/check.ts): cdk8s-sidecars check on 10,000 pods against kubernetes-models validation, to bench/RESULTS.md',
  steps: [
    { exec: 'rm -rf bench/.out && tsc -p bench/tsconfig.json --noEmit false --outDir bench/.out' },
    // The command as the package builds it (lib/ with the package's compiler options).
    { exec: 'tsc -p tsconfig.json --outDir bench/.out/package' },
    { exec: 'node bench/.out/bench/check.js' },
  ],
});

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
// The plan cache compares option classes by their own properties (lib/engine/options-key.ts):
// state in a `#private` field would be invisible to it.
project.eslint?.addOverride({
  files: ['lib/**/*.ts'],
  rules: {
    'no-restricted-syntax': ['error', {
      selector: 'PrivateIdentifier',
      message: 'keep state in (TypeScript private) own properties: the plan cache compares option classes by them (lib/engine/options-key.ts)',
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

// Tests per cdk8s-plus line. The tests and lib/ import cdk8s-plus-28; a jest config per line maps
// that import to the line (test/util/line.ts tells which line runs). The newest line runs the whole suite; every other line runs what depends
// on the line: the examples (each manifest schema-checked), the per-line tests (test/lines/), the
// constructs on every kind of workload, and the real API server suite (test/real/apiserver.test.ts).
const newest = LINES[LINES.length - 1];
const perLineSuites = ['<rootDir>/test/examples.test.ts', '<rootDir>/test/lines/**/*.test.ts', '<rootDir>/test/constructs.test.ts', '<rootDir>/test/real/apiserver.test.ts'];
for (const { line } of otherLines) {
  new JsonFile(project, `test/jest-plus-${line}.json`, {
    marker: false,
    obj: {
      ...jestConfig,
      rootDir: '..',
      testMatch: line === newest.line ? ['<rootDir>/test/**/*.test.ts'] : perLineSuites,
      collectCoverage: false,
      reporters: ['default'],
      testPathIgnorePatterns: ['/node_modules/'],
      // The package and its files (engine/kplus.ts loads the line's generated k8s imports too).
      moduleNameMapper: {
        '^cdk8s-plus-28(/.*)?$': `cdk8s-plus-${line}$1`,
      },
      // The real API server for the suites under test/real/ (see the block further down).
      testSequencer: '<rootDir>/test/util/real-suites-sequencer.js',
      globalSetup: '<rootDir>/test/util/global-setup.ts',
      globalTeardown: '<rootDir>/test/util/global-teardown.ts',
      transform: {
        // The default run type-checks the tests; these transpile only.
        '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.fast.json', diagnostics: { ignoreCodes: [151002] } }],
      },
    },
  });
}
// The same sources type-check against every line: lib/ compiled (no emit) with cdk8s-plus-28
// mapped to the line, as tools/lines/emit.js builds it.
for (const { line } of otherLines) {
  new JsonFile(project, `test/lines/tsconfig.plus-${line}.json`, {
    obj: {
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '../../lib', paths: { 'cdk8s-plus-28': [`../../node_modules/cdk8s-plus-${line}`], 'cdk8s-plus-28/*': [`../../node_modules/cdk8s-plus-${line}/*`] } },
      include: ['../../lib/**/*.ts'],
    },
  });
}
const testLines = project.addTask('test:lines', {
  description: `The whole suite on cdk8s-plus-${newest.line}, the line-dependent suites on every other line`,
  steps: [
    ...otherLines.map(({ line }) => ({ exec: `tsc -p test/lines/tsconfig.plus-${line}.json`, name: `lib/ type-checks against cdk8s-plus-${line}` })),
    ...[...otherLines].reverse().map(({ line }) => ({ exec: `jest --ci --config test/jest-plus-${line}.json`, receiveArgs: true })),
  ],
});
project.testTask.spawn(testLines);
// Against the newest release of each line within the peer range, from the registry now (network;
// never part of npm test, whose releases are pinned).
project.addTask('test:compat', {
  description: 'The line-dependent suites against the newest release of each cdk8s-plus line within the peer range (from the npm registry)',
  exec: 'bash test/compat/run.sh',
});

// Tests live under test/ only (lib/ holds no tests); replace projen's wider default.
project.package.file.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);

// ---- Real API server in the test loop (issue #17; branch real-api) ----
// `npm test` sets the machine up first: tools/install.sh installs the Debian packages the tests
// drive (nginx, git, openssl) when missing and runs every tools/*/build.sh (kube-apiserver and etcd,
// built from the Go module proxy into ~/.cache/cdk8s-sidecars/tools; quick once cached).
project.testTask.prependExec('bash tools/install.sh');
// Jest starts kube-apiserver + etcd once per run (global setup) when a suite under test/real/ is
// selected: the sequencer counts the selected real-program suites for the setup; with
// CDK8S_SIDECARS_FAST=1 (test:fast) nothing starts. The teardown stops both programs.
project.package.file.addOverride('jest.testSequencer', '<rootDir>/test/util/real-suites-sequencer.js');
project.package.file.addOverride('jest.globalSetup', '<rootDir>/test/util/global-setup.ts');
project.package.file.addOverride('jest.globalTeardown', '<rootDir>/test/util/global-teardown.ts');
// ---- end real API server ----

project.synth();
