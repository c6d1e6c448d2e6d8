/** The ARM envelope of every HTTP exchange: request ids, JSON bodies, errors and the final 404. */
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ArmError, errors } from './errors.js';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface Logger {
  request(line: string): void;
  error(line: string): void;
  /** false when request lines are not wanted (--quiet): then none are even built. */
  requests?: boolean;
}

/** x-ms-request-id on every response; correlation and client request ids echoed as ARM does. */
export function requestContext(log: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = randomUUID();
    const correlation = headerValue(req, 'x-ms-correlation-request-id') ?? requestId;
    res.locals.requestId = requestId;
    res.setHeader('x-ms-request-id', requestId);
    res.setHeader('x-ms-correlation-request-id', correlation);
    const clientRequestId = headerValue(req, 'x-ms-client-request-id');
    if (clientRequestId !== undefined) res.setHeader('x-ms-client-request-id', clientRequestId);
    if (log.requests === false) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Only method, path and status: query strings and headers may carry secrets.
      log.request(`${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)}ms ${requestId}`);
    });
    next();
  };
}

export function headerValue(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses JSON bodies of any content type ARM clients use; malformed or oversized bodies become ARM 4xx. */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: MAX_BODY_BYTES, type: () => true, strict: false });
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return next();
    if (isFormRequest(req)) return next();
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { type?: string; status?: number };
      if (e.type === 'entity.too.large') return next(errors.payloadTooLarge(MAX_BODY_BYTES));
      if (e.type === 'entity.parse.failed') return next(errors.invalidRequestContent('The request content is not valid JSON.'));
      if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return next(errors.badRequest('UnsupportedMediaType', 'The request body encoding is not supported.'));
      if (e.type === 'request.aborted') return next(errors.badRequest('RequestAborted', 'The client closed the request before its body arrived.'));
      return next(errors.invalidRequestContent('The request body could not be read.'));
    });
  };
}

function isFormRequest(req: Request): boolean {
  return (headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Sends JSON once serialised, with ARM's content type. */
export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, body === undefined ? undefined : JSON.stringify(body), headers);
}

/** Sends already serialised JSON (e.g. a cached view of a resource, kept as bytes). */
export function sendJsonText(res: Response, status: number, text: string | Buffer | undefined, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.statusCode = status;
  if (text === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(text);
}

export function notFound(): RequestHandler {
  return (req, _res, next) => next(errors.noRoute(req.method, req.path));
}

/** Renders every failure as an ARM error body. Unexpected errors become a 500 with no stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let armError: ArmError;
    if (err instanceof ArmError) armError = err;
    else if (isHttpError(err) && err.status >= 400 && err.status < 500) {
      armError = new ArmError(err.status, 'BadRequest', 'The request could not be understood.');
    } else {
      log.error(`unhandled error on ${req.method} ${req.path}: ${(err as Error)?.stack ?? String(err)}`);
      armError = new ArmError(500, 'InternalServerError', 'The emulator hit an internal error. Its log has the details.');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendJson(res, armError.status, req.method === 'HEAD' ? undefined : armError.toBody(), armError.headers);
  };
}

function isHttpError(e: unknown): e is { status: number } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number';
}

/** A route whose handler may be async: what it throws or rejects with goes to the error handler. */
export function route(handler: (req: Request, res: Response) => Promise<void> | void): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      await handler(req, res);
    } catch (e) {
      next(e);
    }
  };
}
