import { mkdir, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Storage } from './storage.ts';

/** Options of {@link buildArtifactServer}. */
export interface ArtifactServerOptions {
  /** The storage whose root is served. */
  storage: Storage;
  /** A pino-compatible logger; logging is off when omitted. */
  logger?: FastifyBaseLogger | undefined;
}

const notFoundSchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

/**
 * Builds (does not start) the artifact file server: `GET`/`HEAD /<path>` serves regular files under the
 * storage root (symlinks only when they resolve inside it), everything else is 404 — traversal
 * (`..`, encoded `%2e%2e`, backslashes), dotfiles (temp files, locks), directories and missing files.
 * `GET /` answers 200 for readiness. The caller listens on `--storage-addr`, only while leader.
 */
export async function buildArtifactServer(options: ArtifactServerOptions): Promise<FastifyInstance> {
  const { storage } = options;
  const notFound = { statusCode: 404, error: 'Not Found', message: 'not found' };
  const app = Fastify({
    loggerInstance: options.logger,
    disableRequestLogging: true,
    // malformed URLs (bad percent-encoding) are answered like any other unservable path
    // (its reply type is over-constrained by generics; it is a plain FastifyReply at runtime)
    frameworkErrors: (_err, _req, reply) => void (reply as unknown as FastifyReply).code(404).send(notFound),
  }) as unknown as FastifyInstance;
  await mkdir(storage.basePath, { recursive: true });
  await app.register(fastifyStatic, { root: storage.basePath, serve: false, index: false, dotfiles: 'ignore' });
  const rootReal = await realpath(storage.basePath).catch(() => storage.basePath);

  app.get('/', { schema: { response: { 200: { type: 'string' } } } }, async (_req, reply) =>
    reply.type('text/plain').send('ok'),
  );

  app.get(
    '/*',
    {
      schema: {
        params: { type: 'object', properties: { '*': { type: 'string' } } },
        response: { 404: notFoundSchema },
      },
    },
    async (request, reply) => {
      const rel = safeRelativePath(request.raw.url ?? '');
      if (rel === undefined) return reply.code(404).send(notFound);
      let file: string;
      try {
        file = storage.localPath(rel);
        const real = await realpath(file);
        if (!real.startsWith(rootReal + sep)) return reply.code(404).send(notFound);
        if (!(await stat(real)).isFile()) return reply.code(404).send(notFound);
      } catch {
        return reply.code(404).send(notFound);
      }
      return reply.sendFile(rel);
    },
  );

  app.setNotFoundHandler({}, (_req, reply) => reply.code(404).send(notFound));
  return app;
}

/** Decodes the request path and returns it relative to the root, or undefined when it is unsafe. */
function safeRelativePath(rawUrl: string): string | undefined {
  const pathname = rawUrl.split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return undefined;
  return segments.join('/');
}
