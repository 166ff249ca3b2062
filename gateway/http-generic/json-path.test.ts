import { describe, expect, it } from 'vitest';
import { parseJsonPath, readField, readJsonPath, scalarText } from './json-path.ts';

describe('JSON path reader', () => {
  const payload = {
    status: 'OK',
    zero: 0,
    messages: [
      { id: 'm-1', to: '5491123456789' },
      { id: 'm-2', status: { groupName: 'DELIVERED' } },
    ],
    'key.with.dots': { 'a b': true },
    nested: { list: [[10, 20], [30]] },
  };

  it('parses dots, indexes, quoted keys and an optional $ root', () => {
    expect(parseJsonPath('status')).toEqual(['status']);
    expect(parseJsonPath('$.messages[0].id')).toEqual(['messages', 0, 'id']);
    expect(parseJsonPath('$["key.with.dots"][\'a b\']')).toEqual(['key.with.dots', 'a b']);
    expect(parseJsonPath('nested.list[1][0]')).toEqual(['nested', 'list', 1, 0]);
  });

  it('reads values, including falsy ones, and gives undefined for missing steps', () => {
    expect(readJsonPath(payload, 'status')).toBe('OK');
    expect(readJsonPath(payload, 'zero')).toBe(0);
    expect(readJsonPath(payload, 'messages[1].status.groupName')).toBe('DELIVERED');
    expect(readJsonPath(payload, '["key.with.dots"]["a b"]')).toBe(true);
    expect(readJsonPath(payload, 'nested.list[1][0]')).toBe(30);
    expect(readJsonPath(payload, 'messages[2].id')).toBeUndefined();
    expect(readJsonPath(payload, 'messages.id')).toBeUndefined(); // a key on an array
    expect(readJsonPath(payload, 'status[0]')).toBeUndefined(); // an index on a string
    expect(readJsonPath(payload, 'status.length')).toBeUndefined();
    expect(readJsonPath(payload, 'toString')).toBeUndefined(); // own properties only
    expect(readJsonPath(null, 'a')).toBeUndefined();
    expect(readJsonPath('OK:123', 'a')).toBeUndefined();
  });

  it('refuses malformed paths, saying where', () => {
    for (const bad of ['', '$', 'a.', '.a', 'a..b', 'a[x]', 'a[0', 'a b', 'a[-1]', 'a["x]']) {
      expect(() => parseJsonPath(bad), bad).toThrow(/path|unexpected/);
    }
    expect(() => parseJsonPath('messages[0]x')).toThrow('unexpected "x" at position 11');
  });

  it('reads a flat form field by its exact name before reading it as a path', () => {
    expect(readField({ 'sms.text': 'hello', sms: { text: 'nested' } }, 'sms.text')).toBe('hello');
    expect(readField({ sms: { text: 'nested' } }, 'sms.text')).toBe('nested');
    expect(readField({ 'msg[body]': 'hi' }, '["msg[body]"]')).toBe('hi');
  });

  it('reads scalars as text and nothing else', () => {
    expect(scalarText('a')).toBe('a');
    expect(scalarText(21610)).toBe('21610');
    expect(scalarText(false)).toBe('false');
    expect(scalarText({ code: 1 })).toBeUndefined();
    expect(scalarText(null)).toBeUndefined();
  });
});
