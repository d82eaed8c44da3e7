/**
 * withSidecar with a shared volume: the app writes files into an outbox folder, an uploader beside
 * it reads and deletes them. The folder is a size-limited emptyDir mounted in both containers.
 *
 * Synthesize: npm run synth  (writes dist/sidecar-shared-volume.k8s.yaml)
 */
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { withSidecar } from '../lib';

export class SharedVolumeChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const web = new kplus.Deployment(this, 'web', {
      containers: [{
        name: 'app',
        image: 'ghcr.io/acme/web:1.4.2',
        ports: [{ number: 8080, name: 'http' }],
        securityContext: { user: 1000, group: 1000 },
      }],
    });

    withSidecar(web, {
      name: 'uploader',
      image: 'registry.example/uploader:2.1.0',
      sharedVolumes: [{
        name: 'outbox',              // pod-level emptyDir
        path: '/outbox',             // in the sidecar
        appPath: '/var/lib/app/out', // in the app containers (default: same as path)
        appReadOnly: false,          // the app writes, the sidecar reads and deletes
        sizeLimit: Size.mebibytes(512),
      }],
      // The uploader and the app share the folder's files through the pod's fsGroup.
      securityContext: { user: 1000, group: 1000 },
    });
  }
}
