/** The ArtifactGenerator reconciler and its controller wiring. */
export {
  ArtifactGeneratorGVK,
  ArtifactGeneratorReconciler,
  ExternalArtifactGVK,
  GeneratorInterval,
  MsgInProgress,
  MsgReconciliationDisabled,
  artifactGeneratorConditions,
  artifactGeneratorSteps,
  setArtifactRevisions,
  validateSpec,
  type ArtifactGeneratorReconcilerOptions,
  type ArtifactGeneratorState,
  type ListingReader,
} from './reconciler.ts';
export {
  SourceRefIndex,
  generatorChanged,
  setupArtifactGeneratorController,
  sourceChanged,
  sourceRefKeys,
  type ArtifactGeneratorControllerDeps,
} from './setup.ts';
export { fetchSources, hashObservedSources, observeSources, sourceNamespace, type ObservedSource } from './sources.ts';
