/**
 * pflag's bool flags on commander: `--flag`, `--flag=true` and `--flag=false` (also `-s=false`), never a value in
 * the next argument. Commander has no "value only after `=`" mode, so each boolean option gets a hidden
 * `--no-<name>` twin and {@link normalizeBoolFlags} rewrites `--flag=<bool>` to `--flag` or `--no-flag` before
 * parsing, for the options of the command the arguments name.
 */
import { Option, type Command } from 'commander';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's `strconv.ParseBool`, with pflag's error text for `flag` (e.g. `--export` or `-s, --silent`). */
export function parseGoBool(value: string, flag: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new Error(
    `invalid argument "${value}" for "${flag}" flag: strconv.ParseBool: parsing "${JSON.stringify(value).slice(1, -1)}": invalid syntax`,
  );
}

const isBool = (o: Option): boolean => o.isBoolean() && !o.negate && o.long !== undefined && o.long !== '--help';

/** Adds a hidden `--no-<name>` to every boolean option of `cmd` and its subcommands (once). */
export function addBoolNegations(cmd: Command): void {
  for (const o of [...cmd.options]) {
    if (!isBool(o)) continue;
    const negation = `--no-${(o.long ?? '').slice(2)}`;
    if (!cmd.options.some((x) => x.long === negation)) cmd.addOption(new Option(negation).hideHelp());
  }
  for (const sub of cmd.commands) addBoolNegations(sub);
}

const findSub = (cmd: Command, name: string): Command | undefined =>
  cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));

/**
 * Rewrites `--flag=<bool>` and `-s=<bool>` of the boolean options in scope (the named command's and its
 * ancestors') to `--flag` or `--no-flag`, up to `--`; throws pflag's error on a value that is no Go bool.
 */
export function normalizeBoolFlags(program: Command, argv: readonly string[]): string[] {
  const path: Command[] = [program];
  const options = (): Option[] => path.flatMap((c) => c.options);
  const out: string[] = [];
  let takesValue = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (takesValue) {
      takesValue = false;
      out.push(arg);
      continue;
    }
    const m = /^(--[^=]+|-[A-Za-z])=(.*)$/s.exec(arg);
    const flag = m?.[1];
    if (m && flag !== undefined) {
      const opt = options().find((o) => o.long === flag || o.short === flag);
      if (opt !== undefined && isBool(opt)) {
        const shown = opt.short !== undefined ? `${opt.short}, ${opt.long}` : (opt.long ?? flag);
        out.push(parseGoBool(m[2] ?? '', shown) ? (opt.long ?? flag) : `--no-${(opt.long ?? '').slice(2)}`);
        continue;
      }
      out.push(arg);
      continue;
    }
    if (arg.startsWith('-')) {
      const opt = options().find((o) => o.long === arg || o.short === arg);
      takesValue = opt !== undefined && (opt.required || (opt.optional && !(argv[i + 1] ?? '-').startsWith('-')));
      out.push(arg);
      continue;
    }
    const sub = findSub(path[path.length - 1] as Command, arg);
    if (sub !== undefined) path.push(sub);
    out.push(arg);
  }
  return out;
}
