/**
 * The artifact builder (source-watcher `internal/builder/builder.go`): stages an output artifact's copy operations in
 * `<workspace>/<name>`, names the archive after the staged content's hash (`<dirhash>.tar.gz`) and stores it as
 * `externalartifact/<namespace>/<name>/<dirhash>.tar.gz` with revision `latest@<digest>`. The archive is
 * reproducible, so the digest, and with it the revision, changes only when the staged content does.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ExternalArtifactKind } from '@flux-ts/api';
import type { OutputArtifact } from '@flux-ts/api';
import type { Storage, StoredArtifact } from '@flux-ts/artifact';
import { applyCopyOperations, type SourceDirs } from './copy.ts';
import { hashDir } from './dirhash.ts';

/** Inputs of {@link buildArtifact}. */
export interface BuildArtifactInput {
  storage: Storage;
  /** `spec.artifacts[]`. */
  spec: OutputArtifact;
  /** The fetched sources by alias. */
  sources: SourceDirs;
  /** The generator's namespace (the ExternalArtifact's). */
  namespace: string;
  /** A private working directory; `<workspace>/<name>` is the staging directory. */
  workspace: string;
  signal?: AbortSignal | undefined;
}

/** Builds and stores one output artifact; see the module comment. */
export async function buildArtifact(input: BuildArtifactInput): Promise<StoredArtifact> {
  const { storage, spec } = input;
  const stagingDir = join(input.workspace, spec.name);
  await mkdir(stagingDir, { recursive: true });
  try {
    await applyCopyOperations(spec.copy, input.sources, stagingDir, input.signal);
  } catch (err) {
    throw new Error(`failed to apply copy operations: ${(err as Error).message}`, { cause: err });
  }
  let contentsHash: string;
  try {
    contentsHash = hashDir(stagingDir, spec.name);
  } catch (err) {
    throw new Error(`failed to hash staging dir: ${(err as Error).message}`, { cause: err });
  }
  const artifact = storage.artifactFor(
    ExternalArtifactKind,
    input.namespace,
    spec.name,
    spec.revision ?? '',
    `${contentsHash}.tar.gz`,
  );
  const unlock = await storage.lock(artifact).catch((err: unknown) => {
    throw new Error(`failed to acquire artifact lock: ${(err as Error).message}`, { cause: err });
  });
  try {
    const stored = await storage.archive(artifact, stagingDir, { signal: input.signal }).catch((err: unknown) => {
      throw new Error(`failed to create artifact: ${(err as Error).message}`, { cause: err });
    });
    return { ...stored, revision: `latest@${stored.digest}` };
  } finally {
    await unlock();
  }
}
