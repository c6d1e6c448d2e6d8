/**
 * The behaviour every Microsoft.NetworkCloud type without hand-written rules gets: ARM's create,
 * read, update, delete and list from tracked.ts, a detailedStatus that follows provisioning, and
 * actions that validate their body and complete as long-running operations (recorded in
 * actionStates where the type has them).
 */
import type { JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import type { EmulatorHost } from '../../host.js';
import { TrackedResourceType, type ActionHooks, type TrackedOptions } from '../tracked.js';
import { recordAction } from './action-states.js';
import { updateResource } from './update.js';

/** The detailedStatus a type reports once provisioned, where its enum has one of these. */
const READY = ['Available', 'Running', 'Active', 'Succeeded', 'Provisioned'];

function readyStatus(type: TypeModel): string | undefined {
  for (const v of [...type.versions].reverse()) {
    const values = type.require(v).get.fields?.properties?.fields?.detailedStatus?.enum;
    const found = values && READY.find((r) => values.includes(r));
    if (found) return found;
  }
  return undefined;
}

export function genericType(emu: EmulatorHost, type: TypeModel, options: TrackedOptions): TrackedResourceType {
  const ready = readyStatus(type);
  const hasActionStates = type.versions.some((v) => !!type.require(v).get.fields?.properties?.fields?.actionStates);
  const actions: Record<string, ActionHooks> = {};
  for (const name of type.allActions()) {
    actions[name] = {
      async finish(stored, _body, _emu, op) {
        if (!hasActionStates) return;
        await updateResource(emu, stored.id, (_hub, props) => recordAction(props, type.fullType, op, emu.clock.iso(), `${name} completed.`));
      },
    };
  }
  return new TrackedResourceType(type, {
    updatingState: 'Updating',
    initialize(hub) {
      const props = hub.properties as JsonObject;
      if (ready) {
        props.detailedStatus = 'Provisioning';
        props.detailedStatusMessage = `The ${type.displayName} is being provisioned.`;
      }
    },
    afterWrite(hub) {
      const props = hub.properties as JsonObject;
      if (ready) {
        props.detailedStatus = ready;
        props.detailedStatusMessage = `The ${type.displayName} is ${ready.toLowerCase()}.`;
      }
    },
    actions,
  }, options);
}
