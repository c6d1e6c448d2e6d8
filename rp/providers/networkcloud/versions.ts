/** Cluster software versions the emulated cluster manager offers. */
export const SUPPORTED_CLUSTER_VERSIONS = [
  { version: '3.14.2', supportExpiryDate: '2026-12-31' },
  { version: '3.16.0', supportExpiryDate: '2027-06-30' },
  { version: '4.1.0', supportExpiryDate: '2027-12-31' },
] as const;
