/**
 * The `-o/--output` formats, as knack's OutputProducer renders them. Formatters are loaded on
 * demand so a `-o tsv` run never parses the YAML emitter.
 */
export const OUTPUT_FORMATS = ['json', 'jsonc', 'none', 'table', 'tsv', 'yaml', 'yamlc'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /** a --query shaped the result: table keeps key order, tsv keeps multiselect-hash order */
  queryActive: boolean;
  /** objects built by a --query multiselect hash (knack's OrderedDicts) */
  isOrdered?: (obj: object) => boolean;
  /** stdout is a terminal: jsonc/yamlc colour only then, like az */
  color: boolean;
}

export async function render(result: unknown, format: OutputFormat, opts: RenderOptions): Promise<string> {
  // knack prints nothing at all for a None result, whatever the format.
  if (result === null || result === undefined) return '';
  switch (format) {
    case 'none':
      return '';
    case 'json':
    case 'jsonc': {
      const { formatJson, colorizeJson } = await import('./json.js');
      const text = formatJson(result);
      return format === 'jsonc' && opts.color ? colorizeJson(text) : text;
    }
    case 'yaml':
    case 'yamlc': {
      const { formatYaml } = await import('./yaml.js');
      return formatYaml(result);
    }
    case 'tsv': {
      const { formatTsv } = await import('./tsv.js');
      return formatTsv(result, opts.isOrdered);
    }
    case 'table': {
      const { formatTable } = await import('./table.js');
      return formatTable(result, !opts.queryActive);
    }
  }
}
