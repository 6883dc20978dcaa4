import { configDefaults, defineConfig } from 'vitest/config';

// The reliability suite (kill -9 rounds, API faults, hostile inputs) runs for about ten minutes: it has its own
// command, `npm run reliability`, so that `npm test` stays within CI's time budget.
export default defineConfig({
  test: { exclude: [...configDefaults.exclude, 'src/reliability.e2e.spec.ts'] },
});
