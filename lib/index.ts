export * from './engine/bound-port';
export * from './engine/images';
export * from './engine/shared-volume';
export * from './engine/sidecar-mode';
export * from './sidecar';
export * from './log-shipper';
export * from './proxy';
export * from './config-sync';
