import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { dinstarFixture } from './testing/dinstar-fixture.ts';

runChannelContract(dinstarFixture());
