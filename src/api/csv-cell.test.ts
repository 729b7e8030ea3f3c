import { describe, expect, it } from 'vitest';
import { csvCell } from './csv-cell.js';

describe('csvCell', () => {
  it("neutralises a value that would run as a formula with a leading single quote (OWASP)", () => {
    expect(csvCell("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvCell('+1+1@example.com')).toBe("'+1+1@example.com");
    expect(csvCell('-2+3@example.com')).toBe("'-2+3@example.com");
    expect(csvCell('@SUM(1+1)')).toBe("'@SUM(1+1)");
    expect(csvCell('\t=1+1')).toBe("'\t=1+1");
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('quotes commas, quotes and line breaks; leaves everything else as it is', () => {
    expect(csvCell('ada@example.com')).toBe('ada@example.com');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('')).toBe('');
    expect(csvCell(null)).toBe('');
  });
});
