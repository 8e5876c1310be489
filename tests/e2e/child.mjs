// tests/e2e/child.mjs
//
// The processes a runner starts (the hub, ffmpeg publishers, the fake platform) die with it,
// even when the runner itself is killed: a ctest timeout kills it with SIGKILL, which leaves it
// no chance to stop them, and orphans would go on eating the CPU of the tests after it.
// `setpriv --pdeathsig` (util-linux) asks the kernel to send the child SIGKILL when its parent
// goes; it then runs the program in its place, so the pid and the exit code are the program's.
import { spawn as spawnProcess } from 'node:child_process';

export function spawn(command, args = [], options = {}) {
  return spawnProcess('setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args], options);
}
