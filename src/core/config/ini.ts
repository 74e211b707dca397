/**
 * config.ini read as genro-mail-proxy reads it: Python's configparser.ConfigParser with its
 * defaults. `key = value` and `key: value`; whole-line comments with `#` or `;` (no inline
 * comments: `a = b ; c` is the value `b ; c`); values continued on more-indented lines; option
 * names case-insensitive, section names not; a [DEFAULT] section that every section inherits;
 * `%%` and `%(name)s` interpolation when a value is read. One leniency: a UTF-8 byte order mark
 * (Windows editors write one) is skipped, where configparser stops at a "missing section header".
 */

/** A line configparser refuses, or a value it cannot interpolate. */
export class IniError extends Error {
  constructor(
    /** where: `line 7`, or `[section] key` for a value */
    readonly where: string,
    message: string,
  ) {
    super(message);
    this.name = 'IniError';
  }
}

const DEFAULT_SECTION = 'DEFAULT';
/** configparser's MAX_INTERPOLATION_DEPTH */
const MAX_DEPTH = 10;
const SECTION = /^\[(.+)\]/;
/** the option name is everything before the first `=` or `:` */
const OPTION = /^(.*?)\s*[=:]\s*(.*)$/;
const REFERENCE = /^%\(([^)]+)\)s/;

type Section = Map<string, string[]>;

export class IniFile {
  private constructor(
    private readonly sections: Map<string, Map<string, string>>,
    private readonly defaults: Map<string, string>,
  ) {}

  /** Parses the text of a config.ini; throws IniError for the first line configparser refuses. */
  static parse(text: string): IniFile {
    const sections = new Map<string, Section>();
    const defaults: Section = new Map();
    let current: Section | null = null;
    let sectionName = '';
    let option: string | null = null;
    let indent = Number.MAX_SAFE_INTEGER;
    const seen = new Set<string>();
    const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    lines.forEach((line, i) => {
      const where = `line ${i + 1}`;
      const stripped = line.trim();
      if (stripped.startsWith('#') || stripped.startsWith(';')) return;
      if (!stripped) {
        // a blank line inside a value is kept (empty_lines_in_values), trailing ones are dropped at the end
        if (current && option !== null) current.get(option)!.push('');
        return;
      }
      const lineIndent = line.length - line.trimStart().length;
      if (current && option !== null && lineIndent > indent) {
        current.get(option)!.push(stripped);
        return;
      }
      indent = lineIndent;
      const header = SECTION.exec(stripped);
      if (header) {
        sectionName = header[1];
        // configparser lets [DEFAULT] appear more than once, no other section
        if (seen.has(sectionName) && sectionName !== DEFAULT_SECTION) throw new IniError(where, `section [${sectionName}] appears twice`);
        seen.add(sectionName);
        current = sectionName === DEFAULT_SECTION ? defaults : (sections.get(sectionName) ?? new Map());
        if (sectionName !== DEFAULT_SECTION) sections.set(sectionName, current);
        option = null;
        return;
      }
      if (!current) throw new IniError(where, `no [section] header before ${JSON.stringify(stripped)}`);
      const m = OPTION.exec(stripped);
      const name = m?.[1].trimEnd().toLowerCase();
      if (!m || !name) throw new IniError(where, `expected "key = value" or "key: value", got ${JSON.stringify(stripped)}`);
      if (seen.has(`${sectionName}\n${name}`)) throw new IniError(where, `option ${name} appears twice in [${sectionName}]`);
      seen.add(`${sectionName}\n${name}`);
      option = name;
      current.set(name, [m[2].trim()]);
    });
    const join = (s: Section) => new Map([...s].map(([k, v]) => [k, v.join('\n').trimEnd()]));
    return new IniFile(new Map([...sections].map(([name, s]) => [name, join(s)])), join(defaults));
  }

  /** The interpolated value (configparser's get), or undefined when the section or option is absent. */
  get(section: string, key: string): string | undefined {
    const values = this.sections.get(section);
    if (!values) return undefined;
    const raw = values.get(key.toLowerCase()) ?? this.defaults.get(key.toLowerCase());
    if (raw === undefined) return undefined;
    const lookup = (name: string) => values.get(name) ?? this.defaults.get(name);
    return interpolate(raw, lookup, `[${section}] ${key}`, 1);
  }
}

/** configparser's BasicInterpolation: `%%` is `%`, `%(name)s` the value of another option. */
function interpolate(value: string, lookup: (name: string) => string | undefined, where: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new IniError(where, `references nested more than ${MAX_DEPTH} deep`);
  let out = '';
  let rest = value;
  for (let p = rest.indexOf('%'); p >= 0; p = rest.indexOf('%')) {
    out += rest.slice(0, p);
    rest = rest.slice(p);
    if (rest[1] === '%') {
      out += '%';
      rest = rest.slice(2);
      continue;
    }
    const ref = rest[1] === '(' ? REFERENCE.exec(rest) : null;
    if (!ref) throw new IniError(where, `'%' must be followed by '%' or '(name)s' (write %% for a percent sign), found ${JSON.stringify(rest)}`);
    const name = ref[1].toLowerCase();
    const v = lookup(name);
    if (v === undefined) throw new IniError(where, `%(${ref[1]})s names no option of its section or [DEFAULT]`);
    out += v.includes('%') ? interpolate(v, lookup, where, depth + 1) : v;
    rest = rest.slice(ref[0].length);
  }
  return out + rest;
}
