/**
 * Where the emulator deliberately departs from the upstream facts, each with its reason. Applied to
 * the generated model as it loads; README ("Deliberate differences from the facts") lists them too.
 */
import type { GeneratedModel } from './model-types.js';
import type { Field } from './schema.js';

export interface Deviation {
  where: string;
  reason: string;
}

export const DEVIATIONS: Deviation[] = [
  {
    where: 'kubernetesClusters/features PATCH: properties.options',
    reason: 'The facts\' PATCH tree has tags only, but the upstream request examples send properties.options; it is accepted, shaped as in the PUT tree (KNOWN-GAPS.md).',
  },
];

/** The model with the deviations above applied (the generated file itself stays as generated). */
export function applyDeviations(model: GeneratedModel): GeneratedModel {
  const trees = [...model.trees];
  const types = model.types.map((t) => {
    if (t.type !== 'kubernetesClusters/features') return t;
    const versions = Object.fromEntries(Object.entries(t.versions).map(([v, gv]) => {
      if (gv.put === undefined || gv.patch === undefined) return [v, gv];
      const options = trees[gv.put].fields?.properties?.fields?.options;
      if (!options) return [v, gv];
      const patch: Field = structuredClone(trees[gv.patch]);
      patch.fields ??= {};
      patch.fields.properties = { type: 'object', fields: { ...(patch.fields.properties?.fields ?? {}), options: structuredClone(options) } };
      trees.push(patch);
      return [v, { ...gv, patch: trees.length - 1 }];
    }));
    return { ...t, versions };
  });
  return { ...model, trees, types };
}
