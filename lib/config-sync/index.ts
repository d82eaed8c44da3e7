// Filled by the config-sync work (see the issue); exported from lib/index.ts.
export {};
