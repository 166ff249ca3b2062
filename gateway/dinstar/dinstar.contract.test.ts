import { runChannelContract } from '../channel-contract.ts';
import { dinstarFixture } from './dinstar-fixture.ts';

runChannelContract(dinstarFixture());
