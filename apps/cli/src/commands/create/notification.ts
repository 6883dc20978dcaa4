import type { Command } from 'commander';
import type { CommandContext } from '../../context.ts';
import { upsert, waitReady } from './apply.ts';
import { apiVersionOf, collect, createFlags, objectMeta, print, requireName, stringSlice } from './common.ts';
import { exportObject } from './export.ts';
import { applyOptions } from './sources.ts';

/** `<kind>/<name>[.<namespace>]` of `--event-source` and `--resource`. */
function parseObjectRef(value: string, what: string): { kind: string; name: string; namespace?: string } {
  const i = value.indexOf('/');
  if (i <= 0 || i === value.length - 1) throw new Error(`invalid ${what} '${value}', must be in format <kind>/<name>`);
  const kind = value.slice(0, i);
  const rest = value.slice(i + 1);
  const dot = rest.indexOf('.');
  return dot < 0 ? { kind, name: rest } : { kind, name: rest.slice(0, dot), namespace: rest.slice(dot + 1) };
}

/** `create alert`, `create alert-provider` and `create receiver` (`cmd/flux/create_alert*.go`, `create_receiver.go`). */
export function registerNotificationCommands(create: Command, ctx: CommandContext): void {
  create
    .command('alert')
    .argument('[name]')
    .description('Create or update a Alert resource')
    .option('--provider-ref <name>', 'reference to provider')
    .option('--event-severity <severity>', 'severity of events to send alerts for')
    .option(
      '--event-source <source>',
      'sources that should generate alerts (<kind>/<name>), also accepts comma-separated values',
      collect,
    )
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      if (str('providerRef') === '') throw new Error('provider ref is required');
      const sources = stringSlice(o['eventSource']).map((s) => parseObjectRef(s, 'event source'));
      if (sources.length === 0) throw new Error('at least one event source is required');
      if (!flags.export) ctx.logger.generatef('generating Alert');
      const alert = {
        apiVersion: apiVersionOf('Alert'),
        kind: 'Alert',
        metadata: objectMeta(objName, ctx.globals(cmd).namespace, flags.labels),
        spec: {
          providerRef: { name: str('providerRef') },
          ...(str('eventSeverity') !== '' ? { eventSeverity: str('eventSeverity') } : {}),
          eventSources: sources,
        },
      };
      if (flags.export) return print(ctx, exportObject(alert));
      // The v1beta3 Alert has no status: it is ready once applied.
      const opts = applyOptions(ctx, cmd);
      ctx.logger.actionf('applying Alert');
      await upsert(alert, 'Alert', opts);
      ctx.logger.waitingf('waiting for Alert reconciliation');
      ctx.logger.successf(`Alert ${objName} is ready`);
    });

  create
    .command('alert-provider')
    .argument('[name]')
    .description('Create or update a Provider resource')
    .option('--type <type>', 'type of provider')
    .option('--channel <channel>', 'channel to send messages to in the case of a chat provider')
    .option('--username <username>', 'bot username used by the provider')
    .option('--address <address>', 'path to either the git repository, chat provider or webhook')
    .option('--secret-ref <name>', 'name of secret containing authentication token')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      if (str('type') === '') throw new Error('Provider type is required');
      const provider = {
        apiVersion: apiVersionOf('Provider'),
        kind: 'Provider',
        metadata: objectMeta(objName, ctx.globals(cmd).namespace, flags.labels),
        spec: {
          type: str('type'),
          ...(str('channel') !== '' ? { channel: str('channel') } : {}),
          ...(str('username') !== '' ? { username: str('username') } : {}),
          ...(str('address') !== '' ? { address: str('address') } : {}),
          ...(str('secretRef') !== '' ? { secretRef: { name: str('secretRef') } } : {}),
        },
      };
      if (flags.export) return print(ctx, exportObject(provider));
      const opts = applyOptions(ctx, cmd);
      ctx.logger.generatef('generating Provider');
      ctx.logger.actionf('applying Provider');
      await upsert(provider, 'Provider', opts);
      ctx.logger.waitingf('waiting for Provider reconciliation');
      ctx.logger.successf(`Provider ${objName} is ready`);
    });

  create
    .command('receiver')
    .argument('[name]')
    .description('Create or update a Receiver resource')
    .option('--type <type>', 'type of receiver')
    .option('--event <event>', 'also accepts comma-separated values', collect)
    .option('--resource <resource>', 'also accepts comma-separated values', collect)
    .option('--secret-ref <name>', 'name of secret containing token')
    .action(async (name: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const objName = requireName(name);
      const flags = createFlags(cmd);
      const str = (k: string): string => (typeof o[k] === 'string' ? o[k] : '');
      if (str('type') === '') throw new Error('Receiver type is required');
      if (str('secretRef') === '') throw new Error('secret ref is required');
      // flux's utils.ParseObjectKindName: `<kind>/<name>`, no namespace.
      const resources = stringSlice(o['resource']).map((r) => {
        const parts = r.split('/');
        if (parts.length !== 2) throw new Error(`invalid event source '${r}', must be in format <kind>/<name>`);
        return { kind: parts[0] as string, name: parts[1] as string };
      });
      if (resources.length === 0) throw new Error('atleast one resource is required');
      if (!flags.export) ctx.logger.generatef('generating Receiver');
      const events = stringSlice(o['event']);
      const receiver = {
        apiVersion: apiVersionOf('Receiver'),
        kind: 'Receiver',
        metadata: objectMeta(objName, ctx.globals(cmd).namespace, flags.labels),
        spec: {
          type: str('type'),
          ...(events.length > 0 ? { events } : {}),
          resources,
          secretRef: { name: str('secretRef') },
        },
      };
      if (flags.export) return print(ctx, exportObject(receiver));
      const opts = applyOptions(ctx, cmd);
      ctx.logger.actionf('applying Receiver');
      await upsert(receiver, 'Receiver', opts);
      ctx.logger.waitingf('waiting for Receiver reconciliation');
      const ready = await waitReady(receiver, opts);
      ctx.logger.successf(`Receiver ${objName} is ready`);
      ctx.logger.successf(`generated webhook URL ${String(ready.status?.['webhookPath'] ?? '')}`);
    });
}
