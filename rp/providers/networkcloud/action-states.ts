/** actionStates[]: the record of recent actions that clusters and bare metal machines report. */
import type { Json, JsonObject } from '../../api/derive.js';
import type { OperationRecord } from '../../arm/operations.js';

const KEEP = 10;

export function recordAction(props: JsonObject, fullType: string, op: OperationRecord, endTime: string, message: string): void {
  const entry: JsonObject = {
    actionType: `${fullType}/${op.verb}/action`,
    correlationId: op.name,
    startTime: op.startTime,
    endTime,
    status: 'Completed',
    message,
    stepStates: [{ stepName: op.verb, status: 'Completed', startTime: op.startTime, endTime, message }],
  };
  const previous = Array.isArray(props.actionStates) ? (props.actionStates as Json[]) : [];
  props.actionStates = [entry, ...previous].slice(0, KEEP);
}
