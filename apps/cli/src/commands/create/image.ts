import type { Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { upsertAndWait } from './apply.ts';
import { apiVersionOf, createFlags, durationFlag, objectMeta, print, requireName } from './common.ts';
import { exportObject } from './export.ts';
import { applyOptions } from './sources.ts';

/** The repository path of an image name without its registry (go-containerregistry's `name.NewRepository` split). */
function repositoryPath(image: string): string {
  const i = image.indexOf('/');
  if (i < 0) return image;
  const first = image.slice(0, i);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? image.slice(i + 1) : image;
}

function scanTimeout(v: string): { timeout?: string } {
  if (v === '') return {};
  const d = durationFlag('scan-timeout', v);
  return d === '0s' ? {} : { timeout: d };
}

/** The named capture groups of a Go regular expression. */
function captureNames(regex: string): string[] {
  return [...regex.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1] as string);
}

/** flux's `validateExtractStr`: every `$name`/`${name}` of the template is a capture group of the regex. */
function validateExtract(template: string, names: readonly string[]): void {
  let rest = template;
  for (;;) {
    const i = rest.indexOf('$');
    if (i < 0) return;
    rest = rest.slice(i);
    if (rest[1] === '$') {
      rest = rest.slice(2);
      continue;
    }
    const m = /^\$(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (m === null) throw new Error('--filter-extract is malformed');
    const name = (m[1] ?? m[2]) as string;
    rest = rest.slice(m[0].length);
    const isNumber = /^(0|[1-9][0-9]{0,7})$/.test(name);
    if (!isNumber && !names.includes(name))
      throw new Error(`capture group $${name} used in --filter-extract not found in --filter-regex`);
  }
}

/** `create image repository|policy|update` (`cmd/flux/create_image_*.go`). */
export function registerImageCommands(create: Command, ctx: CommandContext): void {
  const image = create.command('image').description('Create or update resources dealing with image automation');

  image
    .command('repository')
    .argument('[name]')
    .description('Create or update an ImageRepository object')
    .option('--image <image>', 'the image repository to scan; e.g., library/alpine')
    .option('--secret-ref <name>', 'the name of a docker-registry secret to use for credentials')
    .option('--cert-ref <name>', 'the name of a secret to use for TLS certificates')
    // NB there is already a --timeout in the global flags, for the operations of the command itself.
    .option('--scan-timeout <duration>', 'a timeout for scanning; this defaults to the interval if not set')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      const img = str('image');
      if (img === '') throw new Error('an image repository (--image) is required');
      const repoPath = repositoryPath(img);
      if (!/^[a-z0-9_\-./]+$/.test(repoPath))
        throw new Error(
          `unable to parse image value: repository can only contain the characters \`abcdefghijklmnopqrstuvwxyz0123456789_-./\`: ${repoPath}`,
        );
      const spec: Record<string, unknown> = {
        image: img,
        interval: flags.interval,
        ...scanTimeout(str('scanTimeout')),
        ...(str('secretRef') !== '' ? { secretRef: { name: str('secretRef') } } : {}),
        ...(str('certRef') !== '' ? { certSecretRef: { name: str('certRef') } } : {}),
      };
      const repo = {
        apiVersion: apiVersionOf('ImageRepository'),
        kind: 'ImageRepository',
        metadata: objectMeta(objName, ctx.globals(cmd).namespace, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(repo));
      await upsertAndWait(repo, 'ImageRepository', applyOptions(ctx, cmd));
    });

  image
    .command('policy')
    .argument('[name]')
    .description('Create or update an ImagePolicy object')
    .option('--image-ref <name>', 'the name of an image repository object')
    .option('--select-semver <range>', "a semver range to apply to tags; e.g., '1.x'")
    .option(
      '--select-numeric <order>',
      'use numeric sorting to select image; either "asc" meaning select the last, or "desc" meaning select the first',
    )
    .option(
      '--select-alpha <order>',
      'use alphabetical sorting to select image; either "asc" meaning select the last, or "desc" meaning select the first',
    )
    .option('--filter-regex <regex>', 'regular expression pattern used to filter the image tags')
    .option(
      '--filter-extract <template>',
      'replacement pattern (using capture groups from --filter-regex) to use for sorting',
    )
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      const ref = str('imageRef');
      if (ref === '') throw new Error('the name of an ImageRepository in the namespace is required (--image-ref)');
      const imageRepositoryRef = { name: ref };
      const semver = str('selectSemver');
      const alpha = str('selectAlpha');
      const numeric = str('selectNumeric');
      // flux's switch: its first two cases have empty bodies, so semver with alpha or numeric sets no policy.
      let policy: Record<string, unknown> = {};
      if ((semver !== '' && alpha !== '') || (semver !== '' && numeric !== '')) policy = {};
      else if (alpha !== '' && numeric !== '')
        throw new Error('only one of --select-semver, --select-alpha or --select-numeric can be specified');
      else if (semver !== '') policy = { semver: { range: semver } };
      else if (alpha !== '') {
        if (alpha !== 'desc' && alpha !== 'asc') throw new Error('--select-alpha must be one of ["asc", "desc"]');
        policy = { alphabetical: { order: alpha } };
      } else if (numeric !== '') {
        if (numeric !== 'desc' && numeric !== 'asc') throw new Error('--select-numeric must be one of ["asc", "desc"]');
        policy = { numerical: { order: numeric } };
      } else throw new Error('a policy must be provided with either --select-semver or --select-alpha');
      const spec: Record<string, unknown> = { imageRepositoryRef, policy };
      const regex = str('filterRegex');
      if (regex !== '') {
        try {
          // Go's RE2 names groups `(?P<name>…)`; JavaScript spells them `(?<name>…)`.
          new RegExp(regex.replaceAll('(?P<', '(?<'));
        } catch (err) {
          throw new Error('--filter-regex is an invalid regex pattern', { cause: err });
        }
        spec['filterTags'] = { pattern: regex };
        if (str('filterExtract') !== '') {
          validateExtract(str('filterExtract'), captureNames(regex));
          spec['filterTags'] = { pattern: regex, extract: str('filterExtract') };
        }
      } else if (str('filterExtract') !== '')
        throw new Error('cannot specify --filter-extract without specifying --filter-regex');
      const pol = {
        apiVersion: apiVersionOf('ImagePolicy'),
        kind: 'ImagePolicy',
        metadata: objectMeta(objName, ctx.globals(cmd).namespace, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(pol));
      const ready = await upsertAndWait(pol, 'ImagePolicy', applyOptions(ctx, cmd));
      const latest = ready.status?.['latestRef'] as { name?: string; tag?: string } | undefined;
      if (latest !== undefined) ctx.logger.successf(`latest image: ${latest.name ?? ''}:${latest.tag ?? ''}`);
    });

  image
    .command('update')
    .argument('[name]')
    .description('Create or update an ImageUpdateAutomation object')
    .option('--git-repo-ref <name>', 'the name of a GitRepository resource with details of the upstream Git repository')
    .option(
      '--git-repo-namespace <namespace>',
      'the namespace of the GitRepository resource, defaults to the ImageUpdateAutomation namespace',
    )
    .option(
      '--git-repo-path <path>',
      'path to the directory containing the manifests to be updated, defaults to the repository root',
    )
    .option('--checkout-branch <branch>', 'the branch to checkout')
    .option('--push-branch <branch>', 'the branch to push commits to, defaults to the checkout branch if not specified')
    .option('--commit-template <template>', 'a template for commit messages')
    .option('--author-name <name>', 'the name to use for commit author')
    .option('--author-email <email>', 'the email to use for commit author')
    .option('--signing-key-secret <name>', 'the name of a Secret holding the key used to sign commits')
    .option('--signing-key-type <type>', 'the type of the signing key, one of: gpg, ssh (defaults to gpg)')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      if (str('gitRepoRef') === '') throw new Error('a reference to a GitRepository is required (--git-repo-ref)');
      if (str('checkoutBranch') === '') throw new Error('the Git repository branch is required (--checkout-branch)');
      if (str('authorName') === '') throw new Error('the author name is required (--author-name)');
      if (str('authorEmail') === '') throw new Error('the author email is required (--author-email)');
      if (str('signingKeyType') !== '' && str('signingKeySecret') === '')
        throw new Error('--signing-key-type requires --signing-key-secret');
      if (str('signingKeyType') !== '' && str('signingKeyType') !== 'gpg' && str('signingKeyType') !== 'ssh')
        throw new Error('--signing-key-type must be one of: gpg, ssh');
      const commit: Record<string, unknown> = {
        author: { name: str('authorName'), email: str('authorEmail') },
        ...(str('commitTemplate') !== '' ? { messageTemplate: str('commitTemplate') } : {}),
      };
      if (str('signingKeySecret') !== '')
        commit['signingKey'] = {
          secretRef: { name: str('signingKeySecret') },
          type: str('signingKeyType') !== '' ? str('signingKeyType') : 'gpg',
        };
      const spec: Record<string, unknown> = {
        sourceRef: {
          kind: 'GitRepository',
          name: str('gitRepoRef'),
          ...(str('gitRepoNamespace') !== '' ? { namespace: str('gitRepoNamespace') } : {}),
        },
        git: {
          checkout: { ref: { branch: str('checkoutBranch') } },
          commit,
          ...(str('pushBranch') !== '' ? { push: { branch: str('pushBranch') } } : {}),
        },
        interval: flags.interval,
        ...(str('gitRepoPath') !== '' ? { update: { path: str('gitRepoPath'), strategy: 'Setters' } } : {}),
      };
      const upd = {
        apiVersion: apiVersionOf('ImageUpdateAutomation'),
        kind: 'ImageUpdateAutomation',
        metadata: objectMeta(objName, ctx.globals(cmd).namespace, flags.labels),
        spec,
      };
      if (flags.export) return print(ctx, exportObject(upd));
      await upsertAndWait(upd, 'ImageUpdateAutomation', applyOptions(ctx, cmd));
    });
}
