type Nullish<T> = { [K in keyof T]-?: null extends T[K] ? K : undefined extends T[K] ? K : never }[keyof T];
/** `T` with its null fields optional and never null: what withoutNulls leaves. */
export type WithoutNulls<T> = Omit<T, Nullish<T>> & { [K in Nullish<T>]?: Exclude<T[K], null | undefined> };

/** genro-mail-proxy answers omit null fields (response_model_exclude_none). */
export function withoutNulls<T extends object>(o: T): WithoutNulls<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out as WithoutNulls<T>;
}

/** genro-mail-proxy's timestamps as text: "YYYY-MM-DD HH:MM:SS" (UTC). */
export function sqlTimestamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}
