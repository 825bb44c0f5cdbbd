"""The ``rapport serve`` command (registered lazily in :data:`tui.cli.COMMANDS`). Imports only click
until it runs."""

from __future__ import annotations

import sys

import click

from tui.cli import bad_usage, fail, pass_env
from tui.env import Env

#: The addresses ``rapport serve`` listens on: this machine only.
HOSTS = ("127.0.0.1", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Listen on 127.0.0.1 or ::1 (no other address: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Listen on PORT (default: a free port the system picks).")
@pass_env
def serve(env: Env, host: str, port: int) -> None:
    """Open the app in a browser on this machine.

    Prints, once, an address with a token made for this run: open it in a browser on this
    machine. One browser tab at a time; Ctrl+C here stops the server, and the app saves first.
    """
    if host not in HOSTS:
        raise bad_usage(f"--host must be 127.0.0.1 or ::1, not {host!r}: rapport serve only "
                        "listens on this machine")
    from store import probe
    from store import VaultMissing

    try:
        probe(env.paths.vault)
    except VaultMissing:
        pass  # the page offers to create one
    import asyncio

    from tui.serve.gate import Gate
    from tui.serve.server import RapportServer, child_command
    from tui.serve.server import serve as run

    server = RapportServer(child_command(env.paths), Gate())
    try:
        stopped = asyncio.run(run(server, host, port, announce))
    except OSError as exc:
        raise fail(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    if not stopped:
        raise fail("stopped before the app had finished quitting; it was told to, and saves "
                   "and closes the vault on its own")
    if sys.stdout.isatty():
        click.echo()  # after the terminal's ^C
    click.echo("Stopped. The app saved and closed the vault." if server.stopped_an_app
               else "Stopped.")


def announce(url: str) -> None:
    click.echo("Rapport is open at this address, in a browser on this machine:\n\n"
               f"    {url}\n\n"
               "The address holds a token that opens the app: keep it to yourself.\n"
               "One browser tab at a time. Ctrl+C here stops the server; the app saves first.")
    sys.stdout.flush()
