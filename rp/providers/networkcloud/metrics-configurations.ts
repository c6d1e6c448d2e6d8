/**
 * A cluster's metrics configuration (clusters/metricsConfigurations, always named `default`): how
 * often metrics are collected, and which of the optional metrics are collected. `enabledMetrics`
 * may name only metrics of OPTIONAL_METRICS; `disabledMetrics` lists the rest.
 */
import type { JsonObject } from '../../api/derive.js';
import type { TypeModel } from '../../api/model.js';
import { errors } from '../../arm/errors.js';
import type { EmulatorHost } from '../../host.js';
import { TrackedResourceType, type TrackedOptions } from '../tracked.js';

/**
 * The optional metrics a Nexus cluster can collect on top of its default set: host metrics of the
 * Prometheus node exporter and virtual machine metrics of KubeVirt that are off unless enabled.
 * The emulator's own choice (the facts list none); docs/virtual-machines.md has the table.
 */
export const OPTIONAL_METRICS: readonly string[] = [
  'kubevirt_vmi_memory_swap_in_traffic_bytes',
  'kubevirt_vmi_memory_swap_out_traffic_bytes',
  'kubevirt_vmi_network_receive_packets_dropped_total',
  'kubevirt_vmi_network_transmit_packets_dropped_total',
  'kubevirt_vmi_storage_flush_requests_total',
  'kubevirt_vmi_vcpu_wait_seconds_total',
  'node_arp_entries',
  'node_boot_time_seconds',
  'node_cpu_frequency_max_hertz',
  'node_cpu_frequency_min_hertz',
  'node_cpu_guest_seconds_total',
  'node_cpu_scaling_frequency_hertz',
  'node_disk_discard_time_seconds_total',
  'node_disk_io_time_weighted_seconds_total',
  'node_entropy_available_bits',
  'node_hwmon_temp_celsius',
  'node_network_carrier_changes_total',
  'node_network_receive_drop_total',
  'node_network_transmit_drop_total',
  'node_nf_conntrack_entries',
  'node_nf_conntrack_entries_limit',
  'node_nvme_info',
  'node_softnet_dropped_total',
  'node_timex_offset_seconds',
  'node_timex_sync_status',
  'node_vmstat_oom_kill',
];

function apply(props: JsonObject): void {
  const enabled = Array.isArray(props.enabledMetrics) ? (props.enabledMetrics as string[]) : [];
  const seen = new Set<string>();
  enabled.forEach((m, i) => {
    if (!OPTIONAL_METRICS.includes(m)) {
      throw errors.invalidRequestContent(`The metric '${String(m)}' is not an optional metric of this cluster; the optional metrics are: ${OPTIONAL_METRICS.join(', ')}.`, `properties.enabledMetrics[${i}]`);
    }
    if (seen.has(m)) throw errors.invalidRequestContent(`The metric '${m}' is listed more than once in enabledMetrics.`, `properties.enabledMetrics[${i}]`);
    seen.add(m);
  });
  props.disabledMetrics = OPTIONAL_METRICS.filter((m) => !seen.has(m));
}

export function metricsConfigurations(_emu: EmulatorHost, type: TypeModel, options: TrackedOptions): TrackedResourceType {
  return new TrackedResourceType(type, {
    updatingState: 'Accepted',
    prepare(hub) {
      const props = hub.properties as JsonObject;
      apply(props);
      props.detailedStatus = 'Processing';
      props.detailedStatusMessage = 'The metrics configuration is being applied to the cluster.';
    },
    afterWrite(hub) {
      const props = hub.properties as JsonObject;
      props.detailedStatus = 'Applied';
      props.detailedStatusMessage = `${(props.enabledMetrics as string[] | undefined)?.length ?? 0} optional metric(s) are collected every ${String(props.collectionInterval)} minute(s).`;
    },
  }, options);
}
