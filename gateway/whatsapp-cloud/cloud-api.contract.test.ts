import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { cloudApiFixture } from './testing/cloud-api-fixture.ts';

runChannelContract(cloudApiFixture);
