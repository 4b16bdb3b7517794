"""Small SOCKS 4, SOCKS 5 and HTTP CONNECT proxies for the nc proxy tests, run in a thread
of the test (so inside its network namespace). Each records the bytes every client sent it
during the handshake, answers as told, and on success relays to the real target."""
import ipaddress
import select
import socket
import threading

DEADLINE = 10.0


def _read_exact(conn, size):
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client closed during the handshake")
        data += chunk
    return data


def _read_line(conn):
    line = b""
    while not line.endswith(b"\n"):
        line += _read_exact(conn, 1)
    return line


def _pipe(source, sink):
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def accept_counted(server):
    """Accepts the next client and adds its record, both under server.lock, so that settled()
    never sees a connection that is neither queued nor counted. None once closed."""
    while True:
        with server.lock:
            try:
                conn, _ = server.listener.accept()
                server.received.append(bytearray())
                conn.setblocking(True)
                return conn
            except BlockingIOError:
                pass
            except OSError:
                return None
        try:
            select.select([server.listener], [], [], 0.05)
        except (OSError, ValueError):
            return None


def settled(server):
    """True when every client that connected has been served to its end."""
    with server.lock:
        try:
            queued = select.select([server.listener], [], [], 0)[0]
        except (OSError, ValueError):
            queued = []
        return not queued and server.finished == len(server.received)


def relay(client, host, port):
    """Connects to host:port and copies both ways until both sides are done."""
    with socket.create_connection((host, port), timeout=DEADLINE) as target:
        target.settimeout(DEADLINE)
        back = threading.Thread(target=_pipe, args=(target, client), daemon=True)
        back.start()
        _pipe(client, target)
        back.join(DEADLINE)


class Proxy:
    """protocol: "4", "5" or "connect". answers: per connection, the reply code (SOCKS: 90 or
    0 mean granted) or HTTP status line; the last one repeats. raw: instead of a protocol,
    bytes sent after the client's first bytes arrive (for truncated or odd replies)."""

    def __init__(self, protocol, answers=(None,), raw=None):
        self.protocol = protocol
        self.answers = list(answers)
        self.raw = raw
        self.received = []  # the handshake bytes of each connection, in order
        self.finished = 0   # connections whose handling is over
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.setblocking(False)
        self.lock = threading.Lock()
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self):
        self.listener.close()

    def _serve(self):
        count = 0
        while True:
            conn = accept_counted(self)
            if conn is None:
                return
            answer = self.answers[min(count, len(self.answers) - 1)]
            count += 1
            record = self.received[-1]
            with conn:
                conn.settimeout(DEADLINE)
                try:
                    self._handle(conn, answer, record)
                except (OSError, ConnectionError):
                    pass
            self.finished += 1

    def settled(self):
        return settled(self)

    def _finish(self, conn, record=None):
        """Half-closes and waits for the client to go, so that it sees our FIN, not a reset."""
        conn.shutdown(socket.SHUT_WR)
        while chunk := conn.recv(65536):
            if record is not None:
                record.extend(chunk)

    def _handle(self, conn, answer, record):
        def take(size):
            data = _read_exact(conn, size)
            record.extend(data)
            return data

        if self.raw is not None:
            # The whole first message (nc writes it in pieces), then the scripted answer.
            if self.protocol == "connect":
                while not record.endswith(b"\r\n\r\n"):
                    take(1)
            else:
                take(3 if self.protocol == "5" else 9)
            conn.sendall(self.raw)
            self._finish(conn, record)
        elif self.protocol == "5":
            greeting = take(2)
            take(greeting[1])
            if answer == 255:
                conn.sendall(b"\x05\xff")
                return self._finish(conn)
            conn.sendall(b"\x05\x00")
            header = take(4)
            if header[3] == 1:
                host = str(ipaddress.IPv4Address(take(4)))
            elif header[3] == 4:
                host = str(ipaddress.IPv6Address(take(16)))
            else:
                host = take(take(1)[0]).decode()
            port = int.from_bytes(take(2), "big")
            code = answer or 0
            conn.sendall(bytes([5, code, 0, 1, 127, 0, 0, 1, 0, 0]))
            if code != 0:
                return self._finish(conn)
            relay(conn, host, port)
        elif self.protocol == "4":
            header = take(8)
            while take(1) != b"\x00":
                pass
            code = answer or 90
            conn.sendall(bytes([0, code, 0, 0, 0, 0, 0, 0]))
            if code != 90:
                return self._finish(conn)
            relay(conn, str(ipaddress.IPv4Address(header[4:8])), int.from_bytes(header[2:4], "big"))
        else:
            request = _read_line(conn)
            record.extend(request)
            while (line := _read_line(conn)) not in (b"\r\n", b"\n"):
                record.extend(line)
            record.extend(line)
            status = answer or "HTTP/1.0 200 Connection established"
            conn.sendall(status.encode() + b"\r\nVia: test\r\n\r\n")
            if " 200" not in status:
                return self._finish(conn)
            target = request.split()[1].decode()
            host, _, port = target.rpartition(":")
            relay(conn, host.strip("[]"), int(port))


class Target:
    """The final destination: greets each client, then records what it sends until EOF."""

    def __init__(self, greeting=b"hello from the target\n"):
        self.greeting = greeting
        self.received = []
        self.finished = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.setblocking(False)
        self.lock = threading.Lock()
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self):
        self.listener.close()

    def _serve(self):
        while True:
            conn = accept_counted(self)
            if conn is None:
                return
            record = self.received[-1]
            with conn:
                conn.settimeout(DEADLINE)
                try:
                    conn.sendall(self.greeting)
                    while chunk := conn.recv(65536):
                        record.extend(chunk)
                except OSError:
                    pass
            self.finished += 1

    def settled(self):
        return settled(self)
