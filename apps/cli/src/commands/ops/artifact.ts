/**
 * The OCI artifact commands (flux2 `push_artifact.go`, `pull_artifact.go`, `tag_artifact.go`, `list_artifacts.go`,
 * `build_artifact.go`, `diff_artifact.go`; fluxcd/pkg `oci/client`), in Flux's artifact format: an OCI image
 * manifest with the config `application/vnd.cncf.flux.config.v1+json`, one
 * `application/vnd.cncf.flux.content.v1.tar+gzip` layer and the `org.opencontainers.image.{created,source,revision}`
 * annotations, through @flux-ts/oci.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Command } from 'commander';
import { extract } from 'tar';
import { createIgnoreFilter, reproducibleTar } from '@flux-ts/artifact';
import { OCI_MANIFEST_MEDIA_TYPE, RegistryClient, parseReference, parseRepository } from '@flux-ts/oci';
import type { OciManifest, Reference, RegistryCredentials } from '@flux-ts/oci';
import { errMessage } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { formatTable } from '../shared/table.ts';
import { collect } from './components.ts';
import { commandSignal } from './wait.ts';

/** The media type of a Flux artifact's config (fluxcd/pkg `oci.ConfigMediaType`). */
export const FLUX_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.flux.config.v1+json';
/** The media type of a Flux artifact's content layer (fluxcd/pkg `oci.ContentMediaType`). */
export const FLUX_CONTENT_MEDIA_TYPE = 'application/vnd.cncf.flux.content.v1.tar+gzip';
/** The OCI annotations Flux writes. */
export const Annotations = {
  Created: 'org.opencontainers.image.created',
  Source: 'org.opencontainers.image.source',
  Revision: 'org.opencontainers.image.revision',
} as const;

const OCI_PREFIX = 'oci://';

/** fluxcd/pkg `oci.ParseArtifactURL`: the reference of an `oci://` URL. */
export function parseArtifactUrl(url: string): Reference {
  if (!url.startsWith(OCI_PREFIX)) throw new Error(`URL must be in format 'oci://<domain>/<org>/<repo>'`);
  return parseReference(url.slice(OCI_PREFIX.length));
}

/** fluxcd/pkg `oci.ParseRepositoryURL`: the repository of an `oci://` URL (no tag or digest). */
export function parseRepositoryUrl(url: string): { registry: string; repository: string } {
  if (!url.startsWith(OCI_PREFIX)) throw new Error(`URL must be in format 'oci://<domain>/<org>/<repo>'`);
  return parseRepository(url.slice(OCI_PREFIX.length));
}

/** The credentials of `--creds user:password` (a token alone when it has no colon). */
export function parseCreds(creds: string | undefined): RegistryCredentials | undefined {
  if (creds === undefined || creds === '') return undefined;
  const i = creds.indexOf(':');
  if (i < 0) return { registryToken: creds };
  return { username: creds.slice(0, i), password: creds.slice(i + 1) };
}

/**
 * fluxcd/pkg `client.Build`: a gzipped, reproducible tarball of `path` (a directory's content, or one file),
 * without the paths `ignore` matches (gitignore patterns).
 */
export async function buildArtifactTarball(
  path: string,
  ignore: readonly string[],
  signal: AbortSignal,
): Promise<Buffer> {
  let root = resolve(path);
  let tmp: string | undefined;
  const st = statSync(root, { throwIfNoEntry: false });
  if (st === undefined) throw new Error(`invalid path ${JSON.stringify(path)}`);
  if (st.isFile()) {
    tmp = mkdtempSync(join(tmpdir(), 'flux-artifact-'));
    copyFileSync(root, join(tmp, basename(root)));
    root = tmp;
  }
  try {
    const filter = ignore.length > 0 ? createIgnoreFilter([{ domain: '', patterns: [...ignore] }]) : undefined;
    const chunks: Buffer[] = [];
    await pipeline(
      Readable.from(reproducibleTar(root, { filter, signal })),
      createGzip(),
      async (gz: AsyncIterable<Buffer>) => {
        for await (const c of gz) chunks.push(c);
      },
    );
    return Buffer.concat(chunks);
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}

const digestOf = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** What {@link pushArtifact} writes into the manifest's annotations. */
export interface ArtifactMetadata {
  source: string;
  revision: string;
  created: string;
  annotations?: Record<string, string>;
}

/** fluxcd/pkg `client.Push`: blobs, then the manifest under the reference's tag; resolves the manifest digest. */
export async function pushArtifact(
  client: RegistryClient,
  ref: Reference,
  layer: Uint8Array,
  meta: ArtifactMetadata,
  signal: AbortSignal,
): Promise<string> {
  const config = new TextEncoder().encode('{}');
  const configDigest = await client.pushBlob(ref.registry, ref.repository, config, signal);
  const layerDigest = await client.pushBlob(ref.registry, ref.repository, layer, signal);
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: { mediaType: FLUX_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: FLUX_CONTENT_MEDIA_TYPE, digest: layerDigest, size: layer.byteLength }],
    annotations: {
      ...meta.annotations,
      [Annotations.Created]: meta.created,
      [Annotations.Source]: meta.source,
      [Annotations.Revision]: meta.revision,
    },
  };
  return client.pushManifest(ref, new TextEncoder().encode(JSON.stringify(manifest)), OCI_MANIFEST_MEDIA_TYPE, signal);
}

/** The content layer of a Flux artifact's manifest. */
function contentLayer(manifest: OciManifest, shown: string) {
  const layers = manifest.layers ?? [];
  const layer = layers.find((l) => l.mediaType === FLUX_CONTENT_MEDIA_TYPE) ?? layers[0];
  if (layer === undefined) throw new Error(`no layers found in artifact ${shown}`);
  return layer;
}

const MAX_LAYER = 100 * 1024 * 1024;

function registryClient(o: { creds?: string; insecureRegistry?: boolean }): RegistryClient {
  const credentials = parseCreds(o.creds);
  return new RegistryClient({
    ...(credentials ? { credentials } : {}),
    ...(o.insecureRegistry ? { insecure: true } : {}),
    userAgent: 'flux-ts-cli',
  });
}

const refString = (ref: Reference) =>
  `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;

/** Registers `push|pull|tag|build|diff artifact` and `list artifacts` under their parents. */
export function registerArtifactCommands(
  parents: { push: Command; pull: Command; tag: Command; list: Command; build: Command; diff: Command },
  ctx: CommandContext,
): void {
  const signalOf = (cmd: Command) => commandSignal(ctx.io.signal, ctx.globals(cmd).timeoutMs);
  const credsFlag = (cmd: Command) =>
    cmd
      .option('--creds <credentials>', 'credentials for OCI registry in the format <username>[:<password>]')
      .option('--insecure-registry', 'allows artifacts to be pushed without TLS', false);

  const push = credsFlag(
    parents.push
      .command('artifact')
      .argument('<url>')
      .summary('Push artifact')
      .description(
        "The push artifact command creates a tarball from the given directory or the single file and uploads the artifact to an OCI repository.\nThe command can read the credentials from '~/.docker/config.json' but they can also be passed with --creds. It can also login to a supported provider with the --provider flag.",
      )
      .option('-f, --path <path>', 'path to the directory where the Kubernetes manifests are located')
      .option('--source <source>', 'the source address, e.g. the Git URL')
      .option('--revision <revision>', "the source revision in the format '<branch|tag>@sha1:<commit-sha>'")
      .option('-a, --annotations <annotation>', "Set custom OCI annotations in the format '<key>=<value>'", collect)
      .option('--ignore-paths <paths>', 'set paths to ignore in .gitignore format', collect)
      .option(
        '--reproducible',
        "ensure reproducible image digests by setting the created timestamp to '1970-01-01T00:00:00Z'",
        false,
      ),
  );
  push.action(
    async (
      url: string,
      o: {
        path?: string;
        source?: string;
        revision?: string;
        annotations?: string[];
        ignorePaths?: string[];
        reproducible: boolean;
        creds?: string;
        insecureRegistry: boolean;
      },
    ) => {
      if (!o.source) throw new Error('--source is required');
      if (!o.revision) throw new Error('--revision is required');
      if (!o.path) throw new Error('invalid path ""');
      const ref = parseArtifactUrl(url);
      const annotations: Record<string, string> = {};
      for (const a of o.annotations ?? []) {
        const i = a.indexOf('=');
        if (i <= 0) throw new Error(`invalid annotation ${a}, must be in the format key=value`);
        annotations[a.slice(0, i)] = a.slice(i + 1);
      }
      const signal = signalOf(push);
      const layer = await buildArtifactTarball(
        resolve(ctx.io.cwd, o.path),
        (o.ignorePaths ?? []).flatMap((p) => p.split(',')),
        signal,
      );
      ctx.logger.actionf(`pushing artifact to ${refString(ref)}`);
      const client = registryClient(o);
      try {
        const digest = await pushArtifact(
          client,
          ref,
          layer,
          {
            source: o.source,
            revision: o.revision,
            created: o.reproducible ? '1970-01-01T00:00:00Z' : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            annotations,
          },
          signal,
        );
        ctx.logger.successf(`artifact successfully pushed to ${ref.registry}/${ref.repository}@${digest}`);
      } catch (err) {
        throw new Error(`pushing artifact failed: ${errMessage(err)}`, { cause: err });
      } finally {
        client.close();
      }
    },
  );

  const pull = credsFlag(
    parents.pull
      .command('artifact')
      .argument('<url>')
      .summary('Pull artifact')
      .description(
        "The pull artifact command downloads and extracts the OCI artifact content to the given path.\nThe command can read the credentials from '~/.docker/config.json' but they can also be passed with --creds. It can also login to a supported provider with the --provider flag.",
      )
      .option('-o, --output <path>', 'path where the artifact content should be extracted.'),
  );
  pull.action(async (url: string, o: { output?: string; creds?: string; insecureRegistry: boolean }) => {
    if (!o.output) throw new Error('invalid output path ');
    const ref = parseArtifactUrl(url);
    const signal = signalOf(pull);
    const client = registryClient(o);
    ctx.logger.actionf(`pulling artifact from ${refString(ref)}`);
    try {
      const { manifest, digest } = await client.getManifest(ref, signal);
      const layer = contentLayer(manifest, refString(ref));
      const blob = await client.fetchBlob(ref.registry, ref.repository, layer.digest, { signal, maxSize: MAX_LAYER });
      const out = resolve(ctx.io.cwd, o.output);
      mkdirSync(out, { recursive: true });
      // tar refuses absolute paths and `..` entries by default (node-tar's `preservePaths: false`).
      await pipeline(Readable.from([Buffer.from(blob)]), extract({ cwd: out, strict: true }));
      const a = manifest.annotations ?? {};
      if (a[Annotations.Source]) ctx.logger.successf(`source ${a[Annotations.Source]}`);
      if (a[Annotations.Revision]) ctx.logger.successf(`revision ${a[Annotations.Revision]}`);
      ctx.logger.successf(`digest ${ref.registry}/${ref.repository}@${digest}`);
      ctx.logger.successf(`artifact content extracted to ${o.output}`);
    } catch (err) {
      throw new Error(`pulling artifact failed: ${errMessage(err)}`, { cause: err });
    } finally {
      client.close();
    }
  });

  const tag = credsFlag(
    parents.tag
      .command('artifact')
      .argument('<url>')
      .summary('Tag artifact')
      .description('The tag artifact command creates tags for the given OCI artifact.')
      .option('--tag <tag>', 'Tag name.', collect),
  );
  tag.action(async (url: string, o: { tag?: string[]; creds?: string; insecureRegistry: boolean }) => {
    const tags = (o.tag ?? []).flatMap((t) => t.split(',')).filter((t) => t !== '');
    if (tags.length === 0) throw new Error('--tag is required');
    const ref = parseArtifactUrl(url);
    const signal = signalOf(tag);
    const client = registryClient(o);
    ctx.logger.actionf('tagging artifact');
    try {
      const { bytes, mediaType } = await client.getManifest(ref, signal);
      for (const t of tags) {
        await client.pushManifest(
          { registry: ref.registry, repository: ref.repository, tag: t },
          bytes,
          mediaType,
          signal,
        );
        ctx.logger.successf(`artifact tagged as ${ref.registry}/${ref.repository}:${t}`);
      }
    } catch (err) {
      throw new Error(`tagging artifact failed: ${errMessage(err)}`, { cause: err });
    } finally {
      client.close();
    }
  });

  const list = credsFlag(
    parents.list
      .command('artifacts')
      .argument('<url>')
      .summary('list artifacts')
      .description(
        'The list command fetches the tags and annotations from the given OCI repository and prints the information in a table.',
      )
      .option('--filter-regex <regex>', 'filter tags returned from the oci repository using regex'),
  );
  list.action(async (url: string, o: { filterRegex?: string; creds?: string; insecureRegistry: boolean }) => {
    const repo = parseRepositoryUrl(url);
    const signal = signalOf(list);
    const client = registryClient(o);
    try {
      let tags = await client.listTags(repo.registry, repo.repository, signal);
      if (o.filterRegex !== undefined) {
        const re = new RegExp(o.filterRegex);
        tags = tags.filter((t) => re.test(t));
      }
      const rows: string[][] = [];
      for (const t of tags) {
        const { manifest, digest } = await client.getManifest({ ...repo, tag: t }, signal);
        const a = manifest.annotations ?? {};
        rows.push([
          `${repo.registry}/${repo.repository}:${t}`,
          digest,
          a[Annotations.Source] ?? '',
          a[Annotations.Revision] ?? '',
        ]);
      }
      ctx.io.stdout.write(formatTable(['artifact', 'digest', 'source', 'revision'], rows));
    } catch (err) {
      throw new Error(`listing artifacts failed: ${errMessage(err)}`, { cause: err });
    } finally {
      client.close();
    }
  });

  const build = parents.build
    .command('artifact')
    .summary('Build artifact')
    .description(
      'The build artifact command creates a tgz file with the manifests from the given directory or a single manifest file.',
    )
    .option('-p, --path <path>', 'Path to the directory where the Kubernetes manifests are located.')
    .option('-o, --output <file>', 'Path to where the artifact tgz file should be written.', 'artifact.tgz')
    .option('--ignore-paths <paths>', 'set paths to ignore in .gitignore format', collect);
  build.action(async (o: { path?: string; output: string; ignorePaths?: string[] }) => {
    if (!o.path) throw new Error('invalid path ""');
    const data = await buildArtifactTarball(
      resolve(ctx.io.cwd, o.path),
      (o.ignorePaths ?? []).flatMap((p) => p.split(',')),
      signalOf(build),
    );
    writeFileSync(resolve(ctx.io.cwd, o.output), data);
    ctx.logger.successf(`artifact created at ${o.output}`);
  });

  const diff = credsFlag(
    parents.diff
      .command('artifact')
      .argument('<url>')
      .summary('Diff Artifact')
      .description(
        'The diff artifact command computes the diff between the remote OCI artifact and a local directory or file',
      )
      .option('--path <path>', 'path to the directory or file containing the Kubernetes manifests')
      .option('--ignore-paths <paths>', 'set paths to ignore in .gitignore format', collect),
  );
  diff.action(
    async (url: string, o: { path?: string; ignorePaths?: string[]; creds?: string; insecureRegistry: boolean }) => {
      if (!o.path) throw new Error('invalid path ""');
      const ref = parseArtifactUrl(url);
      const signal = signalOf(diff);
      const client = registryClient(o);
      ctx.logger.actionf(`diffing artifact from ${refString(ref)}`);
      try {
        const local = await buildArtifactTarball(
          resolve(ctx.io.cwd, o.path),
          (o.ignorePaths ?? []).flatMap((p) => p.split(',')),
          signal,
        );
        const { manifest } = await client.getManifest(ref, signal);
        const remote = contentLayer(manifest, refString(ref));
        if (remote.digest !== digestOf(local))
          throw new Error('the remote artifact contents differs from the local one');
      } finally {
        client.close();
      }
      ctx.logger.successf('no changes detected');
    },
  );
}
