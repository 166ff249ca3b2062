import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { jsonAggregatorFixture, legacyGetFixture } from './testing/http-generic-fixture.ts';

// One adapter, two providers described only by settings: each must pass the whole contract.
runChannelContract(jsonAggregatorFixture);
runChannelContract(legacyGetFixture);
