"""The footer (tui/widgets/footer.py): rebuilt for a change it shows, and only then."""

from __future__ import annotations

from collections import Counter

from textual.widgets import Footer

from apptools import make_app, settle
from tui.screens.home import HomeScreen


def keys_shown(footer: Footer) -> dict[str, bool]:
    """Each key widget's action -> whether it is drawn enabled."""
    return {k.action: not k.has_class("-disabled") for k in footer.children  # type: ignore[attr-defined]
            if hasattr(k, "action")}


async def test_the_footer_is_rebuilt_only_for_a_change_it_shows(store, vault_path, clock):
    store.add_person("Ada Lovelace")
    app = make_app(vault_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        styled: Counter[int] = Counter()  # key widget -> times the stylesheet was applied to it
        apply = app.stylesheet.apply

        def counting(node, **kw):
            if hasattr(node, "key_display"):
                styled[id(node)] += 1
            return apply(node, **kw)

        app.stylesheet.apply = counting  # type: ignore[method-assign]
        app.unlocked(store)
        await settle(app, pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        footer = home.query_one(Footer)
        before = list(footer.children)
        assert keys_shown(footer)["focus_filter"] is True
        # away to the people list and back: the home screen's keys are as they were
        # each key widget styled once, as it ends up (Textual's started compact and was styled
        # again for each change of that: two or three times)
        assert len(styled) >= 9 and set(styled.values()) == {1}
        styled.clear()
        await pilot.press("f2")
        await settle(app, pilot)
        assert app.screen is not home
        assert len(styled) >= 5 and set(styled.values()) == {1}
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is home
        assert list(footer.children) == before  # the same widgets: not recomposed
        # into the filter: the keys a typed name needs are no longer offered, its own included
        await pilot.press("slash")
        await settle(app, pilot)
        assert home.focused is home.query_one("#filter")
        assert keys_shown(footer).get("focus_filter") is None
        assert "help" in keys_shown(footer)
        # back to the list: offered again
        await pilot.press("down")
        await settle(app, pilot)
        assert keys_shown(footer)["focus_filter"] is True
