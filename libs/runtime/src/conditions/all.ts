/** Everything of the conditions helpers, grouped as the `conditions` namespace object by index.ts. */
export * from './conditions.ts';
export * from './summary.ts';
