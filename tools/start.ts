// `npm start`: the embedded mode (API server + controllers + demo) is issue "npm start" and is not built yet.
// Until it is, this says so plainly and exits non-zero instead of pretending.
console.error(
  [
    'flux-ts: `npm start` (embedded API server, controllers and the demo repository) is not implemented yet.',
    'What exists today: the Flux CRDs (deploy/crds), libs/api, and the controller binaries, which parse their flags:',
    '  npx flux-ts-source-controller --help',
    'See README.md and docs/ARCHITECTURE.md for the status of each part.',
  ].join('\n'),
);
process.exit(1);
