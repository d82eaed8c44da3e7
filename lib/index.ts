export * from './bound-port';
export * from './images';
export * from './shared-volume';
export * from './sidecar-mode';
export * from './sidecar';
export * from './log-shipper';
export * from './proxy';
export * from './config-sync';
