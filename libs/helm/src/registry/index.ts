/** Helm charts in OCI registries: pull and push as `helm pull oci://` and `helm push` do. */
export * from './oci-repository.ts';
