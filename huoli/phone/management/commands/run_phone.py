"""``manage.py run_phone``: rtpengine, Kamailio and Huoli (uvicorn, as ``make run`` starts it,
with HUOLI_TELEPHONY=1), all on 127.0.0.1; Ctrl-C or SIGTERM stops all three."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from huoli.phone import stack
from huoli.phone.management.commands.telephony_config import (
    add_stack_arguments,
    write_from_options,
)

UVICORN_ARGS = [
    "--no-access-log",
    "--lifespan",
    "off",
    "--ws-per-message-deflate",
    "false",
    "--ws-max-size",
    "131072",
    "--log-config",
    "huoli/logging.json",
]


class Command(BaseCommand):
    help = "Run the telephone on loopback: rtpengine, Kamailio, then Huoli itself."

    def add_arguments(self, parser):
        add_stack_arguments(parser)

    def handle(self, *args, **options):
        missing = stack.missing_programs()
        if missing:
            raise CommandError(
                f"not installed: {', '.join(missing)}. "
                f"Install with: sudo apt-get install -y {stack.APT_PACKAGES}"
            )
        parts = urlsplit(options["http_url"])
        host, port = parts.hostname or "127.0.0.1", parts.port or 8000
        config = write_from_options(options)
        out = config.parent
        result = stack.check_config(config)
        if result.returncode != 0:
            raise CommandError("kamailio -c refused the configuration:\n" + result.stderr)

        stopping = False

        def stop(_signum, _frame):
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        phone = None
        web = None
        try:
            phone = stack.start(
                out,
                config=config,
                sip_port=options["sip_port"],
                ws_port=options["ws_port"],
                ng_port=options["ng_port"],
                rtp_min=options["rtp_min"],
                rtp_max=options["rtp_max"],
            )
            env = dict(os.environ, HUOLI_TELEPHONY="1", HUOLI_PURGE_DAILY="1")
            env.setdefault("HUOLI_SIP_WS_URL", f"ws://127.0.0.1:{options['ws_port']}")
            uvicorn = os.path.join(os.path.dirname(sys.executable), "uvicorn")
            app = "huoli.asgi:application"
            web = subprocess.Popen(  # noqa: S603 (our own command line)
                [uvicorn, app, "--host", host, "--port", f"{port}", *UVICORN_ARGS],
                env=env,
                start_new_session=True,
            )
            self.stdout.write(
                f"Huoli is at http://{host}:{port}/ (console: http://{host}:{port}/console/)\n"
                f"SIP: sip:fi@127.0.0.1:{options['sip_port']} (udp, tcp; trunk networks "
                f"{options['trunk_nets']}), WebSocket ws://127.0.0.1:{options['ws_port']}\n"
                f"Logs of the SIP server and the media relay: {out}/kamailio.log, "
                f"{out}/rtpengine.log. Ctrl-C stops everything."
            )
            if options["gateway"]:
                self.stdout.write(
                    f"Call-backs are dialled through the gateway {options['gateway']} "
                    "(docs/telephone.md: a SIP phone listening there answers them)."
                )
            while not stopping:
                if web.poll() is not None:
                    raise CommandError("uvicorn stopped")
                for daemon in phone.daemons:
                    if daemon.process.poll() is not None:
                        raise CommandError(f"{daemon.name} stopped; see {daemon.log}")
                time.sleep(0.5)
        except stack.StackError as error:
            raise CommandError(str(error)) from error
        finally:
            if web is not None and web.poll() is None:
                web.send_signal(signal.SIGTERM)
                try:
                    web.wait(10)
                except subprocess.TimeoutExpired:
                    web.kill()
                    web.wait()
            if phone is not None:
                phone.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
