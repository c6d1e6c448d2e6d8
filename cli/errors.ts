/**
 * Every failure azemu reports is one of these, printed once by main as az prints it:
 * `ERROR: <message>` on stderr (plus optional hint lines), nothing on stdout, and az's exit
 * code: 2 for a bad command line, 3 when ARM says 404, 1 for everything else.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** lines printed after the ERROR line (az's "recommendations") */
    readonly hints: string[] = [],
  ) {
    super(message);
  }
}

/** argparse-style command-line errors (exit 2). */
export class UsageError extends CliError {
  constructor(message: string, hints: string[] = []) {
    super(message, 2, hints);
  }
}

export interface ArmErrorDetail {
  code?: string;
  message?: string;
  target?: string;
  details?: ArmErrorDetail[];
  innererror?: unknown;
}

/**
 * An HTTP error from ARM, worded like azure-core's HttpResponseError with the ODataV4 format:
 *   (Code) message
 *   Code: Code
 *   Message: message
 *   Target: ...                  (when present)
 *   Exception Details:\t(...)    (inner details, tab-indented, joined the way azure-core joins them)
 */
export class ArmResponseError extends CliError {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly body: string,
    readonly error?: ArmErrorDetail,
  ) {
    super(error?.code || error?.message ? odataMessage(error) : invalidStatusMessage(reason, body), status === 404 ? 3 : 1);
  }
}

function odataMessage(error: ArmErrorDetail): string {
  return `(${error.code ?? 'None'}) ${error.message ?? 'None'}\n${messageDetails(error)}`;
}

function messageDetails(error: ArmErrorDetail): string {
  let text = `Code: ${error.code ?? 'None'}\nMessage: ${error.message ?? 'None'}`;
  if (error.target) text += `\nTarget: ${error.target}`;
  if (error.details?.length) {
    text += '\nException Details:';
    // azure-core appends each detail's tab-indented lines without a separating newline
    for (const detail of error.details) text += odataMessage(detail).split('\n').map((line) => '\t' + line).join('\n');
  }
  if (error.innererror !== undefined) text += `\nInner error: ${JSON.stringify(error.innererror, null, 4)}`;
  return text;
}

function invalidStatusMessage(reason: string, body: string): string {
  return `Operation returned an invalid status '${reason}'` + (body ? `\nContent: ${body}` : '');
}

/** Parse an ARM error body, if it is one. */
export function armErrorOf(body: string): ArmErrorDetail | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: ArmErrorDetail } & ArmErrorDetail;
    if (parsed && typeof parsed === 'object') {
      if (parsed.error && typeof parsed.error === 'object') return parsed.error;
      if (typeof parsed.code === 'string' && typeof parsed.message === 'string') return parsed;
    }
  } catch {
    /* not JSON */
  }
  return undefined;
}

export const notLoggedIn = (): CliError => new CliError("Please run 'azemu login' to setup account.");
