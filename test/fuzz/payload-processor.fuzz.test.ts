/**
 * The payload-processor properties at fuzzing scale: `npm run test:fuzz` sets `MVX_FUZZ_RUNS=100000`
 * (100,000 cases per property, a few minutes). Under plain `npm test` it runs a small slice, since
 * `test/core/logger/payload/properties.test.ts` already runs the same properties.
 */
import { describePayloadProperties, fuzzRuns } from '../core/logger/payload/fuzz-support.ts';

describePayloadProperties(fuzzRuns(50));
