/**
 * Jest's own test sequencer, which also tells the global setup (test/util/global-setup.ts) how many
 * of the selected test files are real-program suites (under test/real/), in the environment variable
 * CDK8S_SIDECARS_REAL_SUITES. Jest calls sort() with the final list of files to run (after
 * --testPathPattern, --testPathIgnorePatterns, --findRelatedTests, --onlyChanged, --shard) and before
 * the global setup; so the setup starts a real program only when a suite will use it.
 *
 * Plain JavaScript: jest loads its sequencer without a transform.
 */
const path = require('path');
// eslint-disable-next-line import/no-extraneous-dependencies
const Sequencer = require('@jest/test-sequencer').default;

class RealSuitesSequencer extends Sequencer {
  sort(tests) {
    const real = tests.filter((t) => {
      const rel = path.relative(t.context.config.rootDir, t.path).split(path.sep);
      return rel[0] === 'test' && rel[1] === 'real';
    });
    process.env.CDK8S_SIDECARS_REAL_SUITES = String(real.length);
    return super.sort(tests);
  }
}

module.exports = RealSuitesSequencer;
