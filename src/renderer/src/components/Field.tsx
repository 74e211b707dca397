import { useId, type ReactElement, cloneElement, type ReactNode } from 'react';

/** A labelled form control with its hint and validation error wired up for screen readers. */
export function Field({ label, hint, error, children }: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint ? (
        <small id={hintId} className="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={errorId} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}

/** A compact labelled control for toolbars (label above, no hint). */
export function InlineField({ label, className, children }: { label: string; className?: string; children: ReactElement<Record<string, unknown>> }) {
  const id = useId();
  return (
    <div className={className ? `inline-field ${className}` : 'inline-field'}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id })}
    </div>
  );
}
