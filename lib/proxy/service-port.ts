/**
 * A Service port that targets a container port by name, which cdk8s-plus-28 cannot express.
 *
 * `kplus.ServicePort.targetPort` is a number, and the generated `KubeService` maps each port's
 * `targetPort` through `IntOrString` (`targetPort: obj.targetPort?.value`,
 * cdk8s-plus-28 lib/imports/k8s.js, toJson_ServicePort) *after* JSON patches are applied
 * (cdk8s ApiObject.toJson applies patches, then KubeService.toJson maps the result). A patch
 * must therefore write the `IntOrString` shape, `{ value: name }`, which the mapping turns into
 * the plain `targetPort: name` of the manifest. test/proxy/service.test.ts fails if a later
 * cdk8s-plus changes that.
 *
 * This belongs beside the other cdk8s-plus adapters in lib/kplus.ts; it lives here until the
 * core takes it.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { kplus } from '../kplus';

/** Makes port `index` of `service` target the container port named `portName`. */
export function setServiceTargetPortName(service: kplus.Service, index: number, portName: string): void {
  ApiObject.of(service).addJsonPatch(JsonPatch.replace(`/spec/ports/${index}/targetPort`, { value: portName }));
}
