import { describe, expect, it } from 'vitest';
import { IniError, IniFile } from '../../../src/core/config/ini.js';

// Every expected value here is what Python 3.11's configparser.ConfigParser().get() answers for the same text.
describe('config.ini read as configparser reads it', () => {
  it('takes `=` and `:` as delimiters, the first one on the line splitting name and value', () => {
    const ini = IniFile.parse('[server]\nport: 8100\nhost=0.0.0.0\nAPI_Token : secret\n[client]\nclient_sync_url = http://user:pw@genropy.local:8080/sync?a=1\nother:value=x\n');
    expect(ini.get('server', 'port')).toBe('8100');
    expect(ini.get('server', 'host')).toBe('0.0.0.0');
    expect(ini.get('client', 'client_sync_url')).toBe('http://user:pw@genropy.local:8080/sync?a=1');
    expect(ini.get('client', 'other')).toBe('value=x');
  });

  it('reads option names case-insensitively and section names as written', () => {
    const ini = IniFile.parse('[server]\nAPI_Token : secret\n[Client]\nclient_sync_user = u\n');
    expect(ini.get('server', 'api_token')).toBe('secret');
    expect(ini.get('server', 'API_TOKEN')).toBe('secret');
    expect(ini.get('client', 'client_sync_user')).toBeUndefined();
    expect(ini.get('Client', 'client_sync_user')).toBe('u');
  });

  it('skips whole-line # and ; comments, indented or not, and keeps what follows a value as part of it', () => {
    const ini = IniFile.parse('# top\n; another\n[server]\n  # indented\nport = 8000 ; not a comment\nhost = 127.0.0.1 # nor this\n');
    expect(ini.get('server', 'port')).toBe('8000 ; not a comment');
    expect(ini.get('server', 'host')).toBe('127.0.0.1 # nor this');
  });

  it('continues a value on more-indented lines, keeping inner blank lines and dropping trailing ones', () => {
    const ini = IniFile.parse('[delivery]\nretry_delays = 60,\n    300,\n\n    900\n\n\n[logging]\nlevel = info\n[server]\nhost = a\n# comment inside\n\tstill host\n  port = 1\n[client]\n  client_sync_user = u\n  client_sync_token = t\n    continued\n');
    expect(ini.get('delivery', 'retry_delays')).toBe('60,\n300,\n\n900');
    expect(ini.get('logging', 'level')).toBe('info');
    // deeper than the option's own line is a continuation, whatever it looks like
    expect(ini.get('server', 'host')).toBe('a\nstill host\nport = 1');
    expect(ini.get('server', 'port')).toBeUndefined();
    // options indented alike are options
    expect(ini.get('client', 'client_sync_user')).toBe('u');
    expect(ini.get('client', 'client_sync_token')).toBe('t\ncontinued');
  });

  it('interpolates %% and %(name)s from the section and [DEFAULT], which every section inherits', () => {
    const ini = IniFile.parse('[DEFAULT]\nbase = /srv/relay\n[storage]\ndb_path = %(base)s/mail.db\ndata_dir = %(BASE)s/data\n[server]\napi_token = 100%%secret\n[DEFAULT]\nport = 9000\n');
    expect(ini.get('storage', 'db_path')).toBe('/srv/relay/mail.db');
    expect(ini.get('storage', 'data_dir')).toBe('/srv/relay/data');
    expect(ini.get('server', 'api_token')).toBe('100%secret');
    expect(ini.get('server', 'port')).toBe('9000');
    expect(ini.get('sandbox', 'port')).toBeUndefined();
  });

  it('keeps quotes and empty values as written', () => {
    const ini = IniFile.parse('[server]\napi_token = "quoted"\nhost =\n');
    expect(ini.get('server', 'api_token')).toBe('"quoted"');
    expect(ini.get('server', 'host')).toBe('');
  });

  it('refuses a value it cannot interpolate when it is read, naming the key', () => {
    const ini = IniFile.parse('[server]\napi_token = 50%off\nhost = %(missing)s\n[a]\nx = %(y)s\ny = %(x)s\nfine = ok\n');
    expect(() => ini.get('server', 'api_token')).toThrow(/'%' must be followed by '%' or '\(name\)s'/);
    expect(() => ini.get('server', 'host')).toThrow(/%\(missing\)s names no option/);
    expect(() => ini.get('a', 'x')).toThrow(/nested more than 10 deep/);
    expect(ini.get('a', 'fine')).toBe('ok');
    try {
      ini.get('server', 'api_token');
    } catch (err) {
      expect(err).toBeInstanceOf(IniError);
      expect((err as IniError).where).toBe('[server] api_token');
    }
  });

  it('refuses the lines configparser refuses, naming the line', () => {
    const cases: [string, RegExp][] = [
      ['port = 8100\n[server]\n', /no \[section\] header/],
      ['[server]\njust a line\n', /expected "key = value" or "key: value"/],
      ['[server]\n= value\n', /expected "key = value"/],
      ['[server]\nport = 1\n[server]\nport = 2\n', /section \[server\] appears twice/],
      ['[server]\nport = 1\nPORT = 2\n', /option port appears twice in \[server\]/],
    ];
    for (const [text, re] of cases) {
      expect(() => IniFile.parse(text), text).toThrow(re);
    }
    expect(() => IniFile.parse('[server]\nport = 1\n\njust a line\n')).toThrow(expect.objectContaining({ where: 'line 4' }));
  });

  it('skips a UTF-8 byte order mark (configparser would stop at it: the one leniency)', () => {
    expect(IniFile.parse('\uFEFF[server]\r\nport = 8100\r\n').get('server', 'port')).toBe('8100');
  });
});
