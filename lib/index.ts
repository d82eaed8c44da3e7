export * from './bound-port';
export * from './shared-volume';
export * from './sidecar-mode';
export * from './sidecar';
