import { describe, it, expect, afterEach } from 'vitest';
import { Registry, Counter } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { buildHealthServer, buildMetricsServer, listen } from './servers.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

describe('buildHealthServer', () => {
  it('answers ok on /healthz and /readyz when all checks pass', async () => {
    const app = buildHealthServer({ healthz: new Map([['ping', () => {}]]), readyz: new Map([['cache', () => {}]]) });
    apps.push(app);
    const h = await app.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.body).toBe('ok');
    const r = await app.inject({ method: 'GET', url: '/readyz?verbose' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('[+]cache ok\nreadyz check passed\n');
  });

  it('fails /readyz with 500 until its check passes, without leaking the reason', async () => {
    let synced = false;
    const app = buildHealthServer({
      readyz: new Map([
        [
          'informers-synced',
          () => {
            if (!synced) throw new Error('secret-ish detail');
          },
        ],
      ]),
    });
    apps.push(app);
    const before = await app.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode).toBe(500);
    expect(before.body).toBe('[-]informers-synced failed: reason withheld\nreadyz check failed\n');
    expect(before.body).not.toContain('secret-ish');
    synced = true;
    const after = await app.inject({ method: 'GET', url: '/readyz' });
    expect(after.statusCode).toBe(200);
  });

  it('serves single checks by name and 404s unknown ones, honouring exclude', async () => {
    const app = buildHealthServer({
      healthz: new Map([
        ['good', () => {}],
        ['bad', async () => Promise.reject(new Error('x'))],
      ]),
    });
    apps.push(app);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(500);
    expect((await app.inject({ url: '/healthz/good' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz/bad' })).statusCode).toBe(500);
    expect((await app.inject({ url: '/healthz/nope' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/healthz?exclude=bad' })).statusCode).toBe(200);
  });
});

describe('buildMetricsServer', () => {
  it('serves the registry in Prometheus text format', async () => {
    const registry = new Registry();
    new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
    const app = buildMetricsServer({ registry });
    apps.push(app);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('demo_total 3');
  });
});

describe('listen', () => {
  it('binds port 0 to an ephemeral port and serves on it', async () => {
    const app = buildHealthServer();
    apps.push(app);
    const addr = await listen(app, { host: '127.0.0.1', port: 0 });
    expect(addr.port).toBeGreaterThan(0);
    expect(addr.url).toBe(`http://127.0.0.1:${addr.port}/`);
    const res = await fetch(new URL('healthz', addr.url));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });
});
