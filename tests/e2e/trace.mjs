// Reads a Chromium trace (browser.startTracing with the 'toplevel' category) and sums up one
// renderer's main thread: every task with its wall-clock time (dur) and its own CPU time
// (tdur). On a busy host a task's wall-clock time includes the time the thread was not
// scheduled; its CPU time is what the page itself cost.
import { readFileSync } from 'node:fs';

export function mainThreadTasks(file) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const events = Array.isArray(data) ? data : data.traceEvents;
  const mains = new Map(); // "pid:tid" of each CrRendererMain
  for (const e of events)
    if (e.name === 'thread_name' && e.args?.name === 'CrRendererMain') mains.set(`${e.pid}:${e.tid}`, e.pid);
  // The page's renderer is the one that painted most (the sender's page paints nothing).
  const paints = new Map();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (mains.has(key) && e.name === 'Paint') paints.set(key, (paints.get(key) ?? 0) + 1);
  }
  const main = [...paints.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!main) throw new Error(`no renderer main thread painted in ${file}`);
  const tasks = events
    .filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === main && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask'))
    .map((e) => ({ ts: e.ts, wallMs: e.dur / 1000, cpuMs: (e.tdur ?? e.dur) / 1000 }));
  if (tasks.length === 0) throw new Error(`no tasks traced on the page's main thread in ${file} (category 'toplevel' missing?)`);
  const spanS = (tasks[tasks.length - 1].ts - tasks[0].ts) / 1e6;
  return {
    tasks,
    spanS,
    cpuMs: tasks.reduce((s, t) => s + t.cpuMs, 0),
    maxCpuMs: Math.max(...tasks.map((t) => t.cpuMs)),
    long: tasks.filter((t) => t.wallMs > 50),
  };
}
