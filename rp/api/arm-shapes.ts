/**
 * The shapes ARM and the provider share beyond the resource types: the error envelope, the status
 * of a long-running operation (NetworkCloud's own OperationStatusResult, with command output) and
 * the operations list. Written in the same vocabulary as the resource trees so that specs/ emits
 * them the same way.
 */
import { arr, armId, bool, dateTime, enm, obj, ro, str, type Field } from './schema.js';

const errorAdditionalInfo: Field = ro(
  obj('Extra, typed information about an error.', {
    info: { type: 'object', description: 'The information itself; its shape depends on type.' },
    type: str('What kind of information this is.'),
  }, { definition: 'ErrorAdditionalInfo' }),
);

/** ErrorDetail nests itself (details), so the tree is closed after it is built. */
function buildErrorDetail(): Field {
  const detail = ro(obj('What went wrong.', {
    additionalInfo: arr('Extra information about the error.', errorAdditionalInfo),
    code: str('A machine-readable error code, such as ResourceNotFound.'),
    message: str('A human-readable explanation.'),
    target: str('The part of the request the error is about, such as a JSON path.'),
  }, { definition: 'ErrorDetail' }));
  detail.fields = { ...detail.fields, details: ro(arr('Finer-grained errors that make up this one.', detail)) };
  return detail;
}

export const ERROR_DETAIL: Field = buildErrorDetail();

export const ERROR_RESPONSE: Field = obj('The body of every error response: one error, possibly with details.', {
  error: ERROR_DETAIL,
}, { definition: 'ErrorResponse' });

function buildOperationStatus(): Field {
  const status = ro(obj('The status of a long-running operation, and the outcome of a command it ran.', {
    endTime: dateTime('When the operation finished.'),
    error: ERROR_DETAIL,
    id: str('The fully qualified id of this operation status.'),
    name: str('The operation id.'),
    percentComplete: { type: 'number', description: 'How far the operation has got, from 0 to 100.', minimum: 0, maximum: 100 },
    properties: obj('The outcome of a command the operation ran on a machine or appliance.', {
      exitCode: str('The exit code of the command.'),
      outputHead: str('The first lines of the command\'s output.'),
      resultRef: str('Where the full output of the command is stored.'),
      resultUrl: str('A URL to download the full output of the command.'),
    }, { definition: 'OperationStatusResultProperties' }),
    resourceId: armId('The resource the operation acts on.'),
    startTime: dateTime('When the operation started.'),
    status: str('The state of the operation: InProgress, Succeeded, Failed or Canceled.', { required: true }),
  }, { definition: 'OperationStatusResult' }));
  status.fields = { ...status.fields, operations: ro(arr('The operations this one is made of.', status)) };
  return status;
}

export const OPERATION_STATUS_RESULT: Field = buildOperationStatus();

export const OPERATION_LIST_RESULT: Field = ro(obj('The operations a resource provider offers.', {
  nextLink: str('The URL of the next page, when there is one.'),
  value: arr('The operations.', obj('One operation of the provider.', {
    actionType: enm(['Internal'], 'Whether the operation is for internal use only.'),
    display: obj('How the operation is shown to people.', {
      description: str('What the operation does.'),
      operation: str('The operation\'s short name.'),
      provider: str('The resource provider.'),
      resource: str('The resource type the operation acts on.'),
    }, { definition: 'OperationDisplay' }),
    isDataAction: bool('Whether the operation acts on data rather than on the management plane.'),
    name: str('The operation name, such as Microsoft.NetworkCloud/clusters/read.'),
    origin: enm(['user', 'system', 'user,system'], 'Who may call the operation.'),
  }, { definition: 'Operation' })),
}, { definition: 'OperationListResult' }));
