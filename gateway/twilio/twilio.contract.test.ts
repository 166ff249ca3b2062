import { runChannelContract } from '../channel-contract.ts';
import { twilioFixture } from './twilio-fixture.ts';

runChannelContract(twilioFixture('twilio_sms'));
runChannelContract(twilioFixture('twilio_whatsapp'));
