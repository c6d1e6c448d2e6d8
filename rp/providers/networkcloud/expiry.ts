/**
 * Types whose status depends on the time (key sets and consoles with an `expiration`). Their
 * time-derived fields are brought up to date whenever the emulator's clock is moved, and before
 * each read of the type, so an expiration that the wall clock alone has passed shows too. A change
 * is written like any platform update (new etag), under the resource's write lock.
 */
import type { JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { idKey } from '../../arm/resource-id.js';
import type { EmulatorHost } from '../../host.js';
import { resourceLockKey } from '../../arm/locks.js';
import type { ArmContext } from '../context.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { TrackedResourceType, type TrackedHooks, type TrackedOptions } from '../tracked.js';
import { updateResource } from './update.js';

/** Recomputes the time-derived fields of a resource's properties at `nowMs`; true when something changed. */
export type Refresh = (props: JsonObject, nowMs: number) => boolean;

export class ExpiringType extends TrackedResourceType {
  constructor(
    private readonly emu: EmulatorHost,
    private readonly refresh: Refresh,
    type: TypeModel,
    hooks: TrackedHooks,
    options: TrackedOptions,
  ) {
    super(type, hooks, options);
    emu.clock.onChange(() => this.catchUp());
  }

  /** Applies the clock to every settled resource of this type whose derived fields are out of date. */
  async catchUp(): Promise<void> {
    const now = this.emu.clock.nowMs();
    const type = this.fullType.toLowerCase();
    for (const r of this.emu.store.list<StoredResource>(RESOURCES)) {
      if (r.type.toLowerCase() !== type) continue;
      const props = r.resource.properties as JsonObject | undefined;
      if (!props || props.provisioningState !== 'Succeeded') continue;
      if (!this.refresh(structuredClone(props), now)) continue;
      await this.emu.writeLock.run(resourceLockKey(r.id), async () => {
        const current = this.emu.store.get<StoredResource>(RESOURCES, idKey(r.id));
        const p = current?.resource.properties as JsonObject | undefined;
        if (!p || p.provisioningState !== 'Succeeded' || !this.refresh(structuredClone(p), now)) return;
        await updateResource(this.emu, r.id, (_hub, props) => void this.refresh(props, now));
      });
    }
  }

  override async get(ctx: ArmContext): Promise<void> {
    await this.catchUp();
    return super.get(ctx);
  }

  override async list(ctx: ArmContext): Promise<void> {
    await this.catchUp();
    return super.list(ctx);
  }
}
