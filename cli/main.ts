#!/usr/bin/env node
/**
 * azemu: `az networkcloud` (and the bits of az around it) for the Network Cloud emulator.
 * argv -> command (table lookup) -> arguments -> handler -> resourceGroup -> --query -> -o.
 * Only what a run needs is loaded: the handler module, jmespath for --query, one formatter.
 */
import { checkRequired, parseCommandArgs, resolveCommand } from './argv.js';
import type { CommandContext, Handler, Outcome } from './context.js';
import type { EmulatorClient } from './client.js';
import type { CommandDef, Run } from './commands/types.js';
import { CliError, UsageError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import type { OutputFormat } from './output/index.js';

const HANDLERS: Record<Run['handler'], () => Promise<{ run: Handler }>> = {
  networkcloud: () => import('./commands/handlers/networkcloud.js'),
  account: () => import('./commands/handlers/account.js'),
  group: () => import('./commands/handlers/group.js'),
  rest: () => import('./commands/handlers/rest.js'),
  version: () => import('./commands/handlers/version.js'),
  clock: () => import('./commands/handlers/clock.js'),
  resource: () => import('./commands/handlers/resource.js'),
  role: () => import('./commands/handlers/role.js'),
  secret: () => import('./commands/handlers/secret.js'),
  keyvault: () => import('./commands/handlers/keyvault.js'),
  site: () => import('./commands/handlers/site.js'),
  emulatorPki: () => import('./commands/handlers/emulator-pki.js'),
  fault: () => import('./commands/handlers/fault.js'),
};

/** What az prints (stderr, no prefix) for a command registered with is_preview. */
export const PREVIEW_WARNING = 'This command is in preview and under development. Reference and support levels: https://aka.ms/CLI_refstatus';

async function main(argv: string[]): Promise<number> {
  const started = performance.now();
  const log = createLogger({
    debug: argv.includes('--debug'),
    verbose: argv.includes('--verbose'),
    onlyShowErrors: argv.includes('--only-show-errors'),
  });
  let client: EmulatorClient | undefined;
  try {
    const resolved = resolveCommand(argv[0] === '--version' ? ['version', ...argv.slice(1)] : argv);
    if (resolved.kind === 'group') {
      const { groupHelp } = await import('./help.js');
      const stray = resolved.rest.filter((t) => !['-h', '--help', '--debug', '--verbose', '--only-show-errors'].includes(t));
      if (stray.length && !resolved.help) throw new UsageError(`unrecognized arguments: ${stray.join(' ')}`);
      await write(groupHelp(resolved.path));
      return 0;
    }
    const { command } = resolved;
    if (resolved.help) {
      const { commandHelp } = await import('./help.js');
      await write(commandHelp(command));
      return 0;
    }
    const prog = `azemu ${command.path.join(' ')}`;
    const parsed = await parseOrHelp(command, resolved.rest, prog);
    if (parsed === 'help-shown') return 0;
    const { values } = parsed;
    checkRequired(command, values);
    const query = values.query as string | undefined;
    if (query !== undefined) await (await import('./transform.js')).checkQuery(query);

    // az prints a preview command's status before it runs (knack's PreviewItem for a command)
    if (command.stage === 'Preview' && !values.onlyShowErrors) process.stderr.write(`${PREVIEW_WARNING}\n`);
    const ctx = await makeContext(command, values, parsed.typed, log, (c) => (client = c));
    await confirm(command, values);
    const handler = (await HANDLERS[command.run.handler]()).run;
    const outcome = await handler(ctx);
    await printOutcome(outcome, command, values);
    log.info(`Command ran in ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
    return 0;
  } catch (err) {
    return reportError(err, log);
  } finally {
    client?.close();
  }
}

/** Parse the arguments; `--arg ??` prints what a complex argument accepts instead. */
async function parseOrHelp(command: CommandDef, rest: string[], prog: string) {
  const { ShorthandHelpRequest } = await import('./shorthand.js');
  try {
    return parseCommandArgs(command, rest, prog);
  } catch (err) {
    if (!(err instanceof ShorthandHelpRequest)) throw err;
    const { allArgs } = await import('./commands/table.js');
    const { shapeHelp } = await import('./help.js');
    const index = rest.findIndex((t) => t === '??' || t.endsWith('=??') || t.includes(':??'));
    const option = rest.slice(0, index).reverse().find((t) => t.startsWith('-'));
    const arg = allArgs(command).find((a) => option && a.options.includes(option.split('=')[0]));
    if (arg) await write(shapeHelp(arg));
    return 'help-shown' as const;
  }
}

async function makeContext(
  command: CommandDef,
  values: Record<string, unknown>,
  typed: string[],
  log: Logger,
  onClient: (c: EmulatorClient) => void,
): Promise<CommandContext> {
  let client: EmulatorClient | undefined;
  // loaded up front (cheap) so ctx.client() can stay synchronous for handlers
  const [{ requireProfile, resolveSubscription }, { EmulatorClient }] = await Promise.all([import('./profile.js'), import('./client.js')]);
  return {
    command,
    values,
    log,
    client: () => {
      if (!client) {
        client = new EmulatorClient(requireProfile(), log, {
          CommandName: command.path.join(' '),
          ParameterSetName: typed.join(' '),
        });
        onClient(client);
      }
      return client;
    },
    subscriptionId: () => resolveSubscription(requireProfile(), values.subscription as string | undefined).id,
  };
}

/** az asks "Are you sure...?" before deleting; without a terminal it refuses unless --yes. */
async function confirm(command: CommandDef, values: Record<string, unknown>): Promise<void> {
  if (!command.confirmation || values.yes) return;
  if (!process.stdin.isTTY) throw new CliError('Unable to prompt for confirmation as no tty available. Use --yes.');
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${command.confirmation} (y/n): `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('Operation cancelled.');
}

async function printOutcome(outcome: Outcome | void, command: CommandDef, values: Record<string, unknown>): Promise<void> {
  if (!outcome || outcome.result === undefined || outcome.result === null) return;
  const transform = await import('./transform.js');
  let result: unknown = outcome.result;
  if (outcome.addResourceGroup ?? command.arm) transform.addResourceGroup(result);
  const query = values.query as string | undefined;
  let isOrdered: ((o: object) => boolean) | undefined;
  if (query !== undefined) ({ result, isOrdered } = await transform.applyQuery(result, query));
  if (outcome.floatKeys?.length) {
    const { markFloats, PyFloat } = await import('./output/float.js');
    const keys = new Set(outcome.floatKeys);
    result = markFloats(result, keys);
    // `--query percentComplete` leaves the bare number: still a float in Python
    const last = query === undefined ? undefined : /([A-Za-z_]\w*)\s*$/.exec(query)?.[1];
    if (typeof result === 'number' && last && keys.has(last)) result = new PyFloat(result);
  }
  const format = values.output as OutputFormat;
  // knack: a table transformer applies only without --query, and its column order is kept
  const transformed = format === 'table' && query === undefined && outcome.tableTransformer !== undefined;
  if (transformed) result = outcome.tableTransformer!(result);
  const { render } = await import('./output/index.js');
  await write(await render(result, format, { queryActive: query !== undefined || transformed, isOrdered, color: !!process.stdout.isTTY }));
}

function reportError(err: unknown, log: Logger): number {
  if (err instanceof CliError) {
    process.stderr.write(`ERROR: ${err.message}\n`);
    for (const hint of err.hints) process.stderr.write(`${hint}\n`);
    return err.exitCode;
  }
  process.stderr.write(`ERROR: The command failed with an unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
  log.debug((err as Error)?.stack ?? String(err));
  return 1;
}

function write(text: string): Promise<void> {
  if (!text) return Promise.resolve();
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// keep-alive sockets and timers must not hold the process open after the answer is printed
setImmediate(() => process.exit(code));
