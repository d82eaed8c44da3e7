// Filled by the proxy work (see the issue); exported from lib/index.ts.
export {};
