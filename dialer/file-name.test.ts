import { describe, expect, it } from 'vitest';
import { fileNameProblems, MAX_FILE_NAME_LENGTH } from './file-name.ts';

describe('the file name rule', () => {
  it("accepts the seed's example and plain names", () => {
    for (const name of ['DISCTEST29042014.csv', 'campaign_2024-05.01.CSV', `${'a'.repeat(MAX_FILE_NAME_LENGTH - 4)}.csv`]) {
      expect(fileNameProblems(name), name).toEqual([]);
    }
  });

  it('names each broken rule: spaces, odd characters, length, the .csv ending, no name', () => {
    expect(fileNameProblems('my file.csv')).toEqual([expect.stringMatching(/has spaces/)]);
    expect(fileNameProblems('campaña@2024.csv')).toEqual([expect.stringMatching(/other than letters, digits.*: ñ @$/)]);
    expect(fileNameProblems(`${'a'.repeat(MAX_FILE_NAME_LENGTH - 3)}.csv`)).toEqual([expect.stringMatching(/65 characters long; at most 64/)]);
    expect(fileNameProblems('numbers.xlsx')).toEqual([expect.stringMatching(/must end in \.csv/)]);
    expect(fileNameProblems('../etc/passwd')).toEqual([expect.stringMatching(/: \/$/), expect.stringMatching(/\.csv/)]);
    expect(fileNameProblems('')).toEqual([expect.stringMatching(/no name/)]);
    expect(fileNameProblems('a\tb c.txt')).toHaveLength(2);
  });
});
