/**
 * CPU time of processes from /proc (Linux): a bench's side-by-side figure that load from elsewhere
 * disturbs less than wall-clock rates (a process's CPU per message, whoever else runs).
 */
import fs from 'node:fs';
import pg from 'pg';

const TICK_MS = 10;

function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name in parentheses may hold spaces: the fields start after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** user + system CPU ms of a process so far (0 once it is gone) */
export function cpuMs(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) * TICK_MS : 0;
}

/** pids whose parent is `ppid` */
export function childrenOf(ppid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => Number(statFields(pid)?.[1]) === ppid);
}

/** The postmaster of the server behind `url`: the parent of a backend. */
export async function postmasterPid(url: string): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return Number(statFields(rows[0].pid)?.[1]);
  } finally {
    await db.end();
  }
}

/** CPU ms per named group of processes from now until `stop()`; `pids` is asked at both ends (a new process counts from 0). */
export function cpuWatch(groups: Record<string, () => number[]>): { stop(): Record<string, number> } {
  const before = new Map(Object.entries(groups).map(([name, pids]) => [name, new Map(pids().map((pid) => [pid, cpuMs(pid)]))]));
  return {
    stop() {
      const out: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) {
        const start = before.get(name) ?? new Map<number, number>();
        const all = new Set([...start.keys(), ...pids()]);
        out[name] = [...all].reduce((sum, pid) => sum + Math.max(0, cpuMs(pid) - (start.get(pid) ?? 0)), 0);
      }
      return out;
    },
  };
}
