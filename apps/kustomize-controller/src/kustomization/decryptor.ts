/**
 * kustomize-controller's `internal/decryptor` for `spec.decryption.provider: sops`: keys imported from the
 * `decryption.secretRef` Secret (`*.agekey` age identities, `*.asc` armored OpenPGP private keys), SOPS files fed
 * to kustomize (secretGenerator `files`/`envs`, `patches[].path`) decrypted in the build directory before the
 * build, and SOPS-encrypted resources of the build output decrypted before substitution. Nothing here logs, and no
 * message carries a decrypted value or key material.
 */
import { join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KustomizeAnnotationValues, KustomizeAnnotations } from '@flux-ts/api';
import type { ConfinedFs } from '@flux-ts/artifact';
import { KUSTOMIZATION_FILE_NAMES } from '@flux-ts/kustomize';
import { errMessage } from '@flux-ts/runtime';
import {
  SopsError,
  SopsKeyring,
  SopsMarkers,
  decryptDocument,
  decryptObject,
  detectFormat,
  formatForPath,
  hasSopsMetadata,
} from './sops.ts';
import type { SopsFormat } from './sops.ts';

/** The only decryption provider. */
export const DecryptionProviderSOPS = 'sops';
/** Key-name suffix of armored OpenPGP private keys in the decryption Secret. */
export const DecryptionPGPExt = '.asc';
/** Key-name suffix of age identity files in the decryption Secret. */
export const DecryptionAgeExt = '.agekey';
/** Largest encrypted file decrypted (Flux's `maxEncryptedFileSize`, 5 MiB). */
export const MaxEncryptedFileSize = 5 << 20;

type Obj = Record<string, unknown>;

/** True when the object has `kustomize.toolkit.fluxcd.io/decrypt: disabled` (case-insensitive). */
export function isDecryptionDisabled(obj: Obj): boolean {
  const ann = (obj['metadata'] as { annotations?: Record<string, string> } | undefined)?.annotations;
  return ann?.[KustomizeAnnotations.Decrypt]?.toLowerCase() === KustomizeAnnotationValues.Disabled;
}

/** True for a `v1` Secret that still carries `sops` metadata (Flux's `IsEncryptedSecret`). */
export function isEncryptedSecret(obj: Obj): boolean {
  return obj['apiVersion'] === 'v1' && obj['kind'] === 'Secret' && obj['sops'] !== undefined;
}

/** Decrypts the SOPS content of one Kustomization build. */
export class Decryptor {
  readonly #keyring: SopsKeyring;

  constructor(keyring: SopsKeyring = new SopsKeyring()) {
    this.#keyring = keyring;
  }

  /**
   * A decryptor with the keys of a decryption Secret's `data` (base64 values, as the API returns them).
   * @param secretName `<namespace>/<name>`, for messages
   * @throws Error `failed to import '<key>' data from sops decryption Secret '<ns>/<name>': <cause>`
   */
  // `sops.vault-token`, `sops.aws-kms`, `sops.azure-kv` and `sops.gcp-kms` entries are accepted and ignored: a file
  // that only such master keys open fails in `dataKey` with `… master keys are not supported by flux-ts`.
  static async fromSecretData(data: Record<string, string>, secretName: string): Promise<Decryptor> {
    const keyring = new SopsKeyring();
    for (const [name, b64] of Object.entries(data)) {
      const value = Buffer.from(b64, 'base64').toString('utf8');
      try {
        if (name.endsWith(DecryptionPGPExt)) await keyring.importPgp(value);
        else if (name.endsWith(DecryptionAgeExt)) await keyring.importAge(value);
      } catch (err) {
        throw new Error(
          `failed to import '${name}' data from ${DecryptionProviderSOPS} decryption Secret '${secretName}': ${errMessage(err)}`,
          { cause: err },
        );
      }
    }
    return new Decryptor(keyring);
  }

  /** Decrypts `text` (a SOPS file in `input` format) into `output` format. */
  async decrypt(text: string, input: SopsFormat, output: SopsFormat, verifyMac: boolean): Promise<string> {
    return decryptDocument(text, input, output, { keyring: this.#keyring, verifyMac });
  }

  /**
   * Decrypts, in place, every SOPS file the kustomization in `dir` (and, recursively, its directory resources and
   * components) feeds to kustomize: secretGenerator `files` (format from the key's extension) and `envs` (dotenv
   * unless the extension says otherwise), and local `patches[].path`. Files without the format's marker are left
   * alone; references that leave the confined file system (symlinks resolved) are skipped, for kustomize to refuse
   * them. The MAC is verified, the files being as sops wrote them.
   * @throws SopsError `failed to decrypt '<path relative to root>': <cause>`
   */
  async decryptSources(fs: ConfinedFs, dir: string): Promise<void> {
    const root = fs.root;
    const done = new Set<string>();
    const visited = new Set<string>();
    const visitFile = async (base: string, ref: string, format: SopsFormat): Promise<void> => {
      const given = resolve(base, ref);
      const abs = fs.locate(given);
      if (!abs || done.has(abs)) return; // kustomize refuses what leaves the file system, and reports what is missing
      const shown = relative(root, given).split(sep).join('/');
      let st;
      try {
        st = fs.lstatSync(given); // a symlink is an irregular file, not followed
      } catch {
        return;
      }
      if (!st.isFile())
        throw new SopsError(
          `failed to decrypt '${shown}': cannot decrypt irregular file as it has file mode type bits set`,
        );
      if (st.size > MaxEncryptedFileSize)
        throw new SopsError(
          `failed to decrypt '${shown}': cannot decrypt file with size (${st.size} bytes) exceeding limit (${MaxEncryptedFileSize})`,
        );
      const text = fs.readTextSync(abs);
      if (!text.includes(SopsMarkers[format])) return;
      let out: string;
      try {
        out = await this.decrypt(text, format, format, true);
      } catch (err) {
        throw new SopsError(`failed to decrypt '${shown}': ${errMessage(err)}`, { cause: err });
      }
      fs.chmodSync(abs, 0o600);
      fs.writeFileSync(abs, out);
      done.add(abs);
    };
    const visitDir = async (d: string): Promise<void> => {
      const abs = fs.locate(d);
      if (!abs || visited.has(abs)) return;
      visited.add(abs);
      const file = KUSTOMIZATION_FILE_NAMES.find((f) => fs.existsSync(join(abs, f)));
      if (!file) return;
      let k: Obj;
      try {
        const parsed: unknown = parseYaml(fs.readTextSync(join(abs, file)));
        k = typeof parsed === 'object' && parsed !== null ? (parsed as Obj) : {};
      } catch {
        return; // kustomize reports the syntax error
      }
      const list = (v: unknown): string[] =>
        Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      for (const gen of Array.isArray(k['secretGenerator']) ? (k['secretGenerator'] as Obj[]) : []) {
        for (const src of list(gen['files'])) {
          const eq = src.indexOf('=');
          const key = eq < 0 ? src : src.slice(0, eq);
          await visitFile(abs, eq < 0 ? src : src.slice(eq + 1), formatForPath(key));
        }
        const envs = list(gen['envs']);
        if (typeof gen['env'] === 'string' && gen['env'] !== '') envs.push(gen['env']);
        for (const env of envs) {
          const f = formatForPath(env);
          await visitFile(abs, env, f === 'binary' ? 'dotenv' : f);
        }
      }
      for (const p of Array.isArray(k['patches']) ? (k['patches'] as Obj[]) : []) {
        const path = p?.['path'];
        if (typeof path !== 'string' || path === '' || /^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(path)) continue;
        await visitFile(abs, path, formatForPath(path));
      }
      for (const r of [...list(k['resources']), ...list(k['components'])]) await visitDir(resolve(abs, r));
    };
    await visitDir(dir);
  }

  /**
   * Decrypts one resource of the build output: a document with `sops` metadata is decrypted whole (its `sops` key
   * removed; MAC not verified, as in Flux, since kustomize changed the document); otherwise each `data` entry of a
   * Secret that is itself a SOPS file is decrypted into the format its key names (MAC verified: the entry is
   * the file as sops wrote it). Objects annotated
   * `kustomize.toolkit.fluxcd.io/decrypt: disabled` and objects without SOPS content pass through unchanged.
   * @throws SopsError `failed to decrypt and format '<ns>/<name>' <Kind> data: …` or
   *   `failed to decrypt and format '<ns>/<name>' Secret field '<key>': …`
   */
  async decryptResource<T extends Obj>(obj: T): Promise<T> {
    if (isDecryptionDisabled(obj)) return obj;
    const meta = (obj['metadata'] ?? {}) as { name?: string; namespace?: string };
    const id = `${meta.namespace ?? ''}/${meta.name ?? ''}`;
    if (hasSopsMetadata(obj)) {
      try {
        return (await decryptObject(obj, { keyring: this.#keyring })) as T;
      } catch (err) {
        throw new SopsError(`failed to decrypt and format '${id}' ${String(obj['kind'])} data: ${errMessage(err)}`, {
          cause: err,
        });
      }
    }
    if (obj['kind'] !== 'Secret' || typeof obj['data'] !== 'object' || obj['data'] === null) return obj;
    const data = { ...(obj['data'] as Record<string, string>) };
    let changed = false;
    for (const [key, b64] of Object.entries(data)) {
      if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) continue;
      const text = Buffer.from(b64, 'base64').toString('utf8');
      const input = detectFormat(text);
      if (!input) continue;
      try {
        data[key] = Buffer.from(await this.decrypt(text, input, formatForPath(key), true), 'utf8').toString('base64');
      } catch (err) {
        throw new SopsError(`failed to decrypt and format '${id}' Secret field '${key}': ${errMessage(err)}`, {
          cause: err,
        });
      }
      changed = true;
    }
    return changed ? { ...obj, data } : obj;
  }
}
