import { runChannelContract } from '../channel-contract.ts';
import { cloudApiFixture } from './cloud-api-fixture.ts';

runChannelContract(cloudApiFixture);
