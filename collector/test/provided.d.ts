// Values the vitest global setup provides to the tests (`inject`): the warehouse bridge's URL
// (warehouse/test/support/duckdb-bridge.ts).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    warehouseBridge: string;
  }
}
