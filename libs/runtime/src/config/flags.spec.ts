import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  FlagError,
  HelpRequestedError,
  defineFlags,
  formatHelp,
  parseFlags,
  toCamelCase,
  wantsHelp,
  withoutFlags,
} from './flags.ts';
import type { FlagConfig } from './flags.ts';
import type { ListenAddress } from './address.ts';

const table = defineFlags([
  { name: 'enable-leader-election', type: 'bool', default: false, usage: 'Enable leader election.' },
  { name: 'watch-all-namespaces', type: 'bool', default: true, usage: 'Watch all namespaces.' },
  { name: 'log-level', type: 'string', default: 'info', usage: 'Log level.' },
  { name: 'concurrent', type: 'int', default: 4, usage: 'Concurrency.' },
  { name: 'helm-index-max-size', type: 'int64', default: 52428800, usage: 'Index size.' },
  { name: 'interval-jitter-percentage', type: 'uint8', default: 5, usage: 'Jitter.' },
  { name: 'gc-interval', type: 'uint16', default: 10, usage: 'GC.' },
  { name: 'kube-api-qps', type: 'float32', default: 50, usage: 'QPS.' },
  { name: 'min-retry-delay', type: 'duration', default: '750ms', usage: 'Min delay.' },
  { name: 'requeue-dependency', type: 'duration', default: '0s', usage: 'Requeue.' },
  { name: 'metrics-addr', type: 'address', default: ':8080', usage: 'Metrics address.' },
  { name: 'receiverAddr', type: 'address', default: ':9292', usage: 'Receiver address.' },
  { name: 'storage-path', type: 'string', default: '/data', env: 'STORAGE_PATH', usage: 'Storage path.' },
  { name: 'storage-addr', type: 'address', default: ':9090', env: 'STORAGE_ADDRESS', usage: 'Storage address.' },
  { name: 'override-manager', type: 'stringArray', default: ['kubectl'], usage: 'Managers.' },
  { name: 'ssh-kex-algos', type: 'stringSlice', default: [], usage: 'Kex algos.' },
  {
    name: 'feature-gates',
    type: 'featureGates',
    gates: { CacheSecretsAndConfigMaps: false, DisableStatusPollerCache: true },
    usage: 'Feature gates.',
  },
]);

const parse = (argv: string[], env: Record<string, string | undefined> = {}): FlagConfig<typeof table> =>
  parseFlags(table, argv, env);

const errorOf = (argv: string[], env: Record<string, string | undefined> = {}): FlagError => {
  try {
    parse(argv, env);
  } catch (err) {
    if (err instanceof FlagError) return err;
    throw err;
  }
  throw new Error(`expected a FlagError for ${JSON.stringify(argv)}`);
};

describe('parseFlags', () => {
  it('returns the defaults under camelCase keys', () => {
    expect(parse([])).toEqual({
      enableLeaderElection: false,
      watchAllNamespaces: true,
      logLevel: 'info',
      concurrent: 4,
      helmIndexMaxSize: 52428800,
      intervalJitterPercentage: 5,
      gcInterval: 10,
      kubeApiQps: 50,
      minRetryDelay: 750,
      requeueDependency: 0,
      metricsAddr: { host: '', port: 8080 },
      receiverAddr: { host: '', port: 9292 },
      storagePath: '/data',
      storageAddr: { host: '', port: 9090 },
      overrideManager: ['kubectl'],
      sshKexAlgos: [],
      featureGates: { CacheSecretsAndConfigMaps: false, DisableStatusPollerCache: true },
    });
  });

  it('types the config from the table', () => {
    const config = parse([]);
    expectTypeOf(config.concurrent).toEqualTypeOf<number>();
    expectTypeOf(config.watchAllNamespaces).toEqualTypeOf<boolean>();
    expectTypeOf(config.metricsAddr).toEqualTypeOf<ListenAddress>();
    expectTypeOf(config.overrideManager).toEqualTypeOf<readonly string[]>();
    expectTypeOf(config.featureGates.DisableStatusPollerCache).toEqualTypeOf<boolean>();
  });

  it.each([
    ['--name=value', ['--log-level=debug']],
    ['--name value', ['--log-level', 'debug']],
    ['-name value', ['-log-level', 'debug']],
    ['-name=value', ['-log-level=debug']],
  ])('accepts the %s syntax', (_syntax, argv) => {
    expect(parse(argv).logLevel).toBe('debug');
  });

  it('lets the last occurrence of a scalar flag win', () => {
    expect(parse(['--concurrent=1', '--concurrent', '7']).concurrent).toBe(7);
  });

  it('keeps values that start with a dash when given as the next argument', () => {
    expect(parse(['--log-level', '-x']).logLevel).toBe('-x');
  });

  it.each([
    [['--enable-leader-election'], true],
    [['-enable-leader-election'], true],
    [['--enable-leader-election=true'], true],
    [['--enable-leader-election=false'], false],
    [['--enable-leader-election=1'], true],
    [['--enable-leader-election=F'], false],
    [['--enable-leader-election', '--enable-leader-election=false'], false],
  ])('parses boolean %j', (argv, value) => {
    expect(parse(argv).enableLeaderElection).toBe(value);
  });

  it('turns a default-true boolean off with =false', () => {
    expect(parse(['--watch-all-namespaces=false']).watchAllNamespaces).toBe(false);
  });

  it('does not let a boolean consume the next argument (pflag semantics)', () => {
    expect(errorOf(['--watch-all-namespaces', 'false']).message).toBe(
      'unexpected argument "false": this command takes flags only (booleans are set with --flag=false)',
    );
  });

  it('rejects a bad boolean value', () => {
    expect(errorOf(['--enable-leader-election=maybe']).message).toBe(
      'invalid argument "maybe" for "--enable-leader-election" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
  });

  it.each([
    ['750ms', 750],
    ['1m30s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['0', 0],
  ])('parses duration %s to milliseconds', (text, ms) => {
    expect(parse([`--min-retry-delay=${text}`]).minRetryDelay).toBe(ms);
  });

  it.each([
    ['5', 'time: missing unit in duration "5"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['soon', 'time: invalid duration "soon"'],
  ])('rejects bad duration %s naming the flag', (text, why) => {
    const err = errorOf(['--min-retry-delay', text]);
    expect(err.message).toBe(`invalid argument "${text}" for "--min-retry-delay" flag: ${why}`);
    expect(err.exitCode).toBe(2);
  });

  it.each([
    [':9090', { host: '', port: 9090 }],
    [':0', { host: '', port: 0 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['[::]:8080', { host: '::', port: 8080 }],
  ])('parses address %s', (text, address) => {
    expect(parse(['--metrics-addr', text]).metricsAddr).toEqual(address);
    expect(parse([`--receiverAddr=${text}`]).receiverAddr).toEqual(address);
  });

  it('rejects a bad address naming the flag', () => {
    expect(errorOf(['--metrics-addr=8080']).message).toBe(
      'invalid argument "8080" for "--metrics-addr" flag: address 8080: missing port in address',
    );
    expect(errorOf(['-receiverAddr', ':70000']).message).toBe(
      'invalid argument ":70000" for "-receiverAddr" flag: address :70000: invalid port "70000"',
    );
  });

  it.each([
    [['--concurrent=0x10'], 16],
    [['--concurrent=-3'], -3],
    [['--concurrent=010'], 8],
    [['--concurrent', '12'], 12],
  ])('parses integers like Go strconv %j', (argv, value) => {
    expect(parse(argv).concurrent).toBe(value);
  });

  it.each([
    [
      ['--concurrent=four'],
      'invalid argument "four" for "--concurrent" flag: strconv.ParseInt: parsing "four": invalid syntax',
    ],
    [
      ['--concurrent=1.5'],
      'invalid argument "1.5" for "--concurrent" flag: strconv.ParseInt: parsing "1.5": invalid syntax',
    ],
    [
      ['--interval-jitter-percentage=256'],
      'invalid argument "256" for "--interval-jitter-percentage" flag: strconv.ParseUint: parsing "256": value out of range',
    ],
    [
      ['--interval-jitter-percentage=-1'],
      'invalid argument "-1" for "--interval-jitter-percentage" flag: strconv.ParseUint: parsing "-1": invalid syntax',
    ],
    [
      ['--gc-interval=65536'],
      'invalid argument "65536" for "--gc-interval" flag: strconv.ParseUint: parsing "65536": value out of range',
    ],
    [
      ['--kube-api-qps=fast'],
      'invalid argument "fast" for "--kube-api-qps" flag: strconv.ParseFloat: parsing "fast": invalid syntax',
    ],
  ])('rejects bad numbers %j', (argv, message) => {
    expect(errorOf(argv).message).toBe(message);
  });

  it('parses float32 values', () => {
    expect(parse(['--kube-api-qps=12.5']).kubeApiQps).toBe(12.5);
  });

  it.each([
    [['--foo'], 'unknown flag: --foo'],
    [['--foo=bar'], 'unknown flag: --foo'],
    [['-foo'], 'unknown flag: -foo'],
    [['--concurrent'], 'flag needs an argument: --concurrent'],
    [['---concurrent=1'], 'bad flag syntax: ---concurrent=1'],
    [['--=1'], 'bad flag syntax: --=1'],
    [['extra'], 'unexpected argument "extra": this command takes flags only (booleans are set with --flag=false)'],
    [
      ['--', '--concurrent=1'],
      'unexpected argument "--concurrent=1": this command takes flags only (booleans are set with --flag=false)',
    ],
  ])('rejects %j', (argv, message) => {
    const err = errorOf(argv);
    expect(err).toBeInstanceOf(FlagError);
    expect(err.message).toBe(message);
  });

  it('replaces the default of a repeatable string array on first use, then appends', () => {
    expect(parse(['--override-manager', 'helm', '--override-manager=a,b']).overrideManager).toEqual(['helm', 'a,b']);
  });

  it('splits string slices on commas and appends repeats', () => {
    expect(parse(['--ssh-kex-algos=a,b', '-ssh-kex-algos', 'c']).sshKexAlgos).toEqual(['a', 'b', 'c']);
  });

  it('merges feature gates over their defaults, across repeats', () => {
    const config = parse([
      '--feature-gates',
      'CacheSecretsAndConfigMaps=true, DisableStatusPollerCache = false',
      '--feature-gates=DisableStatusPollerCache=true',
    ]);
    expect(config.featureGates).toEqual({ CacheSecretsAndConfigMaps: true, DisableStatusPollerCache: true });
  });

  it('rejects an unknown feature gate, naming it and the supported ones', () => {
    expect(errorOf(['--feature-gates=CacheSecretsAndConfigMaps=true,Teleport=true']).message).toBe(
      'invalid argument for "--feature-gates" flag: feature-gate \'Teleport\' not supported (supported: CacheSecretsAndConfigMaps, DisableStatusPollerCache)',
    );
  });

  it.each([
    ['CacheSecretsAndConfigMaps', 'malformed pair "CacheSecretsAndConfigMaps", expect string=bool'],
    [
      'CacheSecretsAndConfigMaps=yes',
      'invalid value of CacheSecretsAndConfigMaps: yes, err: strconv.ParseBool: parsing "yes": invalid syntax',
    ],
  ])('rejects malformed feature gates %s', (value, why) => {
    expect(errorOf([`--feature-gates=${value}`]).message).toBe(
      `invalid argument "${value}" for "--feature-gates" flag: ${why}`,
    );
  });

  it('falls back to the environment where a flag declares it', () => {
    const config = parse([], { STORAGE_PATH: '/var/artifacts', STORAGE_ADDRESS: '[::1]:0' });
    expect(config.storagePath).toBe('/var/artifacts');
    expect(config.storageAddr).toEqual({ host: '::1', port: 0 });
  });

  it('prefers the command line over the environment and ignores empty variables', () => {
    expect(parse(['--storage-path=/cli'], { STORAGE_PATH: '/env' }).storagePath).toBe('/cli');
    expect(parse([], { STORAGE_PATH: '' }).storagePath).toBe('/data');
  });

  it('does not read undeclared environment variables', () => {
    expect(parse([], { LOG_LEVEL: 'debug', CONCURRENT: '9' })).toMatchObject({ logLevel: 'info', concurrent: 4 });
  });

  it('rejects a bad environment value naming the variable and the flag', () => {
    expect(errorOf([], { STORAGE_ADDRESS: 'nowhere' }).message).toBe(
      'invalid value "nowhere" in environment variable STORAGE_ADDRESS for "--storage-addr" flag: address nowhere: missing port in address',
    );
  });

  it('returns a deeply frozen config', () => {
    const config = parse(['--override-manager=x']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.overrideManager)).toBe(true);
    expect(Object.isFrozen(config.featureGates)).toBe(true);
    expect(Object.isFrozen(config.metricsAddr)).toBe(true);
    expect(() => {
      (config as { concurrent: number }).concurrent = 1;
    }).toThrow(TypeError);
  });

  it('does not share list defaults between parses', () => {
    parse(['--override-manager=x']);
    expect(parse([]).overrideManager).toEqual(['kubectl']);
    expect(table[14]).toMatchObject({ default: ['kubectl'] });
  });

  it.each([[['-h']], [['--help']], [['-help']], [['--concurrent=bad', '--help']]])(
    'throws HelpRequestedError for %j',
    (argv) => {
      expect(() => parse(argv)).toThrow(HelpRequestedError);
    },
  );

  it('does not treat --help after -- as a help request', () => {
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['--concurrent=2'])).toBe(false);
  });
});

describe('defineFlags', () => {
  it('rejects duplicate names', () => {
    expect(() =>
      defineFlags([
        { name: 'a', type: 'bool', default: false, usage: '' },
        { name: 'a', type: 'string', default: '', usage: '' },
      ]),
    ).toThrow('invalid flag table: duplicate flag --a');
  });

  it('rejects defaults that do not parse', () => {
    expect(() => defineFlags([{ name: 'd', type: 'duration', default: '5', usage: '' }])).toThrow(
      'invalid flag table: bad default for --d: time: missing unit in duration "5"',
    );
    expect(() => defineFlags([{ name: 'a', type: 'address', default: 'x', usage: '' }])).toThrow(
      'invalid flag table: bad default for --a',
    );
  });

  it('reserves --help', () => {
    expect(() => defineFlags([{ name: 'help', type: 'bool', default: false, usage: '' }])).toThrow(
      '--help is built in',
    );
  });

  it('returns a frozen table', () => {
    expect(Object.isFrozen(table)).toBe(true);
  });
});

describe('withoutFlags', () => {
  it('drops the named rows so they can be redefined', () => {
    const redefined = defineFlags([
      ...withoutFlags(table, ['concurrent']),
      { name: 'concurrent', type: 'int', default: 2, usage: 'Other.' },
    ]);
    expect(redefined).toHaveLength(table.length);
    expect(parseFlags(redefined, [], {}).concurrent).toBe(2);
  });

  it('refuses to drop a flag that is not there', () => {
    expect(() => withoutFlags(table, ['nope' as 'concurrent'])).toThrow('withoutFlags: no flag --nope in table');
  });
});

describe('toCamelCase', () => {
  it.each([
    ['watch-all-namespaces', 'watchAllNamespaces'],
    ['receiverAddr', 'receiverAddr'],
    ['kube-api-qps', 'kubeApiQps'],
    ['concurrent-ssa', 'concurrentSsa'],
  ])('%s → %s', (name, key) => {
    expect(toCamelCase(name)).toBe(key);
  });
});

describe('formatHelp', () => {
  const help = formatHelp(table, { program: 'test-controller', preamble: 'not implemented yet' });
  const lines = help.split('\n');

  it('starts with the preamble and the pflag usage header', () => {
    expect(lines.slice(0, 3)).toEqual(['not implemented yet', '', 'Usage of test-controller:']);
  });

  it('lists every flag once, sorted by name, with help last', () => {
    const names = lines.filter((l) => l.startsWith('      --')).map((l) => /--([\w-]+)/.exec(l)?.[1]);
    const expected = table.map((f) => f.name).sort((a, b) => (a < b ? -1 : 1));
    expect(names).toEqual(expected);
    expect(lines.some((l) => l.startsWith('  -h, --help '))).toBe(true);
  });

  it('aligns the usage column', () => {
    const starts = lines
      .filter((l) => l.startsWith('      --') || l.startsWith('  -h'))
      .map((l) => /^ +\S.*? {3,}(?=\S)/.exec(l)?.[0].length);
    expect(new Set(starts).size).toBe(1);
  });

  it.each([
    ['--concurrent int', 'Concurrency. (default 4)'],
    ['--enable-leader-election', 'Enable leader election.'],
    ['--watch-all-namespaces', 'Watch all namespaces. (default true)'],
    ['--log-level string', 'Log level. (default "info")'],
    ['--helm-index-max-size int', 'Index size. (default 52428800)'],
    ['--interval-jitter-percentage uint8', 'Jitter. (default 5)'],
    ['--kube-api-qps float32', 'QPS. (default 50)'],
    ['--min-retry-delay duration', 'Min delay. (default 750ms)'],
    ['--requeue-dependency duration', 'Requeue.'],
    ['--metrics-addr string', 'Metrics address. (default ":8080")'],
    ['--storage-path string', 'Storage path. (default "/data") (env STORAGE_PATH)'],
    ['--override-manager stringArray', 'Managers. (default [kubectl])'],
    ['--ssh-kex-algos strings', 'Kex algos.'],
    ['--feature-gates mapStringBool', 'Feature gates.'],
  ])('renders %s with its usage and default', (left, right) => {
    const line = lines.find((l) => l.trimStart().startsWith(`${left} `) || l.trim() === left);
    expect(line).toBeDefined();
    expect(line!.trim().endsWith(right)).toBe(true);
    expect(line!.slice(0, line!.indexOf(right)).trim()).toBe(left);
  });

  it('lists the known feature gates with their defaults', () => {
    const at = lines.indexOf('Feature gates for --feature-gates (name=default):');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 3).map((l) => l.trim().split(/\s+/))).toEqual([
      ['CacheSecretsAndConfigMaps', 'false'],
      ['DisableStatusPollerCache', 'true'],
    ]);
  });
});
