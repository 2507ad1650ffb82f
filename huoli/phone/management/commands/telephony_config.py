"""``manage.py telephony_config``: write Kamailio's configuration (the shipped kamailio.cfg
and a local.cfg with this installation's values) and rtpengine's arguments into var/phone/."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huoli import keys
from huoli.calls.selectors import DESK_PHONE_REALM
from huoli.phone import stack

DEFAULT_OUT = Path(settings.BASE_DIR) / "var" / "phone"


def telephony_secret() -> str:
    """The secret Kamailio shows Huoli: ``HUOLI_TELEPHONY_SECRET`` or var/telephony_secret,
    made (with any other missing key file) by ``huoli.keys`` if absent."""
    keys.ensure_key_files()
    return keys.read_telephony_secret()


def add_stack_arguments(parser) -> None:
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="folder to write into")
    parser.add_argument("--http-url", default="http://127.0.0.1:8000", help="Huoli's address")
    parser.add_argument("--sip-port", type=int, default=5060)
    parser.add_argument("--ws-port", type=int, default=5066)
    parser.add_argument("--ng-port", type=int, default=2223, help="rtpengine's control port")
    parser.add_argument("--rtp-min", type=int, default=30000)
    parser.add_argument("--rtp-max", type=int, default=30199)
    parser.add_argument(
        "--trunk-nets",
        default="127.0.0.0/8",
        help="networks whose calls to the lines are accepted without WebSocket, comma-separated",
    )
    parser.add_argument(
        "--listen",
        action="append",
        default=[],
        metavar="ADDR[:PORT]",
        help="also take SIP (udp and tcp) on this address, e.g. the one the operator sends to "
        "or the desk phones' LAN (port: --sip-port); repeatable",
    )
    parser.add_argument(
        "--number",
        action="append",
        default=[],
        metavar="LINE=NUMBER",
        help="a number the operator sends in the Request-URI for a line, e.g. "
        "fi=+35891234560; repeatable",
    )
    parser.add_argument(
        "--gateway",
        default="",
        metavar="HOST[:PORT]",
        help="the operator's SIP gateway that call-backs are dialled through (udp); without "
        "it the console cannot phone anyone",
    )


def write_from_options(options) -> Path:
    try:
        return stack.write_config(
            options["out"],
            http_url=options["http_url"],
            secret=telephony_secret(),
            sip_port=options["sip_port"],
            ws_port=options["ws_port"],
            ng_port=options["ng_port"],
            rtp_min=options["rtp_min"],
            rtp_max=options["rtp_max"],
            trunk_nets=options["trunk_nets"],
            media_dir=stack.MEDIA_DIR,
            realm=DESK_PHONE_REALM,
            listen=options["listen"],
            numbers=options["number"],
            gateway=options["gateway"],
        )
    except (stack.StackError, ValueError) as error:
        raise CommandError(str(error)) from error


class Command(BaseCommand):
    help = "Write Kamailio's and rtpengine's configuration for this installation."

    def add_arguments(self, parser):
        add_stack_arguments(parser)
        parser.add_argument("--check", action="store_true", help="then run kamailio -c on it")

    def handle(self, *args, **options):
        config = write_from_options(options)
        self.stdout.write(f"Wrote {config} and {config.parent / 'local.cfg'}")
        if options["check"]:
            if stack.missing_programs():
                raise CommandError(f"kamailio is not installed ({stack.APT_PACKAGES})")
            result = stack.check_config(config)
            if result.returncode != 0:
                raise CommandError("kamailio -c refused the configuration:\n" + result.stderr)
            self.stdout.write("kamailio -c: configuration ok")
