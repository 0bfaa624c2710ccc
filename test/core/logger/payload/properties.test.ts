/**
 * Property-based tests of the payload processor: a slice (`MVX_FUZZ_RUNS`, default 300 runs per
 * property); `npm run test:fuzz` runs the same properties 100,000 times
 * (`test/fuzz/payload-processor.fuzz.test.ts`).
 */
import { describePayloadProperties, fuzzRuns } from './fuzz-support.ts';

describePayloadProperties(fuzzRuns(300));
