"""The warm yt-dlp engine: one long-lived Python process per downloads worker.

It imports yt_dlp once and warms its extractors, then serves jobs over its stdin/stdout, one
JSON object per line each way. Each job runs in a child forked from this warm process (copy on
write: it starts in milliseconds, with every extractor already loaded), one job per child, in a
process group of its own so that a cancel kills the child and the ffmpeg it started with one
signal. yt-dlp is used through its documented embedding API (`yt_dlp.YoutubeDL`, params,
`progress_hooks`, a post-processor `when='after_move'`).

Settings that hold for every job (ffmpeg, the JavaScript runtime, the jobs' niceness) come once,
as JSON in the ENGINE_SETTINGS environment variable; the warm-up uses them too.

Protocol (Node -> engine, on stdin):
  {"job": J, "op": "start", "config": {...}}   fork the child for job J (config: proxy, cookies)
  {"job": J, "op": "probe", "url": U, "playlistItems": N}
  {"job": J, "op": "download", "probe": P, "entry": E | null, ...}
  {"job": J, "op": "end"}                       the child exits
  {"job": J, "op": "cancel"}                    the child's process group is killed

Engine -> Node, on stdout:
  {"type": "ready", "version": V, "pid": N, "debugHeader": [...]}
  {"job": J, "event": "started", "pid": N}
  {"job": J, "child": {"event": E, ...}}          what the child said: probed, progress,
                                                  downloaded, too-large, no-file, failed
  {"job": J, "event": "exited", "code": C, "signal": S}

Every op of a job gets exactly one answer (probed / downloaded / too-large / no-file / failed) unless the
child dies first; "exited" follows the child's end however it ended. The engine exits when its
stdin closes, and dies with its parent (the parent-death signal); the children die with the
engine, and the tools they start (ffmpeg) with them.
"""
import copy
import ctypes
import http.server
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import types

PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def name_process(name):
    """What `ps -o comm` shows: the engine and its job children are told apart at a glance (their
    command lines are the same: a fork keeps it, and carry the owner's `--owner` label)."""
    _libc.prctl(PR_SET_NAME, name.encode('ascii'), 0, 0, 0)


def die_with_parent():
    """The kernel sends SIGKILL to this process when its parent dies."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _popen_dies_with_parent(original_init):
    # yt-dlp starts ffmpeg (merges, HLS, fixups) through subprocess.Popen: each such tool gets the
    # parent-death signal too, so that nothing survives a killed job child.
    def init(self, *args, **kwargs):
        user_preexec = kwargs.get('preexec_fn')

        def preexec():
            die_with_parent()
            if user_preexec:
                user_preexec()

        kwargs['preexec_fn'] = preexec
        original_init(self, *args, **kwargs)

    return init


subprocess.Popen.__init__ = _popen_dies_with_parent(subprocess.Popen.__init__)

# The protocol owns the real stdout; anything a library prints goes to stderr instead.
_protocol = os.fdopen(os.dup(1), 'w', buffering=1, encoding='utf-8')
os.dup2(2, 1)
sys.stdout = sys.stderr

import yt_dlp  # noqa: E402  (after the stdout swap: nothing it prints may reach the protocol)
from yt_dlp.postprocessor.common import PostProcessor  # noqa: E402
from yt_dlp.utils import DownloadError, YoutubeDLError  # noqa: E402
from yt_dlp.networking import HEADRequest  # noqa: E402

SETTINGS = json.loads(os.environ.get('ENGINE_SETTINGS') or '{}')
MAX_FILESIZE_NOTICE = re.compile(r'File is larger than max-filesize \((\d+) bytes > (\d+) bytes\)')
PROGRESS_EVERY_SECONDS = 0.5
# yt-dlp's default extractors, in its order, as the warm-up's YoutubeDL chose them. A YoutubeDL
# made with auto_init (the default) works that list out again from ~1,800 names, which costs a
# job ~0.05 CPU s per YoutubeDL; jobs add the same list to theirs instead.
DEFAULT_EXTRACTORS = []


def new_youtube_dl(params):
    if not DEFAULT_EXTRACTORS:
        return yt_dlp.YoutubeDL(params)  # the list could not be read: yt-dlp works it out itself
    ydl = yt_dlp.YoutubeDL(params, auto_init=False)
    for extractor in DEFAULT_EXTRACTORS:
        # Classes are shared; the one instance in the list (the last resort) is made anew per YoutubeDL.
        ydl.add_info_extractor(extractor if isinstance(extractor, type) else type(extractor)())
    return ydl


class SizeGuardExceeded(Exception):
    """The bytes received passed the attempt's limit (a server that announced no size)."""


class Channel:
    """JSON lines over a socket: the child's line to the engine."""

    def __init__(self, sock):
        self.sock = sock
        self.reader = sock.makefile('r', encoding='utf-8')

    def send(self, message):
        self.sock.sendall((json.dumps(message, separators=(',', ':'), default=str) + '\n').encode('utf-8'))

    def receive(self):
        line = self.reader.readline()
        return json.loads(line) if line else None


class Logger:
    """yt-dlp's logger param: keeps the errors and the max-filesize notice, drops the chatter."""

    def __init__(self):
        self.errors = []
        self.debug_lines = []
        self.max_filesize = None
        self.keep_debug = False

    def debug(self, message):
        match = MAX_FILESIZE_NOTICE.search(message)
        if match:
            self.max_filesize = int(match.group(1))
        if self.keep_debug:
            self.debug_lines.append(message)

    info = debug

    def warning(self, message):
        pass

    def error(self, message):
        self.errors.append(message)


def base_params(config, logger):
    """What every YoutubeDL of a job gets (the engine's settings, the job's proxy and cookies):
    the equivalent of the old command lines' common part."""
    params = {
        'logger': logger,
        'quiet': True,
        'noprogress': True,
        'cachedir': False,
        'color': {'stdout': 'no_color', 'stderr': 'no_color'},
        'socket_timeout': 15,
        'noplaylist': True,
    }
    if SETTINGS.get('ffmpeg'):
        params['ffmpeg_location'] = SETTINGS['ffmpeg']
    if SETTINGS.get('jsRuntime'):
        runtime = SETTINGS['jsRuntime']
        params['js_runtimes'] = {runtime['name']: {'path': runtime['path']}}
    if config.get('cookiesFile'):
        params['cookiefile'] = config['cookiesFile']
    if config.get('proxy'):
        params['proxy'] = config['proxy']
    return params


def describe_error(error, logger):
    """An exception as a typed value: yt-dlp's exception classes (the cause first) and its message."""
    cause = error
    if isinstance(error, DownloadError) and error.exc_info and error.exc_info[1] is not None:
        cause = error.exc_info[1]
    classes = [c.__name__ for c in type(cause).__mro__ if c not in (object, BaseException, Exception)]
    if isinstance(error, DownloadError):
        message = str(error.msg or error)
    elif isinstance(error, YoutubeDLError):
        # Raised past yt-dlp's own error report (format selection in process_ie_result): the
        # line the command line would have printed.
        message = f'ERROR: {error}'
    elif logger.errors:
        message = logger.errors[-1]
    else:
        message = f'{type(error).__name__}: {error}'
    return {'classes': classes, 'message': message, 'expected': bool(getattr(cause, 'expected', False))}


class FinalPath(PostProcessor):
    """Runs after the file reached its final name: remembers it."""

    def __init__(self):
        super().__init__()
        self.path = None

    def run(self, info):
        self.path = info.get('filepath')
        return [], info


MEASURED_FORMATS = 12


def measure_sizes(ydl, info):
    """The quality picker shows sizes: a plain http(s) format whose page named no size (a web
    page's <source> elements) gets the Content-Length of a HEAD request, made through the job's
    YoutubeDL (its proxy, cookies and timeout). Streaming formats (HLS, DASH) have no one file to
    ask about and are left unknown; so is a format whose server does not answer."""
    measured = 0
    for fmt in info.get('formats') or []:
        if measured >= MEASURED_FORMATS:
            return
        if fmt.get('filesize') or fmt.get('filesize_approx'):
            continue
        if fmt.get('protocol') not in ('http', 'https') or not fmt.get('url'):
            continue
        measured += 1
        try:
            with ydl.urlopen(HEADRequest(fmt['url'], headers=fmt.get('http_headers') or {})) as response:
                length = int(response.headers.get('Content-Length') or 0)
        except Exception:  # noqa: BLE001  (an unknown size is tried anyway, guarded)
            continue
        if length > 0:
            fmt['filesize'] = length


class Job:
    def __init__(self, channel, config):
        self.channel = channel
        self.config = config
        self.probes = []

    def run(self):
        while True:
            message = self.channel.receive()
            if message is None or message.get('op') == 'end':
                return
            op = message.get('op')
            if op == 'probe':
                self.probe(message)
            elif op == 'download':
                self.download(message)
            else:
                raise ValueError(f'unknown op {op!r}')  # a bug on the Node side: the job fails retryably

    def probe(self, message):
        logger = Logger()
        params = base_params(self.config, logger)
        params.update({
            'extract_flat': 'in_playlist',
            'playlist_items': f"1:{max(1, int(message.get('playlistItems') or 1))}",
            'extractor_retries': 0,
        })
        try:
            with new_youtube_dl(params) as ydl:
                info = ydl.extract_info(message['url'], download=False)
                if message.get('measureSizes'):
                    measure_sizes(ydl, info)
                # What --dump-single-json printed and --load-info-json read: plain JSON values.
                clean = ydl.sanitize_info(info)
        except Exception as error:  # noqa: BLE001  (every failure becomes an answer)
            self.channel.send({'event': 'failed', 'error': describe_error(error, logger)})
            return
        self.probes.append(clean)
        self.channel.send({'event': 'probed', 'probe': len(self.probes) - 1, 'info': clean})

    def download(self, message):
        source = self.probes[message['probe']]
        entry = message.get('entry')
        if entry is not None:
            source = source['entries'][entry]
        logger = Logger()
        guard = int(message['guardBytes'])
        parts = {}
        state = {'refused': None, 'sent': 0.0}

        def on_progress(report):
            if report.get('status') not in ('downloading', 'finished'):
                return
            key = report.get('filename') or report.get('tmpfilename') or ''
            total = report.get('total_bytes') or report.get('total_bytes_estimate')
            parts[key] = (report.get('downloaded_bytes') or 0, total)
            downloaded = sum(done for done, _ in parts.values())
            totals = [t for _, t in parts.values()]
            if downloaded > guard:
                state['refused'] = downloaded
                raise SizeGuardExceeded()
            now = time.monotonic()
            if report.get('status') == 'downloading' and now - state['sent'] < PROGRESS_EVERY_SECONDS:
                return
            state['sent'] = now
            self.channel.send({
                'event': 'progress',
                'downloadedBytes': int(downloaded),
                'totalBytes': int(sum(totals)) if totals and all(totals) else None,
                'speedBytesPerSecond': report.get('speed'),
            })

        params = base_params(self.config, logger)
        params.update({
            'format': message['format'],
            'max_filesize': max(1, guard),
            'updatetime': False,
            'retries': 2,
            'fragment_retries': 2,
            'outtmpl': {'default': message['outputTemplate']},
            'progress_hooks': [on_progress],
        })
        if message.get('mergeOutputFormat'):
            params['merge_output_format'] = message['mergeOutputFormat']
        if message.get('thumbnailTemplate'):
            params['writethumbnail'] = True
            params['outtmpl']['thumbnail'] = message['thumbnailTemplate']
        final = FinalPath()
        try:
            with new_youtube_dl(params) as ydl:
                ydl.add_post_processor(final, when='after_move')
                # The probe's own info (a copy: yt-dlp writes into it): no second extraction.
                ydl.process_ie_result(copy.deepcopy(source), download=True)
        except Exception as error:  # noqa: BLE001
            if state['refused'] is not None or isinstance(error, SizeGuardExceeded):
                self.channel.send({'event': 'too-large', 'sizeBytes': state['refused'] or guard + 1})
                return
            self.channel.send({'event': 'failed', 'error': describe_error(error, logger)})
            return
        if logger.max_filesize is not None:
            self.channel.send({'event': 'too-large', 'sizeBytes': logger.max_filesize})
        elif final.path:
            self.channel.send({'event': 'downloaded', 'file': final.path})
        else:
            self.channel.send({'event': 'no-file'})


def child_main(sock, config):
    die_with_parent()
    name_process('ytdlp-job')
    nice = int(SETTINGS.get('nice') or 0)
    if nice:
        # Absolute, not relative: the Temporal server, the workflows and the webhook come first.
        # Lower only: raising a priority needs privileges a worker should not have.
        try:
            os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))
        except OSError:
            pass
    channel = Channel(sock)
    Job(channel, config).run()


class WarmUpMedia(http.server.BaseHTTPRequestHandler):
    """A few bytes as video/mp4: the generic extractor takes it as a direct video, as it does
    the links people send, and downloads it."""

    def do_GET(self):  # noqa: N802  (http.server's naming)
        body = b'\0' * 4096
        self.send_response(200)
        self.send_header('Content-Type', 'video/mp4')
        self.send_header('Content-Length', str(len(body)))
        # Media servers send it; yt-dlp reads a date from it with ~50 strptime formats, each
        # compiled on first use: let that happen here, once.
        self.send_header('Last-Modified', self.date_time_string(0))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def warm_up():
    """Runs one real job's code path once, in this process, before the first fork: every
    extractor's URL pattern, the generic extractor, the networking stack, the HTTP downloader and
    the regular expressions they compile on first use. Forked children inherit it all (measured:
    a child of a process that only imported yt_dlp pays ~0.7 CPU s per job, of a warmed one ~0.1).
    The media comes from a server on loopback inside this process, stopped before any fork.
    Returns yt-dlp's debug header (versions, JS runtimes, optional libraries)."""
    logger = Logger()
    logger.keep_debug = True
    with yt_dlp.YoutubeDL({**base_params({}, logger), 'verbose': True}) as ydl:
        # The one private attribute read here (yt-dlp has no public getter for its chosen list);
        # without it, jobs let each YoutubeDL choose again (slower, same result).
        DEFAULT_EXTRACTORS.extend(getattr(ydl, '_ies', {}).values())
    header = [line for line in logger.debug_lines if line.startswith('[debug] ') and ':' in line][:20]

    server = http.server.HTTPServer(('127.0.0.1', 0), WarmUpMedia)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    scratch = tempfile.mkdtemp(prefix='ytdlp-engine-warm-up-')
    try:
        url = f'http://127.0.0.1:{server.server_address[1]}/warm-up.mp4'
        job = Job(types.SimpleNamespace(send=lambda message: None), {})
        job.probe({'url': url, 'playlistItems': 2})
        if job.probes:
            job.download({'probe': 0, 'entry': None, 'format': 'best', 'guardBytes': 1 << 20,
                          'outputTemplate': os.path.join(scratch, 'warm-up.%(ext)s')})
    except Exception:  # noqa: BLE001  (a failed warm-up costs the first job time, nothing else)
        traceback.print_exc()
    finally:
        server.shutdown()
        server.server_close()
        serving.join()
        shutil.rmtree(scratch, ignore_errors=True)
    return header


class Engine:
    def __init__(self):
        self.children = {}  # job -> {'pid', 'sock', 'buffer', 'reaped'}
        self.by_pid = {}
        self.stdin_buffer = b''
        # SIGCHLD writes a byte here, which wakes the select loop to reap.
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)
        os.set_blocking(self.wake_read, False)
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def emit(self, message):
        _protocol.write(json.dumps(message, separators=(',', ':')) + '\n')

    def start_job(self, job, config):
        parent_sock, child_sock = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.setpgid(0, 0)
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for fd in (self.wake_read, self.wake_write, parent_sock.fileno(), _protocol.fileno()):
                    os.close(fd)
                for other in self.children.values():
                    other['sock'].close()
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                child_main(child_sock, config)
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 70
            finally:
                sys.stderr.flush()
                os._exit(code)
        child_sock.close()
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # the child did it first
        self.children[job] = {'pid': pid, 'sock': parent_sock, 'buffer': b'', 'reaped': False}
        self.by_pid[pid] = job
        self.emit({'job': job, 'event': 'started', 'pid': pid})

    def kill_group(self, child):
        if not child['reaped']:
            try:
                os.killpg(child['pid'], signal.SIGKILL)
            except OSError:
                pass

    def on_command(self, line):
        try:
            message = json.loads(line)
            job = message['job']
            op = message['op']
        except (ValueError, KeyError, TypeError):
            print(f'ytdlp_engine: unreadable command {line[:200]!r}', file=sys.stderr)
            return
        if op == 'start':
            self.start_job(job, message.get('config') or {})
            return
        child = self.children.get(job)
        if child is None:
            return
        if op == 'cancel':
            self.kill_group(child)
            return
        try:
            child['sock'].sendall((line + '\n').encode('utf-8'))
        except OSError:
            pass  # the child is gone; its "exited" tells

    def on_child_output(self, job, child):
        """Called when the child's socket is readable (select), so recv does not wait."""
        try:
            data = child['sock'].recv(65536)
        except OSError:
            data = b''
        if not data:
            child['sock'].close()
            child['closed'] = True
            return
        child['buffer'] += data
        *lines, child['buffer'] = child['buffer'].split(b'\n')
        for raw in lines:
            if raw:
                _protocol.write('{"job":%s,"child":%s}\n' % (json.dumps(job), raw.decode('utf-8')))

    def reap(self):
        while True:
            try:
                # Peek first: the group is killed while its leader's pid cannot have been reused.
                status = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if status is None:
                return
            job = self.by_pid.get(status.si_pid)
            if job is not None:
                child = self.children[job]
                self.kill_group(child)  # whatever the job started and left
                # Whatever the child wrote before it ended goes out before "exited" (a timeout
                # counts as the end, should something else still hold the socket open).
                if not child.get('closed'):
                    child['sock'].settimeout(1)
                while not child.get('closed'):
                    self.on_child_output(job, child)
            os.waitpid(status.si_pid, 0)
            if job is None:
                continue
            child = self.children.pop(job)
            child['reaped'] = True
            del self.by_pid[status.si_pid]
            if not child.get('closed'):
                child['sock'].close()
            exited = status.si_code == os.CLD_EXITED
            self.emit({'job': job, 'event': 'exited', 'code': status.si_status if exited else None,
                       'signal': None if exited else status.si_status})

    def serve(self):
        stdin = sys.stdin.buffer.fileno()
        os.set_blocking(stdin, False)
        while True:
            open_jobs = {child['sock']: job for job, child in self.children.items() if not child.get('closed')}
            ready, _, _ = select.select([stdin, self.wake_read, *open_jobs], [], [])
            for source in ready:
                if source == self.wake_read:
                    try:
                        while os.read(self.wake_read, 512):
                            pass
                    except BlockingIOError:
                        pass
                elif source == stdin:
                    data = os.read(stdin, 65536)
                    if not data:
                        self.shutdown()
                        return
                    self.stdin_buffer += data
                    *lines, self.stdin_buffer = self.stdin_buffer.split(b'\n')
                    for line in lines:
                        if line.strip():
                            self.on_command(line.decode('utf-8'))
                else:
                    job = open_jobs[source]
                    if job in self.children:
                        self.on_child_output(job, self.children[job])
            # After every wake-up, SIGCHLD or not: a child that ended is reaped here.
            self.reap()

    def shutdown(self):
        for child in self.children.values():
            self.kill_group(child)


def main():
    # argv may carry `--owner <label>` (the worker's DATA_DIR): only for `ps`, never read.
    die_with_parent()
    name_process('ytdlp-engine')
    expected_parent = os.environ.get('ENGINE_PARENT_PID')
    if expected_parent and os.getppid() != int(expected_parent):
        sys.exit(0)  # the parent was gone before the signal was set
    # Ctrl-C in a terminal reaches every process of the foreground group: the worker decides when
    # downloads stop (it drains first), not the terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    header = warm_up()
    engine = Engine()
    engine.emit({'type': 'ready', 'version': yt_dlp.version.__version__, 'pid': os.getpid(), 'debugHeader': header})
    engine.serve()


if __name__ == '__main__':
    main()
