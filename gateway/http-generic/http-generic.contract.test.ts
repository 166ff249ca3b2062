import { runChannelContract } from '../channel-contract.ts';
import { jsonAggregatorFixture, legacyGetFixture } from './http-generic-fixture.ts';

// One adapter, two providers described only by settings: each must pass the whole contract.
runChannelContract(jsonAggregatorFixture);
runChannelContract(legacyGetFixture);
