/**
 * What the headless bundle loads instead of `mime-types` (koa and type-is each carry a copy): building its
 * maps from mime-db's 2,500 types cost ~10 ms per copy at every start, for the few names koa asks for.
 * Generated at build time from the real package; whatever the tables do not hold goes to it, loaded then.
 */

/** The names koa and our routes give `ctx.type` / `ctx.is` (koa: json, html, text, bin), and the UI's files. */
export const FRONT_EXTENSIONS = ['json', 'html', 'htm', 'text', 'txt', 'bin', 'js', 'mjs', 'css', 'map', 'svg', 'png', 'ico', 'jpg', 'jpeg', 'gif', 'webp', 'woff', 'woff2', 'xml', 'csv', 'eml', 'pdf', 'zip'];

export interface MimeTypesLike {
  lookup(path: string): string | false;
}

/** mime-db's shape, as far as charsets go */
export type MimeDb = Record<string, { charset?: string }>;

/**
 * CommonJS source with mime-types' API: `lookup` and `contentType` of the names above and `charset` of every
 * type answered from tables made here; the rest from `require("mime-types")`, the real one, on first use.
 */
export function mimeFrontSource(real: MimeTypesLike, db: MimeDb): string {
  const lookups = Object.fromEntries(FRONT_EXTENSIONS.map((ext) => [ext, real.lookup(ext)]));
  const charsets = Object.fromEntries(Object.entries(db).flatMap(([type, v]) => (v.charset ? [[type, v.charset]] : [])));
  // the functions below are mime-types 3.0's own, reading the tables first
  return `"use strict";
var LOOKUPS = ${JSON.stringify(lookups)};
var CHARSETS = ${JSON.stringify(charsets)};
var EXTRACT_TYPE_REGEXP = /^\\s*([^;\\s]*)(?:;|\\s|$)/;
var TEXT_TYPE_REGEXP = /^text\\//i;
var extname = require("path").extname;
var own = Object.prototype.hasOwnProperty;
var real = null;
function full() { return real || (real = require("mime-types")); }
function charset(type) {
  if (!type || typeof type !== "string") return false;
  var match = EXTRACT_TYPE_REGEXP.exec(type);
  var key = match && match[1].toLowerCase();
  if (key && own.call(CHARSETS, key)) return CHARSETS[key];
  if (match && TEXT_TYPE_REGEXP.test(match[1])) return "UTF-8";
  return false;
}
function lookup(path) {
  if (!path || typeof path !== "string") return false;
  var ext = extname("x." + path).toLowerCase().slice(1);
  if (!ext) return false;
  if (own.call(LOOKUPS, ext)) return LOOKUPS[ext];
  return full().lookup(path);
}
function contentType(str) {
  if (!str || typeof str !== "string") return false;
  var mime = str.indexOf("/") === -1 ? lookup(str) : str;
  if (!mime) return false;
  if (mime.indexOf("charset") === -1) {
    var cs = charset(mime);
    if (cs) mime += "; charset=" + cs.toLowerCase();
  }
  return mime;
}
exports.charset = charset;
exports.charsets = { lookup: charset };
exports.contentType = contentType;
exports.lookup = lookup;
exports.extension = function (type) { return full().extension(type); };
Object.defineProperty(exports, "extensions", { enumerable: true, get: function () { return full().extensions; } });
Object.defineProperty(exports, "types", { enumerable: true, get: function () { return full().types; } });
`;
}
