/**
 * The build step of a Kustomization (kustomize-controller `build` + fluxcd/pkg `kustomize` generator): resolve
 * `spec.path` inside the extracted artifact, generate a `kustomization.yaml` when the directory has none, merge
 * the Flux spec into it, decrypt the SOPS files kustomize reads (when `spec.decryption` is set), run kustomize, apply
 * `commonMetadata`, decrypt SOPS-encrypted resources, then run the `postBuild` substitutions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { ConfinedFs } from '@flux-ts/artifact';
import {
  KUSTOMIZATION_FILE_NAMES,
  applyCommonMetadata,
  build,
  createRemoteFetcher,
  generateKustomizationFiles,
  mergeFluxSpec,
  substituteResource,
} from '@flux-ts/kustomize';
import type { FluxKustomizeSpec, KObject } from '@flux-ts/kustomize';
import type { KubeObject } from '@flux-ts/runtime';
import type { KustomizationSpec } from '@flux-ts/api';
import type { Decryptor } from './decryptor.ts';

/** A build failure whose message is the user-facing Ready message. */
export class BuildError extends Error {
  /** True when the path itself is missing (Flux reports it as ArtifactFailed). */
  readonly pathNotFound: boolean;
  constructor(message: string, opts: { cause?: unknown; pathNotFound?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BuildError';
    this.pathNotFound = opts.pathNotFound ?? false;
  }
}

/** A built object: kustomize's untyped manifest, checked to be a {@link KubeObject} (see {@link toKubeObjects}). */
export type BuiltObject = KObject & KubeObject;

/** The fields {@link toKubeObjects} checks, on an untyped manifest. */
type KubeShaped = KObject & { apiVersion: string; kind: string; metadata: KObject & { name: string } };

function isKubeShaped(o: KObject): o is KubeShaped {
  const meta = o['metadata'];
  return (
    typeof o['apiVersion'] === 'string' &&
    typeof o['kind'] === 'string' &&
    typeof meta === 'object' &&
    meta !== null &&
    !Array.isArray(meta) &&
    typeof meta['name'] === 'string'
  );
}

/**
 * The objects of a build as {@link KubeObject}s (the same objects, not copies): checks that `apiVersion`, `kind`
 * and `metadata.name` are strings, which kustomize's output always has.
 * @throws BuildError naming the first object that lacks one
 */
export function toKubeObjects(objects: readonly KObject[]): BuiltObject[] {
  return objects.map((o) => {
    if (isKubeShaped(o)) return o;
    const meta = o['metadata'];
    const name = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta['name'] : undefined;
    throw new BuildError(
      `kustomize build failed: '${gvkString(o)}/${typeof name === 'string' ? name : ''}' is not a Kubernetes object: apiVersion, kind and metadata.name must be strings`,
    );
  });
}

/** Inputs of {@link buildManifests}. */
export interface BuildManifestsOptions {
  /** Root of the extracted artifact. */
  root: string;
  spec: KustomizationSpec;
  /** postBuild variables (substituteFrom merged with substitute), or undefined when postBuild is unset. */
  vars?: Record<string, string> | undefined;
  /** `StrictPostBuildSubstitutions`. */
  strictSubstitutions: boolean;
  /** Set when `spec.decryption` is: decrypts generator inputs before the build and resources after it. */
  decryptor?: Decryptor | undefined;
  /**
   * Remote bases (git and http(s) resources) are fetched unless this is false (`--no-remote-bases`); then every
   * resource must be a file of the artifact.
   */
  remoteBases?: boolean;
  /** Parent of the directory remote bases are cloned into (default the OS temp dir). */
  tmpDir?: string | undefined;
  /** Aborts remote base fetches. */
  signal?: AbortSignal | undefined;
}

/** kustomize's `Gvk.String()` (`Kind.version.group`, `[noGrp]` for the core group), as Flux's messages print it. */
function gvkString(o: KObject): string {
  const apiVersion = String(o['apiVersion'] ?? '');
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `${String(o['kind'] ?? '') || '[noKind]'}.${version || '[noVer]'}.${group || '[noGrp]'}`;
}

function listFiles(fs: ConfinedFs, dir: string, root = dir): { path: string; docs?: unknown[] }[] {
  const out: { path: string; docs?: unknown[] }[] = [];
  for (const entry of fs.readdirSync(dir)) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(fs, full, root));
    else if (entry.isFile()) {
      const path = relative(root, full).split(sep).join('/');
      if (!/\.ya?ml$/.test(entry.name)) {
        out.push({ path });
        continue;
      }
      try {
        const docs = parseAllDocuments(fs.readTextSync(full));
        out.push({ path, docs: (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS()) });
      } catch (err) {
        throw new BuildError(`failed to decode Kubernetes YAML from ${path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
  }
  return out;
}

function fluxSpec(spec: KustomizationSpec): FluxKustomizeSpec {
  return {
    ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
    ...(spec.namePrefix ? { namePrefix: spec.namePrefix } : {}),
    ...(spec.nameSuffix ? { nameSuffix: spec.nameSuffix } : {}),
    ...(spec.patches ? { patches: spec.patches as FluxKustomizeSpec['patches'] } : {}),
    ...(spec.images ? { images: spec.images } : {}),
    ...(spec.components ? { components: spec.components } : {}),
    ...(spec.ignoreMissingComponents ? { ignoreMissingComponents: true } : {}),
  };
}

/** The directory of `spec.path` inside `root`; refuses paths that leave the artifact. */
export function resolvePath(root: string, path: string | undefined): string {
  const dir = resolve(root, (path ?? '').replace(/^\/+/, '') || '.');
  const rel = relative(root, dir);
  if (rel.startsWith('..') || resolve(root, rel) !== dir)
    throw new BuildError(`kustomization path not found: path '${path ?? ''}' is outside the artifact`, {
      pathNotFound: true,
    });
  return dir;
}

/**
 * Builds the manifests of a Kustomization (writing the merged `kustomization.yaml` into the artifact directory).
 * Every file is read through a {@link ConfinedFs} rooted at the artifact (remote bases: at the directory they are
 * cloned into), so a source cannot read a host file: such a reference fails with fluxcd/pkg's
 * `fs-security-constraint <op> <path>: path '<path>' is not in or below '<root>'`.
 * @throws BuildError with Flux's messages: `kustomization path not found: …`, `error decrypting sources: …`,
 *   `kustomize build failed: …`, `decryption failed for '<Kind.version.group>/<name>': …`,
 *   `var substitution failed for '<Kind/name>': …`
 */
export async function buildManifests(opts: BuildManifestsOptions): Promise<BuiltObject[]> {
  const fs = new ConfinedFs(opts.root);
  const dir = resolvePath(fs.root, opts.spec.path);
  const shownPath = opts.spec.path ?? './';
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new BuildError(`kustomization path not found: stat ${shownPath}: no such file or directory`, {
      pathNotFound: true,
    });

  let kustomization: KObject;
  let file = KUSTOMIZATION_FILE_NAMES.find((f) => fs.existsSync(join(dir, f)));
  try {
    if (file) {
      const parsed: unknown = parseYaml(fs.readTextSync(join(dir, file)));
      kustomization = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as KObject;
    } else {
      const generated = generateKustomizationFiles({ files: listFiles(fs, dir) });
      kustomization = generated ?? {};
      file = 'kustomization.yaml';
    }
    const merged = mergeFluxSpec(kustomization, fluxSpec(opts.spec), {
      componentExists: (p) => fs.existsSync(join(dir, p)),
    });
    fs.writeFileSync(join(dir, file), stringify(merged));
  } catch (err) {
    if (err instanceof BuildError) throw err;
    throw new BuildError(`kustomize build failed: ${(err as Error).message}`, { cause: err });
  }

  if (opts.decryptor) {
    try {
      await opts.decryptor.decryptSources(fs, dir);
    } catch (err) {
      throw new BuildError(`error decrypting sources: ${(err as Error).message}`, { cause: err });
    }
  }

  let objects: KObject[];
  // remote bases are cloned into a directory of their own, and read confined to it
  const remoteDir =
    opts.remoteBases === false ? undefined : mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'kustomize-remote-'));
  const remote = remoteDir === undefined ? undefined : createRemoteFetcher({ tmpDir: remoteDir, signal: opts.signal });
  try {
    objects = await build(dir, {
      fs,
      loadRestrictions: 'none',
      remote: remote ?? false,
      ...(remoteDir === undefined ? {} : { remoteFs: new ConfinedFs(remoteDir) }),
    });
  } catch (err) {
    throw new BuildError(`kustomize build failed: ${(err as Error).message}`, { cause: err });
  } finally {
    remote?.close();
    if (remoteDir !== undefined) rmSync(remoteDir, { recursive: true, force: true });
  }
  if (opts.spec.commonMetadata) objects = applyCommonMetadata(objects, opts.spec.commonMetadata);

  if (opts.decryptor) {
    const decryptor = opts.decryptor;
    const out: KObject[] = [];
    for (const o of objects) {
      try {
        out.push(await decryptor.decryptResource(o));
      } catch (err) {
        const meta = (o['metadata'] ?? {}) as { name?: string };
        throw new BuildError(`decryption failed for '${gvkString(o)}/${meta.name ?? ''}': ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    objects = out;
  }

  if (opts.vars !== undefined) {
    const always = opts.spec.postBuild?.substituteStrategy === 'Always';
    objects = objects.map((o) => {
      try {
        return substituteResource(o, opts.vars ?? {}, {
          strict: opts.strictSubstitutions,
          always,
        });
      } catch (err) {
        const meta = (o['metadata'] ?? {}) as { name?: string };
        throw new BuildError(
          `var substitution failed for '${String(o['kind'])}/${meta.name ?? ''}': ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    });
  }
  return toKubeObjects(objects);
}
