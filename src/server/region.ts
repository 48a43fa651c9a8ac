import type { Authority } from '../authority/authority.js';
import { regionalHost } from '../authority/microsoftHosts.js';
import { ConfigurationError, ErrorCode } from '../errors.js';

/** Where the region came from; MSAL's `RegionDiscoverySources` numbering. */
const RegionSource = { none: '', failedAutoDetection: '1', environmentVariable: '3' } as const;
/** How it went; MSAL's `RegionDiscoveryOutcomes` numbering. */
const RegionOutcome = { configuredNoAutoDetection: '2', autoDetectionSucceeded: '4', autoDetectionFailed: '5' } as const;

/** The region client-credential requests use, and its telemetry. */
export interface RegionChoice {
  /** Lower-case region name, or undefined for the global endpoint. */
  region: string | undefined;
  /**
   * Platform fields of `x-client-current-telemetry`: `{regionUsed},{regionSource},{regionOutcome}`
   * in MSAL's numbering (so `4|730,0|westus2,,2` for a configured region,
   * `4|730,0|eastus,3,4` for one read from `REGION_NAME`, `4|730,0|,1,5` when detection found none).
   */
  telemetry: string;
}

const regionName = /^[a-z0-9-]{1,64}$/;

/**
 * Resolves `azureRegion` once, at construction. `true` reads `REGION_NAME` (what Azure
 * Functions and App Service set) and nothing else: no IMDS probe, so a machine outside Azure
 * never waits on a metadata endpoint that does not answer.
 */
export function resolveRegion(option: string | boolean | undefined, env: Readonly<Record<string, string | undefined>>): RegionChoice | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) {
    const detected = env.REGION_NAME?.trim().toLowerCase();
    if (detected && regionName.test(detected))
      return { region: detected, telemetry: `${detected},${RegionSource.environmentVariable},${RegionOutcome.autoDetectionSucceeded}` };
    return { region: undefined, telemetry: `,${RegionSource.failedAutoDetection},${RegionOutcome.autoDetectionFailed}` };
  }
  const configured = typeof option === 'string' ? option.trim().toLowerCase() : '';
  if (!regionName.test(configured)) {
    throw new ConfigurationError(
      ErrorCode.invalidConfiguration,
      '"azureRegion" must be a region name such as "westus2", true (read REGION_NAME), or left out.',
    );
  }
  return { region: configured, telemetry: `${configured},${RegionSource.none},${RegionOutcome.configuredNoAutoDetection}` };
}

/** The token endpoint on the authority's regional host, or undefined where the cloud has none. */
export function regionalTokenEndpoint(authority: Authority, tokenEndpoint: string, region: string): string | undefined {
  if (authority.kind !== 'aad') return undefined;
  const url = new URL(tokenEndpoint);
  const host = regionalHost(url.hostname, region);
  if (!host) return undefined;
  url.hostname = host;
  return url.toString();
}
