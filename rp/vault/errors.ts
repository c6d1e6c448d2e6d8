/** Key Vault's own error shape: {error: {code, message, innererror?: {code}}}, unlike ARM's. */
import type { Response } from 'express';

export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): { error: { code: string; message: string; innererror?: { code: string } } } {
    return { error: { code: this.code, message: this.message, ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}) } };
  }
}

export const vaultErrors = {
  unauthorized: (message: string, challenge: string) => new VaultError(401, 'Unauthorized', message, undefined, { 'WWW-Authenticate': challenge }),
  forbidden: (message: string, innerCode: string) => new VaultError(403, 'Forbidden', message, innerCode),
  badParameter: (message: string) => new VaultError(400, 'BadParameter', message),
  secretNotFound: (name: string, version?: string) =>
    new VaultError(404, 'SecretNotFound', version
      ? `A secret with (name/id) ${name}/${version} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`
      : `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`),
  deletedSecretNotFound: (name: string) => new VaultError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`),
  vaultNotFound: (name: string) =>
    new VaultError(404, 'VaultNotFound', `The key vault '${name}' does not exist in this emulator. Create it first: PUT /subscriptions/{subscriptionId}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/${name}.`),
  /** A soft-deleted vault serves nothing until it is recovered (in Azure its name stops resolving). */
  vaultDeleted: (name: string) =>
    new VaultError(404, 'VaultNotFound', `The key vault '${name}' is deleted (soft-deleted, recoverable). Its secrets are kept but cannot be used until the vault is recovered: PUT the vault with properties.createMode 'recover', or 'az keyvault recover --name ${name}'.`),
  conflict: (message: string) => new VaultError(409, 'Conflict', message),
  methodNotAllowed: (method: string, path: string) => new VaultError(405, 'MethodNotAllowed', `The method ${method} is not allowed on ${path}.`),
  notFound: (path: string) => new VaultError(404, 'NotFound', `No operation of the Key Vault secrets API matches '${path}'.`),
};

export function sendVaultError(res: Response, e: VaultError, extraHeaders: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries({ ...extraHeaders, ...e.headers })) res.setHeader(k, v);
  res.status(e.status).setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(e.toBody()));
}
