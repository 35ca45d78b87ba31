/** The local fake of the ingestion service, live metrics, Entra ID and managed identity. */
export { startFakeServices, type FakeServices, type FakeServicesOptions } from './server';
export { mintToken, TokenSigningKey, type TokenClaims } from './token-minting';
export { SCENARIO_NAMES, parseScenario, type Scenario, type ScenarioName } from './scenarios';
export { defaultIngestionSettings, type AuthMode, type IngestionSettings } from './settings';
export { defaultEntraSettings, type EntraApp, type EntraSettings } from './entra-settings';
export { defaultIdentitySettings, type IdentitySettings, type ManagedIdentity } from './fake-identity';
export type { ReceivedRequest } from './request-record';
export * from './defaults';
