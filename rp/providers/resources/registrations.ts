/**
 * Microsoft.Resources' own types, as its provider registration lists them. The router serves them
 * by hand (resource groups, generic resources, providers, subscriptions); their api-versions live in
 * ./versions.ts, which the router checks requests against too.
 */
import type { TypeRegistration } from '../context.js';
import { RESOURCES_API_VERSIONS, SUBSCRIPTIONS_API_VERSIONS } from './versions.js';

const GLOBAL = 'None';

export function resourcesRegistrations(): TypeRegistration[] {
  const arm = (type: string, apiVersions: readonly string[] = RESOURCES_API_VERSIONS): TypeRegistration => ({
    fullType: `Microsoft.Resources/${type}`,
    apiVersions,
    locations: [],
    capabilities: GLOBAL,
  });
  return [
    arm('resourceGroups'),
    arm('resources'),
    arm('providers'),
    arm('subscriptions', SUBSCRIPTIONS_API_VERSIONS),
    arm('subscriptions/resourceGroups'),
    arm('subscriptions/resourcegroups/resources'),
    arm('subscriptions/resources'),
    arm('subscriptions/providers'),
  ];
}
