import type { NotifierFactory } from '../types.ts';
import { alertmanagerNotifier } from './alertmanager.ts';
import { datadogNotifier } from './datadog.ts';
import { grafanaNotifier } from './grafana.ts';
import { incidentioNotifier } from './incident-io.ts';
import { natsNotifier } from './nats.ts';
import { azureeventhubNotifier } from './azureeventhub.ts';
import { googlepubsubNotifier } from './googlepubsub.ts';
import { otelNotifier } from './otel.ts';
import { opsgenieNotifier } from './opsgenie.ts';
import { pagerdutyNotifier } from './pagerduty.ts';
import { sentryNotifier } from './sentry.ts';
import { discordNotifier } from './discord.ts';
import { genericHmacNotifier, genericNotifier } from './generic.ts';
import { googlechatNotifier } from './googlechat.ts';
import { larkNotifier } from './lark.ts';
import { matrixNotifier } from './matrix.ts';
import { msteamsNotifier } from './msteams.ts';
import { rocketNotifier } from './rocket.ts';
import { slackNotifier } from './slack.ts';
import { telegramNotifier } from './telegram.ts';
import { webexNotifier } from './webex.ts';
import { zoomNotifier } from './zoom.ts';
import { zulipNotifier } from './zulip.ts';

/** The chat, incident, generic and cloud provider types, by `spec.type`. */
export const chatNotifiers: Partial<Record<string, NotifierFactory>> = {
  generic: genericNotifier,
  'generic-hmac': genericHmacNotifier,
  slack: slackNotifier,
  discord: discordNotifier,
  rocket: rocketNotifier,
  msteams: msteamsNotifier,
  googlechat: googlechatNotifier,
  webex: webexNotifier,
  telegram: telegramNotifier,
  matrix: matrixNotifier,
  lark: larkNotifier,
  zulip: zulipNotifier,
  zoom: zoomNotifier,
  sentry: sentryNotifier,
  opsgenie: opsgenieNotifier,
  pagerduty: pagerdutyNotifier,
  datadog: datadogNotifier,
  grafana: grafanaNotifier,
  alertmanager: alertmanagerNotifier,
  'incident.io': incidentioNotifier,
  nats: natsNotifier,
  googlepubsub: googlepubsubNotifier,
  azureeventhub: azureeventhubNotifier,
  otel: otelNotifier,
};
