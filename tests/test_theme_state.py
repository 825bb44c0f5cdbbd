"""The theme chosen in the palette is kept for the next start, in a small state file beside
the config (0600), never by rewriting the user's commented config.toml (issue 24)."""

from __future__ import annotations

import json
import os
import stat

from store import Paths
from tui import launch
from tui.state import STATE_FILE, State, load_state


async def test_the_theme_chosen_is_kept_beside_the_config_never_in_it(tmp_path, clock):
    home_dir = tmp_path / "home"
    home_dir.mkdir()
    config = home_dir / "config.toml"
    config.write_text('# mine\ntheme = "textual-dark"   # as I like it\n')
    before = config.read_bytes()

    def new_app():
        return launch.make_app(Paths.resolve(home_dir), clock=clock)

    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark"
        app.theme = "nord"  # as the palette's Theme command does
        await pilot.pause()
    state = home_dir / STATE_FILE
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    assert json.loads(state.read_text()) == {"theme": "nord", "config_theme": "textual-dark"}
    assert config.read_bytes() == before  # the user's commented file is never rewritten
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "nord"  # kept at restart
    # the config's theme edited since: what was just written there wins
    config.write_text('theme = "gruvbox"\n')
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "gruvbox"


def test_a_broken_state_file_is_ignored(tmp_path):
    path = tmp_path / "state.json"
    for content in (b"{not json", b"[1, 2]", b'{"theme": 3}', b"x" * 10_000):
        path.write_bytes(content)
        assert load_state(path).theme_for("textual-dark") == "textual-dark"
    assert load_state(tmp_path / "missing.json") == State()
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # read as a file, it would wait for a writer: the app would never start
    assert load_state(fifo) == State()



def test_the_theme_and_the_export_folder_keep_each_other(tmp_path):
    """Both live in state.json: writing one keeps the other (a writer that rewrote the file
    with its own keys only would forget the other's)."""
    from tui.state import load_export_folder, save_export_folder, save_state, state_path

    folder = tmp_path / "exports"
    folder.mkdir()
    save_export_folder(tmp_path, folder)
    save_state(state_path(tmp_path), State("textual-light", "textual-dark"))
    assert load_export_folder(tmp_path) == folder
    save_export_folder(tmp_path, tmp_path)
    assert load_state(state_path(tmp_path)) == State("textual-light", "textual-dark")
    assert load_export_folder(tmp_path) == tmp_path
    assert oct(state_path(tmp_path).stat().st_mode & 0o777) == "0o600"
