/**
 * Names, enums and reasons of the `notification.toolkit.fluxcd.io` group, byte-identical to upstream
 * notification-controller (`api/v1/*.go`, `api/v1beta3/*.go`) and fluxcd/pkg `runtime/events`.
 */

/** The API group of Alert, Provider and Receiver. */
export const NotificationGroup = 'notification.toolkit.fluxcd.io' as const;

/** The current (storage) API version of Alert and Provider. */
export const AlertGroupVersion = 'notification.toolkit.fluxcd.io/v1beta3' as const;

/** The current (storage) API version of Provider (same as Alert). */
export const ProviderGroupVersion = AlertGroupVersion;

/** The current (storage) API version of Receiver. */
export const ReceiverGroupVersion = 'notification.toolkit.fluxcd.io/v1' as const;

/** Finalizer the notification reconcilers add (Alert/Provider reconcilers only add/remove it). */
export const NotificationFinalizer = 'finalizers.fluxcd.io' as const;

/** Kubectl category shared by the notification kinds (`kubectl get fluxcd-notifications`). */
export const NotificationCategories = ['all', 'fluxcd', 'fluxcd-notifications'] as const;

/** Reasons of the notification kinds' conditions (upstream `api/v1/condition_types.go`). */
export const NotificationReasons = {
  /** The resource has been initialized. */
  Initialized: 'Initialized',
  /** Some part of the spec could not be validated. */
  ValidationFailed: 'ValidationFailed',
  /** The Receiver's token Secret (or its `token` key) could not be found. */
  TokenNotFound: 'TokenNotFound',
} as const;

/** Reasons of the Kubernetes events the notification-controller records on its own objects. */
export const NotificationEventReasons = {
  /** Recorded (Warning) on an Alert when sending an event to its Provider failed. */
  NotificationDispatchFailed: 'NotificationDispatchFailed',
  /** Recorded (Warning) on an Alert whose inclusion/exclusion regex or matchLabels cannot be used. */
  InvalidConfig: 'InvalidConfig',
  /** Recorded (Warning) on an Alert when the involved object of an event could not be read for matchLabels. */
  SourceFetchFailed: 'SourceFetchFailed',
  /** Recorded (Warning) on an Alert when event metadata keys from several sources conflict (RFC 0008). */
  MetadataAppendFailed: 'MetadataAppendFailed',
  /** Recorded (Normal) on an Alert whose legacy finalizer was removed (migration to the static v1beta3 Alert). */
  Migration: 'Migration',
} as const;

/** Event severities (fluxcd/pkg `runtime/events`): Warning events are `error`, Normal ones `info`; `trace` never leaves the cluster. */
export const EventSeverities = {
  Info: 'info',
  Error: 'error',
  Trace: 'trace',
} as const;

/** The values of `Alert.spec.eventSeverity`: `info` matches every event, `error` only errors. */
export const AlertEventSeverities = ['info', 'error'] as const;

/** Event metadata keys the notification-controller gives a meaning to. */
export const EventMetadataKeys = {
  /** Short description merged in from `Alert.spec.summary` / `eventMetadata.summary`. */
  Summary: 'summary',
  /** Pull/merge request number read by the `*pullrequestcomment` / `*mergerequestcomment` providers. */
  ChangeRequest: 'change_request',
  /** Overrides the commit status context of the git providers. */
  CommitStatus: 'commit_status',
  Revision: 'revision',
  OriginRevision: 'originRevision',
  Token: 'token',
  /** `event.toolkit.fluxcd.io/commit`: the commit a commit-status provider reports on. */
  Commit: 'commit',
} as const;

/** The value of the `<group>/commit_status` metadata that marks an event as a commit status update. */
export const CommitStatusUpdateValue = 'update' as const;

/** Every `Provider.spec.type` value (34), in the order of the upstream CRD enum. */
export const ProviderTypes = [
  'slack',
  'discord',
  'msteams',
  'rocket',
  'generic',
  'generic-hmac',
  'github',
  'gitlab',
  'gitea',
  'bitbucketserver',
  'bitbucket',
  'azuredevops',
  'googlechat',
  'googlepubsub',
  'webex',
  'sentry',
  'azureeventhub',
  'telegram',
  'lark',
  'matrix',
  'opsgenie',
  'alertmanager',
  'grafana',
  'githubdispatch',
  'githubpullrequestcomment',
  'gitlabmergerequestcomment',
  'giteapullrequestcomment',
  'pagerduty',
  'datadog',
  'nats',
  'zulip',
  'otel',
  'zoom',
  'incident.io',
] as const;

/** A `Provider.spec.type` value. */
export type ProviderType = (typeof ProviderTypes)[number];

/** Provider types that set a Git commit status; the only ones that accept `spec.commitStatusExpr`. */
export const CommitStatusProviderTypes = [
  'github',
  'gitlab',
  'gitea',
  'bitbucketserver',
  'bitbucket',
  'azuredevops',
] as const;

/** Provider types that upsert a comment on the pull/merge request named by the `change_request` metadata. */
export const ChangeRequestProviderTypes = [
  'githubpullrequestcomment',
  'gitlabmergerequestcomment',
  'giteapullrequestcomment',
] as const;

/** Default send timeout of a Provider when `spec.timeout` is unset (upstream `GetTimeout`). */
export const DefaultProviderTimeout = '15s' as const;

/** Every `Receiver.spec.type` value, in the order of the upstream CRD enum. */
export const ReceiverTypes = [
  'generic',
  'generic-hmac',
  'generic-oidc',
  'github',
  'gitlab',
  'bitbucket',
  'harbor',
  'dockerhub',
  'quay',
  'gcr',
  'nexus',
  'acr',
  'cdevents',
] as const;

/** A `Receiver.spec.type` value. */
export type ReceiverType = (typeof ReceiverTypes)[number];

/** Path prefix of every Receiver webhook: `/hook/` + hex(sha256(token + name + namespace)). */
export const ReceiverWebhookPath = '/hook/' as const;

/** Default `interval` of a Receiver. */
export const DefaultReceiverInterval = '10m' as const;

/** Audience (`aud` claim) a `generic-oidc` Receiver expects when `oidcProviders[].audience` is unset. */
export const DefaultOIDCAudience = 'notification-controller' as const;

/** Kinds an Alert's `eventSources[].kind` / a Receiver's `resources[].kind` may name. */
export const NotificationObjectKinds = [
  'Bucket',
  'GitRepository',
  'Kustomization',
  'HelmRelease',
  'HelmChart',
  'HelmRepository',
  'ImageRepository',
  'ImagePolicy',
  'ImageUpdateAutomation',
  'OCIRepository',
  'ArtifactGenerator',
  'ExternalArtifact',
] as const;
