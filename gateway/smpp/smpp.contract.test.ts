import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { smppFixture } from './testing/smpp-fixture.ts';

runChannelContract(smppFixture());
