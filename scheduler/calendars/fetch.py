"""Download an ICS subscription URL safely: http(s) only, public addresses only, bounded in size and time.

The server-side request forgery guard resolves the host once, refuses the request if any of its
addresses is private, loopback, link-local, reserved or otherwise not globally routable (unless
the configuration allows such addresses: all of them, or the networks it lists, as tests on
loopback do), and then connects to exactly the address it checked, so a DNS answer that changes
between check and use cannot slip through. The CalDAV client (caldav_source.py) uses the same
check and pins the same way.
Redirects are followed a bounded number of times and each target is checked the same way.

The overall time limit is enforced by a timer that shuts the socket down, so a server that
trickles bytes slowly cannot hold an import open longer than the limit.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scheduler.calendars.limits import DEFAULT_LIMITS, ImportLimits
from scheduler.calendars.problems import CalendarError

ALLOWED_SCHEMES = {"http": 80, "https": 443}
# webcal:// is how calendar apps advertise subscriptions; it is plain HTTP(S) underneath.
_SCHEME_ALIASES = {"webcal": "https", "webcals": "https"}
_CHUNK = 64 * 1024
_USER_AGENT = "interview-scheduler/1 (calendar subscription)"


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (a vetted address) and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def normalise_url(url: str) -> str:
    """Return *url* stripped, with webcal:// turned into https://."""
    url = (url or "").strip()
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in _SCHEME_ALIASES:
        return f"{_SCHEME_ALIASES[scheme.lower()]}://{rest}"
    return url


def is_public_address(address: str) -> bool:
    """Tell whether an IP address is globally routable (not private, loopback, link-local, ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def is_allowed_address(address: str, *, is_private_allowed: bool = False,
                       private_networks: tuple[str, ...] = ()) -> bool:
    """Tell whether a calendar may be read from *address*: a public one, or a private one the
    configuration allows (all of them, or those in *private_networks*)."""
    if is_private_allowed or is_public_address(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(network, strict=False) for network in private_networks)


def check_url(url: str, *, is_private_allowed: bool = False, private_networks: tuple[str, ...] = ()) -> Target:
    """Validate scheme and host of *url* and resolve it; raise CalendarError if it may not be fetched."""
    url = normalise_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        # The address itself is not repeated: a subscription address is a secret.
        raise CalendarError("url_invalid") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise CalendarError("url_scheme_not_allowed", scheme=scheme or "-")
    host = parts.hostname
    if not host:
        raise CalendarError("url_invalid")
    port = port or ALLOWED_SCHEMES[scheme]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise CalendarError("url_unreachable", host=host, detail=_reason(exc)) from exc
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        if not is_allowed_address(address, is_private_allowed=is_private_allowed,
                                  private_networks=private_networks):
            raise CalendarError("url_address_not_allowed", host=host, address=address)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def fetch_calendar_url(url: str, *, limits: ImportLimits = DEFAULT_LIMITS,
                       is_private_allowed: bool = False, private_networks: tuple[str, ...] = ()) -> bytes:
    """Download the calendar at *url* and return its bytes; raise CalendarError with a clear code."""
    deadline = _Deadline(limits.fetch_timeout_seconds)
    try:
        for _ in range(limits.max_redirects + 1):
            target = check_url(url, is_private_allowed=is_private_allowed, private_networks=private_networks)
            outcome = _get(target, limits, deadline)
            if isinstance(outcome, bytes):
                return outcome
            url = urljoin(target.url, outcome)
        raise CalendarError("url_too_many_redirects")
    except CalendarError:
        raise
    except (TimeoutError, socket.timeout) as exc:
        raise CalendarError("url_timeout", seconds=_seconds(limits)) from exc
    except OSError as exc:
        if deadline.is_expired:
            raise CalendarError("url_timeout", seconds=_seconds(limits)) from exc
        raise CalendarError("url_unreachable", host=_host_of(url),
                            detail=_reason(exc)) from exc
    except http.client.HTTPException as exc:
        if deadline.is_expired:
            raise CalendarError("url_timeout", seconds=_seconds(limits)) from exc
        raise CalendarError("url_unreachable", host=_host_of(url),
                            detail="invalid HTTP response") from exc
    finally:
        deadline.cancel()


def _get(target: Target, limits: ImportLimits, deadline: _Deadline) -> bytes | str:
    """GET *target*: return the body, or the Location of a redirect."""
    connection = _connect(target, limits.fetch_timeout_seconds, deadline)
    try:
        connection.request("GET", target.path, headers={
            "User-Agent": _USER_AGENT,
            "Accept": "text/calendar, text/plain;q=0.5, */*;q=0.1",
            "Accept-Encoding": "identity",
        })
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location")
            if not location:
                raise CalendarError("url_http_status", status=response.status)
            return location
        if response.status != 200:
            raise CalendarError("url_http_status", status=response.status)
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            raise CalendarError("url_too_large", max_size=limits.max_bytes)
        body = _read_bounded(response, limits.max_bytes)
        if deadline.is_expired:
            raise CalendarError("url_timeout", seconds=_seconds(limits))
        if not body.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper().startswith(b"BEGIN:VCALENDAR"):
            raise CalendarError("not_a_calendar",
                                content_type=(response.getheader("Content-Type") or "unknown")[:100])
        return body
    finally:
        connection.close()


def _read_bounded(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise CalendarError("url_too_large", max_size=max_bytes)
        chunks.append(chunk)


def _connect(target: Target, timeout: float, deadline: _Deadline) -> http.client.HTTPConnection:
    """Open a connection to one of the vetted addresses, never re-resolving the host name."""
    last_error: OSError | None = None
    for address in target.addresses:
        try:
            sock = socket.create_connection((address, target.port), timeout=timeout)
        except OSError as exc:
            last_error = exc
            continue
        deadline.watch(sock)
        if target.scheme == "https":
            context = ssl.create_default_context()
            try:
                sock = context.wrap_socket(sock, server_hostname=target.host)
            except (OSError, ssl.SSLError):
                sock.close()
                raise
            deadline.watch(sock)
            connection = http.client.HTTPSConnection(target.host, target.port, timeout=timeout,
                                                     context=context)
        else:
            connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        connection.sock = sock  # already connected: http.client will not resolve the name again
        return connection
    raise last_error or OSError("no address to connect to")


class _Deadline:
    """Shuts the watched socket down when the overall time limit passes."""

    def __init__(self, seconds: float):
        self.is_expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Make *sock* the one to shut down at expiry (or now, if already expired)."""
        with self._lock:
            self._sock = sock
            if self.is_expired:
                _shutdown(sock)

    def cancel(self) -> None:
        """Stop the timer (the fetch is over)."""
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.is_expired = True
            if self._sock is not None:
                _shutdown(self._sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to interrupt


def _host_of(url: str) -> str:
    # Only the host is named in a message, never the rest of a (secret) subscription address.
    try:
        return urlsplit(normalise_url(url)).hostname or "-"
    except ValueError:
        return "-"


def _seconds(limits: ImportLimits) -> str:
    return f"{limits.fetch_timeout_seconds:g}"


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
    return " ".join(str(reason).split())[:200] or type(exc).__name__
