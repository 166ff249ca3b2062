import { runChannelContract } from '../channel-contract.ts';
import { smppFixture } from './smpp-fixture.ts';

runChannelContract(smppFixture());
