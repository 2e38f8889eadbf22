/** The two agents behind one interface, and the pieces others reuse. */
export * from './types';
export { CurlAgent, makeCurl, CURL_DEFAULTS, type CurlConfig } from './curl';
export { RainbowAgent, makeRainbow, RAINBOW_DEFAULTS, type RainbowConfig } from './rainbow';
export { Adam, clipByGlobalNorm, type AdamConfig } from './adam';
export { projectDistribution, projectDistributionReference, support } from './distributional';
export { makeTrunk, TRUNK_KINDS, type Trunk, type TrunkKind } from './trunks';
