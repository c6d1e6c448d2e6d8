/**
 * ARM errors as values: every failure the emulator reports is an ArmError with ARM's code,
 * built here and rendered once by the error middleware into {error:{code,message,target,details}}.
 */
export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
  additionalInfo?: { type: string; info: unknown }[];
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly details?: ErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): { error: ErrorDetail } {
    const error: ErrorDetail = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    if (this.details && this.details.length) error.details = this.details;
    return { error };
  }
}

export const errors = {
  missingApiVersion: () =>
    new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."),
  invalidApiVersion: (given: string, resourceType: string, supported: string[]) =>
    new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${given}' is invalid. The supported versions are '${supported.join(',')}'.`,
      undefined,
      undefined,
    ),
  noRegisteredProvider: (given: string, namespace: string, resourceType: string, location: string, supported: string[]) =>
    new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${location}' and API version '${given}' for type '${resourceType}'. ` +
        `The supported api-versions are '${supported.join(', ')}'. The supported locations are '${location}'.`,
      undefined,
      undefined,
    ),
  resourceNotFound: (type: string, name: string, group: string) =>
    new ArmError(404, 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`),
  resourceGroupNotFound: (group: string) => new ArmError(404, 'ResourceGroupNotFound', `Resource group '${group}' could not be found.`),
  subscriptionNotFound: (sub: string) => new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`),
  invalidSubscriptionId: (sub: string) => new ArmError(400, 'InvalidSubscriptionId', `The provided subscription identifier '${sub}' is malformed or invalid.`),
  invalidResourceGroupName: (group: string) =>
    new ArmError(400, 'InvalidResourceGroupName', `The resource group name '${group}' is invalid. It must be 1 to 90 characters of letters, digits, underscores, hyphens, periods and parentheses, and must not end in a period.`),
  invalidResourceName: (name: string, type: string, pattern: string) =>
    new ArmError(400, 'InvalidResourceName', `The resource name '${name}' is invalid for type '${type}'. It must match the pattern '${pattern}'.`, 'name'),
  invalidRequestContent: (message: string, target?: string, details?: ErrorDetail[]) =>
    new ArmError(400, 'InvalidRequestContent', message, target, details),
  badRequest: (code: string, message: string, target?: string) => new ArmError(400, code, message, target),
  preconditionFailed: (message: string) => new ArmError(412, 'PreconditionFailed', message),
  conflict: (code: string, message: string) => new ArmError(409, code, message),
  methodNotAllowed: (message: string) => new ArmError(405, 'MethodNotAllowed', message),
  invalidResourceType: (namespace: string, type: string) =>
    new ArmError(404, 'InvalidResourceType', `The resource type '${type}' could not be found in the namespace '${namespace}' for api version.`),
  noRoute: (method: string, path: string) =>
    new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${path}' for method ${method}.`),
  payloadTooLarge: (limit: number) =>
    new ArmError(413, 'RequestEntityTooLarge', `The request body is larger than the ${limit} bytes the service accepts.`),
  unauthorized: (code: string, message: string, challenge: string) =>
    new ArmError(401, code, message, undefined, undefined, { 'WWW-Authenticate': challenge }),
  forbidden: (code: string, message: string) => new ArmError(403, code, message),
};
