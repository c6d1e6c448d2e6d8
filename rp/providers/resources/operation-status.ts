/** The two status resources of a long-running operation (see rp/arm/operations.ts). */
import { ArmError } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import type { OperationRecord } from '../../arm/operations.js';
import { parseResourceId } from '../../arm/resource-id.js';
import type { ArmContext } from '../context.js';

function find(ctx: ArmContext, id: string): OperationRecord {
  const op = ctx.emu.operations.get(id);
  if (!op || op.subscriptionId.toLowerCase() !== ctx.path.subscriptionId!.toLowerCase()) {
    throw new ArmError(404, 'OperationNotFound', `The operation '${id}' was not found.`);
  }
  if (op.fault) ctx.res.setHeader('x-ms-emulator-fault', op.fault.ruleId);
  return op;
}

/** Azure-AsyncOperation: 200 with the status, whatever it is. */
export function operationStatus(ctx: ArmContext, id: string): void {
  const op = find(ctx, id);
  const headers: Record<string, string> = op.status === 'InProgress' ? { 'Retry-After': '1' } : {};
  sendJson(ctx.res, 200, ctx.emu.operations.statusBody(op), headers);
}

/** Location: 202 while running, then the outcome as a status code. */
export function operationResult(ctx: ArmContext, id: string): void {
  const op = find(ctx, id);
  const ops = ctx.emu.operations;
  if (op.status === 'InProgress') {
    sendJson(ctx.res, 202, undefined, { Location: ops.statusUrl(ctx.emu.endpoint, op, ctx.apiVersion, 'operationResults'), 'Retry-After': '1' });
    return;
  }
  if (op.status === 'Failed' || op.status === 'Canceled') {
    sendJson(ctx.res, op.failureStatus ?? 500, { error: op.error ?? { code: 'OperationFailed', message: 'The operation failed.' } });
    return;
  }
  // A PUT or PATCH ends in the resource itself (what a client polling Location expects to read).
  if (op.verb === 'put' || op.verb === 'patch') {
    const parts = parseResourceId(op.resourceId);
    const view = parts && ctx.emu.providers.handler(parts.namespace, parts.type)?.viewById?.(ctx.emu, op.resourceId, ctx.apiVersion);
    if (view) {
      sendJson(ctx.res, 200, view);
      return;
    }
  }
  sendJson(ctx.res, 200, ops.statusBody(op));
}
