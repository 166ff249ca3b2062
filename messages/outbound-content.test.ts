import { describe, expect, it } from 'vitest';
import { outboundContentSchema, plainText } from './outbound-content.ts';

describe('outbound rich content', () => {
  it('numbers the options for channels that cannot show buttons or lists', () => {
    expect(
      plainText('Pick one', {
        type: 'buttons',
        buttons: [
          { id: 'y', title: 'Yes' },
          { id: 'n', title: 'No' },
        ],
        footer: 'Reply with a number',
      }),
    ).toBe('Pick one\n\n1. Yes\n2. No\n\nReply with a number');
    const list = {
      type: 'list' as const,
      button: 'Menu',
      header: 'Shop',
      sections: [{ title: 'A', rows: [{ id: 'a', title: 'Hours' }] }, { rows: [{ id: 'b', title: 'Address' }] }],
    };
    expect(plainText('How can we help?', list)).toBe('Shop\n\nHow can we help?\n\n1. Hours\n2. Address');
    expect(plainText('Your order shipped', { type: 'template', name: 'order_shipped', language: 'es', bodyParameters: ['123'] })).toBe('Your order shipped');
    expect(plainText('plain', null)).toBe('plain');
  });

  it('refuses what WhatsApp would refuse, naming the field', () => {
    const issues = (value: unknown) => {
      const parsed = outboundContentSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    const button = (id: string, title = id) => ({ id, title });
    expect(issues({ type: 'buttons', buttons: [button('a'), button('b'), button('c'), button('d')] })).toEqual([
      'buttons: WhatsApp shows at most 3 reply buttons',
    ]);
    expect(issues({ type: 'buttons', buttons: [button('a', 'A title far longer than twenty')] })[0]).toMatch(/^buttons\.0\.title/);
    expect(issues({ type: 'buttons', buttons: [button('a'), button('a')] })).toEqual(['buttons: button ids must be unique']);
    const rows = Array.from({ length: 6 }, (_, i) => button(`r${i}`));
    expect(issues({ type: 'list', button: 'Menu', sections: [{ rows }, { rows: rows.map((row) => ({ ...row, id: `${row.id}x` })) }] })).toEqual([
      'sections: WhatsApp lists hold at most 10 rows in all',
    ]);
    expect(issues({ type: 'template', name: 'Order Shipped', language: 'es', bodyParameters: [] })[0]).toMatch(/^name: an approved template name/);
    expect(issues({ type: 'template', name: 'order_shipped', language: 'es_AR', bodyParameters: ['1'] })).toEqual([]);
  });
});
