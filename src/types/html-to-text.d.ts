// html-to-text ships no types (and @types/html-to-text is not installed): the part the relay uses.
declare module 'html-to-text' {
  export interface SelectorDefinition {
    selector: string;
    format?: string;
    options?: Record<string, unknown>;
  }
  export interface HtmlToTextOptions {
    wordwrap?: number | false | null;
    whitespaceCharacters?: string;
    selectors?: SelectorDefinition[];
    limits?: { maxInputLength?: number; maxDepth?: number; maxChildNodes?: number; ellipsis?: string };
  }
  export function convert(html: string, options?: HtmlToTextOptions): string;
  /** a converter with the options compiled once */
  export function compile(options?: HtmlToTextOptions): (html: string) => string;
}
