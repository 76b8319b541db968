"""
A terminal window for a test: runs the command given as arguments on a pseudo-terminal (its
controlling terminal, as a shell in a terminal window has), relays what it writes to stdout, and
on SIGUSR1 closes the terminal's master side, as closing the window does: the kernel hangs the
terminal up (SIGHUP to the command) and its later writes fail with EIO. Prints
{"terminalChild": pid} at start and {"terminalExit": code} (negative: killed by that signal)
once the command is gone.
"""
import json
import os
import pty
import signal
import sys

pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

print(json.dumps({"terminalChild": pid}), flush=True)
closed = False


def hang_up(signum, frame):
    global closed
    if not closed:
        closed = True
        os.close(master)


signal.signal(signal.SIGUSR1, hang_up)
while not closed:
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: the command closed its side; EBADF: we closed ours
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.flush()

_, status = os.waitpid(pid, 0)
print(json.dumps({"terminalExit": os.waitstatus_to_exitcode(status)}), flush=True)
