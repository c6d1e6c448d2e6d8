/** The jmespath package, loaded only when a --query or --custom is given. Its typings omit compile(). */
export interface JmesPath {
  search(data: unknown, expression: string): unknown;
  compile(expression: string): unknown;
}

let loaded: JmesPath | undefined;

export async function loadJmespath(): Promise<JmesPath> {
  if (!loaded) {
    const mod = (await import('jmespath')) as unknown as JmesPath & { default?: JmesPath };
    loaded = mod.default ?? mod;
  }
  return loaded;
}
