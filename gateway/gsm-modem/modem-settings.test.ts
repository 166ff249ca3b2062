import { describe, expect, it } from 'vitest';
import { modemSecretsSchema, modemSettingsSchema } from './modem-settings.ts';

describe('gsm_modem settings', () => {
  it('fills in each modem’s defaults', () => {
    expect(modemSettingsSchema.parse({ modems: [{ name: 'dongle0', path: '/dev/serial/by-id/usb-HUAWEI-if00-port0' }] })).toEqual({
      modems: [{ name: 'dongle0', path: '/dev/serial/by-id/usb-HUAWEI-if00-port0', baudRate: 115200, mode: 'pdu', storage: 'SM' }],
    });
  });

  it.each([
    ['no modem', { modems: [] }, 'modems'],
    [
      'a name used twice',
      {
        modems: [
          { name: 'dongle0', path: '/dev/a' },
          { name: 'dongle0', path: '/dev/b' },
        ],
      },
      'modems.1.name',
    ],
    ['a SIM number that is not E.164', { modems: [{ name: 'dongle0', path: '/dev/a', simNumber: '099123456' }] }, 'modems.0.simNumber'],
    ['an unknown mode', { modems: [{ name: 'dongle0', path: '/dev/a', mode: 'ucs2' }] }, 'modems.0.mode'],
  ])('refuses %s', (_name, settings, path) => {
    const result = modemSettingsSchema.safeParse(settings);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('takes SIM PINs as pin_<modem name>, 4 to 8 digits', () => {
    expect(modemSecretsSchema.parse({ pin_dongle0: '1234' })).toEqual({ pin_dongle0: '1234' });
    expect(modemSecretsSchema.safeParse({ pin_dongle0: '12' }).success).toBe(false);
    expect(modemSecretsSchema.safeParse({ password: '1234' }).success).toBe(false);
  });
});
