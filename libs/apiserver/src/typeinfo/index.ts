export type { FieldTypeInfo, ListSemantics, PatchStrategy, TypeInfo, TypeInfoTable } from './types.ts';
export { emptyTypeInfo, typeInfoFromTable } from './types.ts';
export { builtinTypeInfo, objectMetaTypeInfo } from './builtin.ts';
export { crdTypeInfo } from './crd.ts';
