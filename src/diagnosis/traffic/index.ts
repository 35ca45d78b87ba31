export { TrafficWatch } from './watch';
export { TRAFFIC_FINDING_IDS, TRAFFIC_RULES } from './rules';
export { DEFAULT_TRAFFIC_CONFIG, type TrafficConfig } from './summary';
export { cloudOfAudience } from './observation';
