/**
 * The pod target of a cdk8s-plus workload (pod-target.ts): every read and write goes to
 * cdk8s-plus, through the adapter (kplus.ts).
 */
import {
  ensurePodFsGroup, ensurePodServiceAccount, keepOutOfServices, kplus, mountOwn, moveInitContainer, podSelectorLabels,
  runsToCompletion, setPodSpecField, Workload, workloadKind, workloadLabel,
} from './kplus';
import { PodTarget } from './pod-target';
import { podSnapshot } from './validation/pod-snapshot';
import { PodView } from './validation/pod-view';
import { viewWorkload, WorkloadRecords } from './validation/workload-view';

export class KplusPodTarget implements PodTarget {
  public readonly label: string;
  public readonly kind: string;
  public readonly name: string;
  public readonly runsToCompletion: boolean;

  public constructor(public readonly construct: Workload) {
    this.label = workloadLabel(construct);
    this.kind = workloadKind(construct);
    this.name = construct.name;
    this.runsToCompletion = runsToCompletion(construct);
  }

  public get initContainers(): readonly kplus.Container[] {
    return this.construct.initContainers;
  }

  public get containers(): readonly kplus.Container[] {
    return this.construct.containers;
  }

  public get volumes(): readonly kplus.Volume[] {
    return this.construct.volumes;
  }

  public get securityContext(): kplus.PodSecurityContext {
    return this.construct.securityContext;
  }

  public get automountServiceAccountToken(): boolean {
    return this.construct.automountServiceAccountToken;
  }

  public podLabels(): Record<string, string> {
    return this.construct.podMetadata.toJson().labels ?? {};
  }

  public selectorLabels(): Record<string, string> {
    return podSelectorLabels(this.construct);
  }

  public podAnnotations(): Record<string, string> {
    return this.construct.podMetadata.toJson().annotations ?? {};
  }

  public addContainer(props: kplus.ContainerProps): kplus.Container {
    return this.construct.addContainer(props);
  }

  public addInitContainer(props: kplus.ContainerProps, index?: number): kplus.Container {
    const container = this.construct.addInitContainer(props);
    if (index !== undefined) moveInitContainer(this.construct, container, index);
    return container;
  }

  public mount(container: kplus.Container, path: string, volume: kplus.Volume, options: kplus.MountOptions): void {
    mountOwn(container, path, volume, options);
  }

  public addEnv(container: kplus.Container, name: string, value: kplus.EnvValue): void {
    container.env.addVariable(name, value);
  }

  public addPodAnnotation(key: string, value: string): void {
    this.construct.podMetadata.addAnnotation(key, value);
  }

  public ensureFsGroup(group: number): number {
    return ensurePodFsGroup(this.construct, group);
  }

  public ensureServiceAccount(make: () => kplus.IServiceAccount): kplus.IServiceAccount {
    return this.construct.serviceAccount ?? ensurePodServiceAccount(this.construct, make());
  }

  public shareProcessNamespace(): void {
    setPodSpecField(this.construct, 'shareProcessNamespace', true);
  }

  public keepOutOfServices(containerName: string): void {
    keepOutOfServices(this.construct, containerName);
  }

  public view(records: WorkloadRecords): { readonly view: PodView; readonly renderProblem?: string } {
    return viewWorkload(this.construct, records);
  }

  public snapshot(version: number, watchEnv: readonly string[]): unknown[] {
    return podSnapshot(this.construct, version, watchEnv);
  }
}
