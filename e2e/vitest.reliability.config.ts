import { defineConfig } from 'vitest/config';

// `npm run reliability`: issue 26's reliability suite alone (see README.md).
export default defineConfig({
  test: { include: ['src/reliability.e2e.spec.ts'] },
});
