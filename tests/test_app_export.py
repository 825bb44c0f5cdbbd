"""The export dialog previews exactly what is written, then writes 0600 and never overwrites."""

from __future__ import annotations

import stat

import pytest

from guides.loader import builtin_guides
from apptools import make_app, show
from tui.screens.export import ExportScreen

CANARY = "PRIVATE-CANARY-42"


pytestmark = pytest.mark.usefixtures("utc_zone")


async def test_preview_is_what_gets_written(store, vault_path, clock, tmp_path):
    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    ada = store.add_person("Ada")
    session = store.start_session(ada.id, plan)
    store.save_note(session.id, plan["stages"][0]["key"], "shared words")
    store.save_note(session.id, plan["stages"][1]["key"], CANARY, private=True)
    out = tmp_path / "out"
    out.mkdir()
    app = make_app(vault_path, clock)
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await show(app, pilot, store, ExportScreen(session_ids=[session.id],
                                                           directory=out))
        preview = screen.query_one("#export-preview").text
        assert "shared words" in preview and CANARY not in preview
        warning = str(screen.query_one("#export-warning").render())
        assert "Plaintext" in warning and "PRIVATE" not in warning
        assert f"{len(preview.encode())} bytes" in str(screen.query_one("#export-size").render())
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        written = list(out.iterdir())
        assert len(written) == 1
        assert written[0].read_text() == preview
        assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
        assert [e.destination for e in store.exports()] == [str(written[0])]

        app.push_screen(ExportScreen(session_ids=[session.id], directory=out))
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("#export-private").value = True
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert CANARY in app.screen.query_one("#export-preview").text
        assert "PRIVATE" in str(app.screen.query_one("#export-warning").render())
        before = written[0].read_bytes()
        app.screen.query_one("#export-path").value = str(written[0])
        app.screen.query_one("#export-path").focus()  # ctrl+e must write, not move the cursor
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)  # refused: already exists
        assert "exists" in str(app.screen.query_one("#export-error").render())
        assert written[0].read_bytes() == before
        assert len(store.exports()) == 1

        # A folder that is not there: said so, nothing written.
        app.screen.query_one("#export-path").value = str(out / "missing" / written[0].name)
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "There is no folder" in str(app.screen.query_one("#export-error").render())

        # A name alone goes in the dialog's folder; JSON chosen: the name follows the format.
        json_button = next(b for b in app.screen.query("#export-format RadioButton")
                           if b.name == "json")
        json_button.value = True
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#export-path").value == \
            str(out / "missing" / written[0].with_suffix(".json").name)
        preview = app.screen.query_one("#export-preview").text
        assert CANARY in preview and preview.lstrip().startswith("{")
        app.screen.query_one("#export-path").value = "relative.json"
        await pilot.press("ctrl+e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert (out / "relative.json").read_text() == preview
        assert stat.S_IMODE((out / "relative.json").stat().st_mode) == 0o600
        assert [e.destination for e in store.exports()][-1] == str(out / "relative.json")


async def test_the_preview_names_the_facilitator_from_the_config(store, vault_path, clock,
                                                                   tmp_path):
    """config.toml's facilitator_name owns the facilitator's items in the app's exports too."""
    from tui.config import Config

    plan = next(g for g in builtin_guides() if g.id == "one-on-one").to_snapshot()
    session = store.start_session(store.add_person("Ada").id, plan)
    store.add_item(session.id, "action", "Send the FAQ", owner="me")
    app = make_app(vault_path, clock, config=Config(facilitator_name="Sam Lee"))
    async with app.run_test(size=(110, 40)) as pilot:
        await show(app, pilot, store, ExportScreen(session_ids=[session.id], directory=tmp_path))
        preview = app.screen.query_one("#export-preview").text
        assert "Send the FAQ" in preview and "Sam Lee" in preview
        assert "Facilitator" not in preview
