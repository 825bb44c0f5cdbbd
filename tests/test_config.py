"""config.toml: defaults, valid settings, and a broken file that never stops the app."""

from __future__ import annotations

import os

from hypothesis import given, settings, strategies as st

from store.paths import Paths
from tui.app import RapportApp
from tui.config import Config, load_config


def test_missing_file_gives_defaults(tmp_path):
    assert load_config(tmp_path / "config.toml") == (Config(), None)


def test_valid_settings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('idle_lock_minutes = 2\ntheme = "nord"\ndefault_guide = "feedback"\n'
                    '[keys]\nprivacy = "f11"\n')
    config, warning = load_config(path)
    assert warning is None
    assert config == Config(idle_lock_minutes=2.0, theme="nord", default_guide="feedback",
                            keys={"privacy": "f11"})


def test_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\nidle_lock_minutes = = 3\n')
    config, warning = load_config(path)
    assert config == Config()
    assert "line 2" in warning and "\n" not in warning


def test_wrong_type_names_the_line_and_keeps_the_rest(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n\nidle_lock_minutes = "soon"\nbogus = 1\n')
    config, warning = load_config(path)
    assert config.theme == "nord" and config.idle_lock_minutes == Config().idle_lock_minutes
    assert "idle_lock_minutes (line 3)" in warning and "bogus" in warning


def test_a_fifo_or_a_huge_file_is_a_warning_not_a_wait(tmp_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)  # read as a file, it would wait for a writer: the app would never start
    config, warning = load_config(fifo)
    assert config == Config()
    assert warning == f"{fifo}: cannot read (not a regular file); using defaults"
    huge = tmp_path / "huge.toml"
    huge.write_text("# padding\n" * 10_000)
    assert load_config(huge) == (Config(), f"{huge}: larger than 65536 bytes; using defaults")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_never_raise(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_bytes(data)
    config, warning = load_config(path)
    assert isinstance(config, Config)
    assert warning is None or "\n" not in warning


async def test_app_starts_with_a_broken_config_and_says_so(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("idle_lock_minutes = [\n")
    config, warning = load_config(path)
    app = RapportApp(paths=Paths.resolve(tmp_path), config=config, config_warning=warning)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert any("config.toml" in n.message for n in app._notifications)


def test_a_bad_key_name_is_one_warning_and_the_default_stays(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nquit = "ctrl+zzz+bad"\nprivacy = "f11"\nprivcy = "f10"\n')
    config, warning = load_config(path)
    assert config.keys == {"privacy": "f11"}
    assert "\n" not in warning and "quit" in warning and "ctrl+zzz+bad" in warning
    assert "'zzz' is not a modifier" in warning and "'privcy'" in warning


async def test_quit_still_works_after_a_bad_quit_key(tmp_path):
    from tui.launch import make_app

    (tmp_path / "config.toml").write_text('[keys]\nquit = "ctrl+zzz+bad"\n')
    app = make_app(Paths.resolve(tmp_path))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert any("ctrl+zzz+bad" in n.message for n in app._notifications)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_an_unknown_theme_is_a_warning(tmp_path):
    app = RapportApp(paths=Paths.resolve(tmp_path), config=Config(theme="no-such-theme"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)


def test_facilitator_name(tmp_path):
    """Your name as the owner of your items in exports: one line, spaces tidied, never a
    terminal control; anything else is a warning naming the line, and the default."""
    path = tmp_path / "config.toml"
    assert Config().facilitator_name == "Facilitator"
    path.write_text('facilitator_name = " Sam\\tLee  "\n')
    assert load_config(path) == (Config(facilitator_name="Sam Lee"), None)
    for bad in ('""', '"   "', "3", '"Sam\\nLee"', '"Sam\\u001b]0;x\\u0007"', '"\\u202eSam"',
                f'"{"x" * 81}"'):
        path.write_text(f'theme = "nord"\nfacilitator_name = {bad}\n')
        config, warning = load_config(path)
        assert config == Config(theme="nord"), bad
        assert "facilitator_name (line 2) must be a name on one line" in warning, bad
