/**
 * The api-versions of Microsoft.ManagedIdentity's types, oldest first: what az (2022-01-31-preview in
 * Debian's 2.45, 2023-01-31 in current releases) and @azure/arm-msi 2.2 (2024-11-30) send.
 */
export const MSI_API_VERSIONS = [
  '2018-11-30', '2021-09-30-preview', '2022-01-31-preview', '2023-01-31', '2023-07-31-preview', '2024-11-30', '2025-01-31-preview',
] as const;
