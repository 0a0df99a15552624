"""The output folder's lock (``.perfeval.lock``): one run at a time, taken over when its holder is gone."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from .errors import BatchLocked
from .folder import LOCK_NAME
from .log import stamp

STALE_LOCK_SECONDS = 12 * 3600  # a lock whose holder cannot be checked is taken over when untouched this long
UNREADABLE_LOCK_SECONDS = 60  # an empty or garbled lock file: being written right now, or left by a crash


def pid_alive(pid: int, since: float | None = None) -> bool | None:
    """Whether process ``pid`` runs on this host; None when that cannot be told.

    Uses psutil when it is installed (then a process started after ``since``, a timestamp, is a reused pid),
    else ``os.kill(pid, 0)`` on POSIX. On Windows without psutil: None.
    """
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            process = psutil.Process(pid)
            if since is not None and process.create_time() > since + 1:
                return False
            return process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
        except psutil.AccessDenied:
            return True
        except psutil.Error:
            return None
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        except OSError:
            return None
        return True
    return None


class OutputLock:
    """``OUTPUT/.perfeval.lock``, created with O_CREAT|O_EXCL, holding the pid, host and time of its run."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self.content = ""

    def _holder(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None
        except (OSError, ValueError):
            return None

    def _stale(self, holder: dict[str, Any] | None) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except OSError:
            return True
        if holder is None:
            return age > UNREADABLE_LOCK_SECONDS
        if holder.get("host") == socket.gethostname():
            since = holder.get("time")
            alive = pid_alive(holder["pid"], since if isinstance(since, (int, float)) else None)
            if alive is not None:
                return not alive
        return age > STALE_LOCK_SECONDS

    def acquire(self) -> str:
        """Take the lock; returns a note (Chinese) when a stale lock was taken over, else "".

        Raises :class:`BatchLocked` when another live run holds it.
        """
        now = time.time()
        info = {"pid": os.getpid(), "host": socket.gethostname(), "time": now, "started": stamp()}
        note = ""
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if not self._stale(holder):
                    pid = holder.get("pid") if holder else None
                    who = (f"进程 {pid}，主机 {holder.get('host', '?')}，开始于 {holder.get('started', '?')}"
                           if holder else "正在写入锁文件")
                    raise BatchLocked(
                        f"输出文件夹正被另一次运行使用：锁文件 {self.path}（{who}）。请等它结束后再运行；如确认没有"
                        f"其他运行，可删除该锁文件。/ output folder locked by pid {pid}", self.path, pid) from None
                who = (f"进程 {holder.get('pid')}，主机 {holder.get('host')}，开始于 {holder.get('started')}"
                       if holder else "内容无法读取")
                note = f"接管了过期的锁文件 {self.path}（{who}；该次运行已不存在）"
                try:
                    self.path.unlink()
                except FileNotFoundError:
                    pass
                continue
            self.content = json.dumps(info, ensure_ascii=False)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.content)
            return note
        raise BatchLocked(f"无法取得锁文件 {self.path}：另一次运行正在同时启动。", self.path, None)

    def touch(self) -> None:
        """Show that the run is alive (a lock is judged by its age where its process cannot be checked)."""
        try:
            os.utime(self.path)
        except OSError:
            pass

    def release(self) -> None:
        """Remove the lock, if it is still ours."""
        try:
            if self.content and self.path.read_text(encoding="utf-8") == self.content:
                self.path.unlink()
        except OSError:
            pass
        self.content = ""
