import { CopyButton } from './CopyButton.js';

/** A block of text to paste elsewhere, with its copy button. A `secret` in it is masked on screen, not in the copy. */
export function Snippet({ title, text, secret }: { title: string; text: string; secret?: string }) {
  const shown = secret ? text.split(secret).join('••••••') : text;
  return (
    <figure className="snippet">
      <figcaption>
        <span>{title}</span>
        <CopyButton text={text} what={title} />
      </figcaption>
      <pre tabIndex={0}>{shown}</pre>
    </figure>
  );
}
