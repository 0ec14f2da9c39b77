"""A started Python interpreter that forks sandboxes for python3.* functions.

tidepool starts it once (`python3 -u zygote.py`, in the environment a sandbox would get minus
the per-function variables) with two SOCK_SEQPACKET sockets: fd 3 for spawn requests and their
replies, fd 4 for exit reports. Interpreter start-up (site, the .pth files of site-packages,
runtime_client's imports) happens here once; a sandbox is then a fork of this process, which
skips the 30-100 ms an interpreter takes to start.

fd 3, one message each way per spawn:
  request  {"env": {NAME: value}, "cwd": dir, "argv0": bootstrap.py}, with one fd (SCM_RIGHTS):
           the write end of the sandbox's output pipe
  reply    {"pid": N} once the child is in its own process group, or {"error": text}
fd 4, one message per ended child:
  {"exit": pid, "status": raw wait status}

The child becomes what `python3 -u bootstrap.py` started with `env` in `cwd` would be: its
environment replaced (os.environ, so C's getenv too), TZ re-read, PYTHONPATH's entries put on
sys.path where a new interpreter puts them, stdin /dev/null, stdout and stderr the pipe, every
other fd closed, its own process group, SIGKILL when this process dies (which dies with
tidepool). tidepool uses the zygote only for functions whose variables that shape interpreter
start-up (PYTHON*, LD_*, LC_*, LANG, HOME) equal this process's. The zygote exits when fd 3
closes.
"""

import atexit
import ctypes
import json
import os
import signal
import socket
import sys
import time
import traceback

import runtime_client

PR_SET_PDEATHSIG = 1
ZYGOTE_PID = os.getpid()
BASE_PATH = sys.path[1:]  # after the script's own directory, as a new interpreter has it
MAX_MESSAGE = 1 << 20


def exit_code_of(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def run_child(request, out_fd, libc):
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != ZYGOTE_PID:
        os._exit(1)
    os.setpgid(0, 0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    try:
        os.chdir(request["cwd"])
    except OSError:
        os.write(2, b"tidepool: cannot enter the function's code directory\n")
        os._exit(126)
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [os.path.dirname(request["argv0"])] + extra + BASE_PATH
    sys.argv = [request["argv0"]]
    code = 0
    try:
        runtime_client.main()
    except SystemExit as e:
        code = exit_code_of(e)
    except BaseException:  # noqa: BLE001 - as an interpreter reports an uncaught exception
        traceback.print_exc()
        code = 1
    # What an interpreter does on its way out, then leave without returning into the zygote.
    try:
        threading = sys.modules.get("threading")
        if threading is not None:
            threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def spawn(requests, request, fds, libc):
    if len(fds) != 1:
        for fd in fds:
            os.close(fd)
        requests.send(json.dumps({"error": "a spawn request carries one fd"}).encode())
        return None
    try:
        pid = os.fork()
    except OSError as e:
        os.close(fds[0])
        requests.send(json.dumps({"error": "fork failed: %s" % e}).encode())
        return None
    if pid == 0:
        try:
            run_child(request, fds[0], libc)
        finally:
            os._exit(127)
    os.close(fds[0])
    try:
        os.setpgid(pid, pid)  # also here, so the group exists before tidepool's kill(-pid)
    except OSError:
        pass  # it already left (or set it itself): either way tidepool learns from fd 4
    requests.send(json.dumps({"pid": pid}).encode())
    return pid


def reap(events):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        events.send(json.dumps({"exit": pid, "status": status}).encode())


def main():
    import select

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    requests = socket.socket(fileno=3)
    events = socket.socket(fileno=4)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    while True:
        ready, _, _ = select.select([requests, wake_r], [], [])
        if wake_r in ready:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
            reap(events)
        if requests in ready:
            try:
                message, fds, _, _ = socket.recv_fds(requests, MAX_MESSAGE, 4)
            except InterruptedError:
                continue
            if not message:
                return  # tidepool closed its end
            try:
                request = json.loads(message)
            except ValueError:
                for fd in fds:
                    os.close(fd)
                requests.send(json.dumps({"error": "malformed request"}).encode())
                continue
            spawn(requests, request, fds, libc)


if __name__ == "__main__":
    main()
