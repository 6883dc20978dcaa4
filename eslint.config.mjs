// Flat ESLint config: typescript-eslint for code, @nx/enforce-module-boundaries for the project graph.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

// `@flux-ts/runtime/testing` holds test doubles: production code must not import it (see the blocks below).
const runtimeTestDoubles = {
  group: ['@flux-ts/runtime/testing', '@flux-ts/runtime/testing/*'],
  message: 'Test doubles are for specs only.',
};
// libs/apiserver is the test cluster: production code of apps and libs reaches a cluster only over HTTP.
const testCluster = {
  group: ['@flux-ts/apiserver', '@flux-ts/apiserver/*'],
  message: 'libs/apiserver is for tests and libs/embedded; controllers speak Kubernetes HTTP.',
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out-tsc/**',
      '**/.nx/**',
      '**/.flux-ts/**',
      '**/.testbed/**',
      '**/.test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:app', 'type:testing'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api'] },
            { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:api', 'scope:runtime'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Type-aware rules: promises must be awaited, returned, caught, or explicitly voided. The project service finds
    // each file's nearest tsconfig.json; tools/*.ts belong to no project and get a default one.
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['tools/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Test doubles of the runtime (`@flux-ts/runtime/testing`) stay out of production code: only specs (override
    // below) and the type:testing projects (libs/testing, libs/testbed, libs/embedded; e2e and bench are outside these
    // globs) may import them. Inside libs/runtime the same holds for relative imports of src/testing.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: [
      'libs/testing/**',
      'libs/testbed/**',
      'libs/embedded/**',
      'libs/runtime/src/testing/**',
      'libs/apiserver/**',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [runtimeTestDoubles, testCluster] }],
    },
  },
  {
    files: ['libs/runtime/src/**/*.ts'],
    ignores: ['libs/runtime/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            runtimeTestDoubles,
            testCluster,
            { regex: '^(\\.\\.?/)+testing(/.*)?$', message: 'Test doubles are for specs only.' },
          ],
        },
      ],
    },
  },
  {
    // Reasons and condition types are Flux's vocabulary: apps take them from @flux-ts/api's constants, never as
    // string literals (a typo would be a silent API change).
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int.spec.ts', '**/*.spec-helper.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'NewExpression[callee.name=/^(GenericError|StallingError|WaitingError)$/] > Literal.arguments:nth-child(2)',
          message: 'Use a reason constant from @flux-ts/api, not a string literal.',
        },
        {
          selector:
            "CallExpression[callee.object.name='conditions'][callee.property.name=/^(markTrue|markFalse|markUnknown|markReconciling|markStalled|remove|get|has|isTrue|isFalse|isUnknown)$/] > Literal.arguments:nth-child(2)",
          message: 'Use a condition type constant from @flux-ts/api, not a string literal.',
        },
        {
          selector:
            "CallExpression[callee.object.name='conditions'][callee.property.name=/^(markTrue|markFalse|markUnknown)$/] > Literal.arguments:nth-child(3)",
          message: 'Use a reason constant from @flux-ts/api, not a string literal.',
        },
        {
          selector: "Property[key.name='reason'] > Literal.value",
          message: 'Use a reason constant from @flux-ts/api, not a string literal.',
        },
      ],
    },
  },
  {
    // Tests may also use test-only packages (type:testing) and the in-process API server, whatever their scope;
    // production code keeps the constraints above.
    files: ['**/*.spec.ts', '**/*.test.ts', '**/*.int.spec.ts', '**/*.spec-helper.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:app', 'type:testing'] },
          ],
        },
      ],
    },
  },
);
