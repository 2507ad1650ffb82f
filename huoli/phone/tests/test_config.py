"""The generated Kamailio configuration: local.cfg carries this installation's values and
``kamailio -c`` accepts the whole."""

import pytest

from huoli.calls.selectors import DESK_PHONE_REALM
from huoli.phone import stack
from huoli.phone.tests.conftest import require


def write(tmp_path, **overrides):
    values = dict(
        http_url="http://127.0.0.1:8123",
        secret="s3cret-Value_1",
        sip_port=5999,
        ws_port=5998,
        ng_port=2999,
        rtp_min=40000,
        rtp_max=40099,
        trunk_nets="192.0.2.0/24, 127.0.0.0/8",
        media_dir=tmp_path / "media",
    )
    values.update(overrides)
    (tmp_path / "media").mkdir(exist_ok=True)
    return stack.write_config(tmp_path / "out", **values)


def test_local_cfg_carries_the_given_values(tmp_path):
    config = write(tmp_path)
    local = (config.parent / "local.cfg").read_text()
    assert '#!substdef "!HUOLI_SIP_PORT!5999!g"' in local
    assert '#!substdef "!HUOLI_WS_PORT!5998!g"' in local
    assert '#!substdef "!HUOLI_URL!http://127.0.0.1:8123!g"' in local
    assert '#!substdef "!HUOLI_SECRET!s3cret-Value_1!g"' in local
    assert '#!substdef "!HUOLI_TRUNK_NETS!192.0.2.0/24,127.0.0.0/8!g"' in local
    assert '#!substdef "!HUOLI_RTPENGINE_SOCK!udp:127.0.0.1:2999!g"' in local
    assert f'#!substdef "!HUOLI_MEDIA_DIR!{(tmp_path / "media").resolve()}/!g"' in local
    assert "http://127[.]0[.]0[.]1:8123|http://localhost:8123" in local
    assert (config.parent / "local.cfg").stat().st_mode & 0o077 == 0
    assert config.read_text() == stack.SHIPPED_CONFIG.read_text()
    args = (config.parent / "rtpengine.args").read_text().split()
    assert "--table=-1" in args
    assert "--interface=127.0.0.1" in args
    assert "--listen-ng=127.0.0.1:2999" in args
    assert "--port-min=40000" in args and "--port-max=40099" in args
    assert f"--log-level={stack.RTPENGINE_LOG_LEVEL}" in args


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret": "a!b"},
        {"http_url": 'http://x"y'},
        {"trunk_nets": "not-a-net"},
        {"trunk_nets": ""},
        {"listen": ["not-an-address"]},
        {"listen": ["192.0.2.1:99999"]},
        {"listen": ["192.0.2.1:5998"]},  # the WebSocket's port stays on loopback
        {"numbers": ["xx=+35891234560"]},
        {"numbers": ["fi=+358 9 123"]},
        {"numbers": ['fi=1"2']},
        {"numbers": ["fi"]},
        {"numbers": ["fi=123", "sv=123"]},
    ],
)
def test_values_the_configuration_cannot_take_are_refused(tmp_path, overrides):
    with pytest.raises((stack.StackError, ValueError)):
        write(tmp_path, **overrides)


def test_shipped_script_logs_no_number_or_address():
    text = stack.SHIPPED_CONFIG.read_text()
    for line in text.splitlines():
        if not line.lstrip().startswith("#") and ("xlog" in line or "xdbg" in line):
            for variable in ("$si", "$fu", "$fU", "$tu", "$tU", "$ct", "$ci", "$ru", "$rb", "$mb"):
                assert variable not in line, line
    assert "\ndebug=-1\n" in text


def test_kamailio_accepts_the_generated_configuration(tmp_path):
    require("kamailio")
    result = stack.check_config(write(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "config file ok" in result.stdout + result.stderr


def test_local_cfg_carries_listen_addresses_numbers_and_the_realm(tmp_path):
    config = write(
        tmp_path,
        listen=["192.0.2.10", "198.51.100.7:5080"],
        numbers=["fi=+35891234560", "sv=0912345"],
    )
    local = (config.parent / "local.cfg").read_text()
    for line in (
        "listen=udp:192.0.2.10:5999",
        "listen=tcp:192.0.2.10:5999",
        "listen=udp:198.51.100.7:5080",
        "listen=tcp:198.51.100.7:5080",
        '\tif ($rU == "+35891234560") { $rU = "fi"; }',
        '\tif ($rU == "0912345") { $rU = "sv"; }',
        '#!substdef "!HUOLI_REALM!huoli!g"',
    ):
        assert line in local.splitlines(), line
    # The values come first, the routes (read once the modules are loaded) after #!else.
    assert local.index("listen=") < local.index("#!else") < local.index("route[LOCAL_LINES]")
    assert stack.SIP_REALM == DESK_PHONE_REALM
    require("kamailio")
    result = stack.check_config(config)
    assert result.returncode == 0, result.stderr


def test_without_numbers_the_local_route_is_empty(tmp_path):
    local = (write(tmp_path).parent / "local.cfg").read_text()
    assert "route[LOCAL_LINES] {\n\treturn;\n}" in local
    assert "listen=" not in local


def test_the_websocket_is_reachable_on_loopback_only(tmp_path):
    """Browsers reach Kamailio only through the reverse proxy (or on this machine), so no
    visitor's address is ever in what Kamailio receives or passes on: whatever else it
    listens on, the WebSocket door is loopback's."""
    config = write(tmp_path, listen=["192.0.2.10", "0.0.0.0:5080"])
    text = config.read_text() + (config.parent / "local.cfg").read_text()
    listens = [line for line in text.splitlines() if line.startswith("listen=")]
    websocket = [line for line in listens if line.endswith(":HUOLI_WS_PORT") or ":5998" in line]
    assert websocket == ["listen=tcp:127.0.0.1:HUOLI_WS_PORT"]
    assert 'if ($Rp != HUOLI_WS_PORT || $Ri != "127.0.0.1")' in text
