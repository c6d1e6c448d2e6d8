/**
 * Every resource type of Microsoft.NetworkCloud the emulator serves, from the generated model
 * (rp/api/generated/networkcloud.json), with the few deliberate deviations of ./deviations.ts.
 */
import { applyDeviations } from './deviations.js';
import { generatedModel, typesOf, type TypeModel } from './model.js';

export const NETWORKCLOUD_NAMESPACE = 'Microsoft.NetworkCloud';

export const NETWORKCLOUD_TYPES: TypeModel[] = typesOf(applyDeviations(generatedModel()));

const byLowerType = new Map(NETWORKCLOUD_TYPES.map((t) => [t.type.toLowerCase(), t]));

/** The type at 'clusters' or 'clusters/bmcKeySets' (any casing). */
export function networkCloudType(type: string): TypeModel | undefined {
  return byLowerType.get(type.toLowerCase());
}

function must(type: string): TypeModel {
  const t = networkCloudType(type);
  if (!t) throw new Error(`the generated model has no type ${type}`);
  return t;
}

export const clusterManagerDef = must('clusterManagers');
export const clusterDef = must('clusters');
export const bareMetalMachineDef = must('bareMetalMachines');
export const storageApplianceDef = must('storageAppliances');
