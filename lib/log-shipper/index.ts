// Filled by the log-shipper work (see the issue); exported from lib/index.ts.
export {};
