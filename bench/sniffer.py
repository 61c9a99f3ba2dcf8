"""A passive capture of loopback UDP (AF_PACKET raw socket, root only), fed to a Tracker.

SIPp cannot time when RTP arrives, so the phones' view is taken from the
wire: the kernel stamps every packet as it passes `lo` (SO_TIMESTAMPNS), and
the tracker matches packets to calls. Packets the socket could not keep up
with are counted by the kernel (PACKET_STATISTICS) and reported, not hidden.
"""

from __future__ import annotations

import socket
import struct
import threading
import time

from bench.packets import parse_frame
from bench.tracker import Tracker

_ETH_P_ALL = 0x0003
_SO_TIMESTAMPNS = 35
_SOL_PACKET = 263
_PACKET_STATISTICS = 6
_PACKET_OUTGOING = 4
_SO_RCVBUFFORCE = 33


class Sniffer:
    """Captures `lo` on a thread from start() to stop()."""

    def __init__(self, tracker: Tracker, ports: range | frozenset[int]) -> None:
        self.tracker = tracker
        self.ports = ports  # a datagram is looked at only if one of its ports is here
        self.packets = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
        self._sock.bind(("lo", 0))
        self._sock.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, 64 * 1024 * 1024)
        except OSError:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024 * 1024)
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._run, name="sniffer", daemon=True)

    def start(self) -> None:
        self._stats()  # reading the statistics resets them
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.dropped += self._stats()[1]
        self._sock.close()

    def _stats(self) -> tuple[int, int]:
        raw = self._sock.getsockopt(_SOL_PACKET, _PACKET_STATISTICS, 8)
        packets, drops = struct.unpack("II", raw)
        return packets, drops

    def _run(self) -> None:
        ancillary = socket.CMSG_SPACE(16)
        ports = self.ports
        while not self._stop.is_set():
            try:
                frame, anc, _flags, address = self._sock.recvmsg(65535, ancillary)
            except TimeoutError:
                continue
            except OSError:
                return
            # lo shows every packet twice: once leaving, once arriving.
            if address[2] == _PACKET_OUTGOING:
                continue
            d = parse_frame(frame)
            if d is None or (d.src[1] not in ports and d.dst[1] not in ports):
                continue
            t = time.time()
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", data[:16])
                    t = sec + nsec / 1e9
            self.packets += 1
            self.tracker.feed(t, d)
