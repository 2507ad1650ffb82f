"""The test servers' ports: never where the kernel puts outgoing connections."""

import socket

from huoli.tests import ports
from huoli.tests.ports import free_port


def test_ports_are_outside_the_range_outgoing_connections_use_and_not_handed_out_twice_soon():
    low, high = (int(n) for n in ports.LOCAL_PORT_RANGE.read_text().split())
    handed = [free_port() for _ in range(200)]
    assert len(set(handed)) == len(handed)
    assert not [port for port in handed if low <= port <= high]
    # An outgoing connection's own port comes from that range, so it cannot take ours.
    with (
        socket.create_server(("127.0.0.1", 0)) as server,
        socket.create_connection(server.getsockname()) as client,
    ):
        assert low <= client.getsockname()[1] <= high


def test_a_block_is_free_for_tcp_and_udp_and_skips_a_port_in_use():
    first = free_port(count=41)
    for port in range(first, first + 41):
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, kind) as probe:
                probe.bind(("127.0.0.1", port))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", first))
        assert not ports._free(first, "127.0.0.1")
        assert ports._free(first + 1, "127.0.0.1")


def test_a_long_run_of_servers_still_finds_blocks():
    """A whole suite's worth of telephone stacks (two ports, a 41-port media block...) and
    browser servers: the recent ports are skipped, the older ones come back."""
    for _ in range(300):
        for count in (2, 1, 1, 41, 2):
            first = free_port(count=count)
            recent = list(ports._handed_out)
            assert recent[-count:] == list(range(first, first + count))
            assert not set(recent[-count:]) & set(recent[:-count])
    for _ in range(1000):
        free_port()
