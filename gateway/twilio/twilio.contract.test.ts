import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { twilioFixture } from './testing/twilio-fixture.ts';

runChannelContract(twilioFixture('twilio_sms'));
runChannelContract(twilioFixture('twilio_whatsapp'));
