import { describe, expect, it } from 'vitest';
import { parseFlags } from '@flux-ts/runtime';
import { describeControllerMain } from '@flux-ts/testing';
import {
  main,
  notificationControllerFeatureGates,
  notificationControllerFlags,
  notificationControllerNotice,
} from './index.ts';

describeControllerMain({
  controller: 'notification-controller',
  main,
  flags: notificationControllerFlags,
  featureGates: notificationControllerFeatureGates,
  notice: notificationControllerNotice,
  omittedKeys: ['requeueDependency', 'intervalJitterPercentage', 'watchLabelSelector', 'defaultServiceAccount'],
  helpDefaultLine: ['--receiverAddr string ', '(default ":9292")'],
  implemented: true,
});

describe('notification-controller flags', () => {
  const config = parseFlags(notificationControllerFlags, [], {});

  it('defaults match upstream', () => {
    expect(config).toMatchObject({
      concurrent: 4,
      eventsAddr: { host: '', port: 9090 },
      receiverAddr: { host: '', port: 9292 },
      rateLimitInterval: 300_000,
      exportHttpPathMetrics: false,
      metricsAddr: { host: '', port: 8080 },
      healthAddr: { host: '', port: 9440 },
      watchConfigsLabelSelector: 'reconcile.fluxcd.io/watch=Enabled',
      noCrossNamespaceRefs: false,
      tokenCacheMaxSize: 100,
    });
  });

  it('parses the listen addresses, including ephemeral ports for side-by-side test instances', () => {
    const config = parseFlags(
      notificationControllerFlags,
      ['--events-addr=127.0.0.1:0', '-receiverAddr', '[::1]:0', '--metrics-addr=:0', '--health-addr=:0'],
      {},
    );
    expect(config.eventsAddr).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.receiverAddr).toEqual({ host: '::1', port: 0 });
    expect(config.metricsAddr).toEqual({ host: '', port: 0 });
    expect(config.healthAddr).toEqual({ host: '', port: 0 });
  });
});
