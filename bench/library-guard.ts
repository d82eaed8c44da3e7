/**
 * Imported first by bench/worker.ts. A hand-written process (`worker.js <scenario> hand …`)
 * must not load the library: its whole-process time and memory are what a chart written with
 * cdk8s-plus alone costs. The scenario modules import both sides, so before anything requires
 * it the library's module is replaced by a stub that throws if the hand-written side touches it.
 */
if (process.argv[3] === 'hand') {
  const index = require.resolve('../lib');
  const stub = new Proxy({}, {
    get(_target, key) {
      if (typeof key === 'symbol' || key === '__esModule' || key === 'then') return undefined;
      throw new Error(`the hand-written side used the library ("${key}"); it must build its objects with cdk8s-plus alone`);
    },
  });
  require.cache[index] = { id: index, filename: index, loaded: true, exports: stub, children: [], paths: [] } as unknown as NodeModule;
}

export {};
