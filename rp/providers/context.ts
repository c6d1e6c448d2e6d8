/** What every ARM handler receives, and the interface a resource type implements to be served (defined with the host, rp/host.ts). */
export type { ArmContext, ProviderRoutes, ProviderSetup, TypeHandler, TypeRegistration } from '../host.js';
