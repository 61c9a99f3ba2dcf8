"""A passive capture of loopback UDP (AF_PACKET raw socket, root only), fed to a Tracker.

SIPp cannot time when RTP arrives, so the phones' view is taken from the
wire: the kernel stamps every packet as it passes `lo` (SO_TIMESTAMPNS), and
the tracker matches packets to calls. Packets the socket could not keep up
with are counted by the kernel (PACKET_STATISTICS) and reported, not hidden.

Most of what crosses `lo` under load is audio the tracker never looks at: the
counselors' conversations and the citizens' own line. Parsing it in Python
took close to half a core at 200 calls, on the same two cores as the system
measured, so a classic BPF filter on the socket drops it in the kernel: lo's
outgoing copy of every packet, all audio to or from the counselors' phones,
and the citizens' audio except their RFC 4733 digits.
"""

from __future__ import annotations

import ctypes
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
_SO_ATTACH_FILTER = 26

# Classic BPF (linux/filter.h): opcodes, and the ancillary load of the packet type.
_LD_W_ABS, _LD_H_ABS, _LD_B_ABS = 0x20, 0x28, 0x30
_LD_H_IND, _LD_B_IND, _LDX_B_MSH = 0x48, 0x50, 0xB1
_ALU_AND_K, _JEQ_K, _RET_K = 0x54, 0x15, 0x06
_SKF_AD_PKTTYPE = 0xFFFFF000 + 4
_ETHERTYPE_IPV4, _IPPROTO_UDP = 0x0800, 17
_RTP_PAYLOAD_TYPE = 14 + 8 + 1  # from the IP header's end: UDP header, then RTP's second byte


def capture_filter(citizens_media: int, counselor_media: int, dtmf_payload_type: int) -> bytes:
    """The socket filter: keep UDP over IPv4 arriving on lo, less the audio
    the tracker does not use (see the module's docstring)."""
    keep, drop = 0x40000, 0
    # (opcode, k, jump-if-true label, jump-if-false label); labels resolve to offsets.
    program: list[tuple[int, int, str | None, str | None]] = [
        (_LD_W_ABS, _SKF_AD_PKTTYPE, None, None),
        (_JEQ_K, _PACKET_OUTGOING, "drop", None),
        (_LD_H_ABS, 12, None, None),
        (_JEQ_K, _ETHERTYPE_IPV4, None, "drop"),
        (_LD_B_ABS, 14 + 9, None, None),
        (_JEQ_K, _IPPROTO_UDP, None, "drop"),
        (_LDX_B_MSH, 14, None, None),  # X = the IP header's length
        (_LD_H_IND, 14, None, None),  # UDP source port
        (_JEQ_K, counselor_media, "drop", None),
        (_JEQ_K, citizens_media, "digit", None),
        (_LD_H_IND, 16, None, None),  # UDP destination port
        (_JEQ_K, counselor_media, "drop", None),
        (_RET_K, keep, None, None),
        (_LD_B_IND, _RTP_PAYLOAD_TYPE, None, None),  # "digit"
        (_ALU_AND_K, 0x7F, None, None),
        (_JEQ_K, dtmf_payload_type, None, "drop"),
        (_RET_K, keep, None, None),
        (_RET_K, drop, None, None),  # "drop"
    ]
    labels = {"digit": 13, "drop": len(program) - 1}

    def jump(at: int, label: str | None) -> int:
        return 0 if label is None else labels[label] - at - 1

    return b"".join(
        struct.pack("HBBI", code, jump(i, jt), jump(i, jf), k) for i, (code, k, jt, jf) in enumerate(program)
    )


class Sniffer:
    """Captures `lo` on a thread from start() to stop()."""

    def __init__(
        self, tracker: Tracker, ports: range | frozenset[int], kernel_filter: bytes | None = None
    ) -> None:
        self.tracker = tracker
        self.ports = ports  # a datagram is looked at only if one of its ports is here
        self.packets = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
        if kernel_filter is not None:
            program = ctypes.create_string_buffer(kernel_filter)
            fprog = struct.pack("HL", len(kernel_filter) // 8, ctypes.addressof(program))
            self._sock.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_FILTER, fprog)
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
