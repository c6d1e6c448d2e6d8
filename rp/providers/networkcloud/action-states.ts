/**
 * actionStates[]: the most recent run of each action a resource has had (one entry per action
 * type, newest first), as clusters, bare metal machines and the other types with the array report.
 */
import type { Json, JsonObject } from '../../api/derive.js';
import type { OperationRecord } from '../../arm/operations.js';

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
  // A new run of an action replaces its previous entry.
  props.actionStates = [entry, ...previous.filter((p) => (p as JsonObject | null)?.actionType !== entry.actionType)];
}
