/**
 * Object references of the notification kinds (upstream `api/v1/reference_types.go`).
 */
import { Type } from '@sinclair/typebox';
import { Obj, StringEnum, StringMap } from '../define.ts';
import { NotificationObjectKinds } from './constants.ts';

/** The properties of upstream `CrossNamespaceObjectReference`, shared by Alert event sources and Receiver resources. */
export const notificationObjectReferenceProperties = () => ({
  apiVersion: Type.Optional(Type.String({ description: 'API version of the referent' })),
  kind: StringEnum(NotificationObjectKinds, { description: 'Kind of the referent' }),
  matchLabels: Type.Optional(
    StringMap({
      description:
        'MatchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels\nmap is equivalent to an element of matchExpressions, whose key field is "key", the\noperator is "In", and the values array contains only "value". The requirements are ANDed.\nMatchLabels requires the name to be set to `*`.',
    }),
  ),
  name: Type.String({
    description: 'Name of the referent\nIf multiple resources are targeted `*` may be set.',
    minLength: 1,
    maxLength: 253,
  }),
  namespace: Type.Optional(Type.String({ description: 'Namespace of the referent', minLength: 1, maxLength: 253 })),
});

/** Upstream `CrossNamespaceObjectReference` (named apart from helm's): an object (or `*` + matchLabels) of one of the Flux kinds, possibly in another namespace. */
export const NotificationObjectReference = Obj(notificationObjectReferenceProperties(), {
  description:
    'CrossNamespaceObjectReference contains enough information to let you locate the\ntyped referenced object at cluster level',
});
