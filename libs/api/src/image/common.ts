/**
 * Schemas shared by the image kinds: the ACL of cross-namespace references (fluxcd/pkg `apis/acl`),
 * `metav1.LabelSelector`, and the image reference of ImagePolicy/ImageUpdateAutomation status.
 */
import { Type } from '@sinclair/typebox';
import { Obj, StringMap } from '../define.ts';

/** fluxcd/pkg `acl.AccessFrom`: which namespaces (by labels) may reference the object. */
export const ImageAccessFrom = Obj(
  {
    namespaceSelectors: Type.Array(
      Obj(
        {
          matchLabels: Type.Optional(
            StringMap({
              description:
                'MatchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels\nmap is equivalent to an element of matchExpressions, whose key field is "key", the\noperator is "In", and the values array contains only "value". The requirements are ANDed.',
            }),
          ),
        },
        {
          description:
            'NamespaceSelector selects the namespaces to which this ACL applies.\nAn empty map of MatchLabels matches all namespaces in a cluster.',
        },
      ),
      {
        description:
          'NamespaceSelectors is the list of namespace selectors to which this ACL applies.\nItems in this list are evaluated using a logical OR operation.',
      },
    ),
  },
  {
    description:
      "AccessFrom defines an ACL for allowing cross-namespace references\nto the ImageRepository object based on the caller's namespace labels.",
  },
);

/** `metav1.LabelSelector`, as controller-gen renders it. */
export const ImageLabelSelector = Obj(
  {
    matchExpressions: Type.Optional(
      Type.Array(
        Obj(
          {
            key: Type.String({ description: 'key is the label key that the selector applies to.' }),
            operator: Type.String({
              description:
                "operator represents a key's relationship to a set of values.\nValid operators are In, NotIn, Exists and DoesNotExist.",
            }),
            values: Type.Optional(
              Type.Array(Type.String(), {
                description: 'values is an array of string values.',
                'x-kubernetes-list-type': 'atomic',
              }),
            ),
          },
          {
            description:
              'A label selector requirement is a selector that contains values, a key, and an operator that\nrelates the key and values.',
          },
        ),
        {
          description: 'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
          'x-kubernetes-list-type': 'atomic',
        },
      ),
    ),
    matchLabels: Type.Optional(
      StringMap({ description: 'matchLabels is a map of {key,value} pairs. The requirements are ANDed.' }),
    ),
  },
  {
    description:
      'PolicySelector allows to filter applied policies based on labels.\nBy default includes all policies in namespace.',
    'x-kubernetes-map-type': 'atomic',
  },
);

/** An image reference `{name, tag, digest}` (upstream `ImageRef`). */
export const ImageRef = Obj(
  {
    digest: Type.Optional(Type.String({ description: "Digest is the image's digest." })),
    name: Type.String({ description: "Name is the bare image's name." }),
    tag: Type.String({ description: "Tag is the image's tag." }),
  },
  { description: 'ImageRef represents an image reference.' },
);

/**
 * Splits a legacy image string (`name:tag` or `name:tag@digest`, as in v1beta2 `status.latestImage`)
 * into an `ImageRef`. Returns undefined when there is no tag. Hand-written: a three-way split of one
 * string does not warrant an image-reference parser dependency in the API package.
 */
export function parseImageString(image: string): { name: string; tag: string; digest?: string } | undefined {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  // a colon before the last slash belongs to the registry host:port, not to a tag
  if (colon < 0 || colon < rest.lastIndexOf('/')) return undefined;
  const name = rest.slice(0, colon);
  const tag = rest.slice(colon + 1);
  if (name === '' || tag === '') return undefined;
  return digest !== undefined && digest !== '' ? { name, tag, digest } : { name, tag };
}
